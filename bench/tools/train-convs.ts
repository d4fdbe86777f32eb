// CPU time per convolution shape of a ResNet-18 32×32 training step (batch 32, SGD
// momentum), forward and backward, on the wasm backend. CPU time, not wall time: on
// a shared machine it is the work done (one thread: no workers).
// node --conditions=source --import tsx bench/tools/train-convs.ts [steps] [threads]
import { Tensor, RNG, randn } from '../../src/tensor/index.js';
import { enableWasmBackend, setNumThreads, wasmBackend } from '../../src/backend/wasm/index.js';
import type { Conv2DInfo } from '../../src/backend/kernels.js';
import { SGD } from '../../src/optim/sgd.js';
import { resnet18 } from '../models.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { backward } from '../../src/autograd/index.js';

const [stepsArg = '3', thr = '1'] = process.argv.slice(2);
const acc = new Map<string, { cpu: number; wall: number; flop: number }>();
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const ks = wasmBackend.kernels as Record<string, (...a: unknown[]) => unknown>;
for (const name of ['Conv2D', 'Conv2DBackprop']) {
  const f = ks[name];
  ks[name] = (...a: unknown[]) => {
    const c = a[name === 'Conv2D' ? 3 : 3] as Conv2DInfo;
    const wants = name === 'Conv2DBackprop' ? a[4] as { input: boolean; filter: boolean } : null;
    const flop = 2 * c.batch * c.outChannels * c.outH * c.outW * c.inChannels * c.kH * c.kW * (wants ? (wants.input ? 1 : 0) + (wants.filter ? 1 : 0) : 1);
    const key = `${name === 'Conv2D' ? 'fwd' : wants!.input ? 'bwd dx+dw' : 'bwd dw'} ${c.inChannels}x${c.inH} -> ${c.outChannels}x${c.outH} k${c.kH} s${c.strideH}`;
    const t = performance.now(), u = cpuMs();
    const r = f(...a);
    const e = acc.get(key) ?? { cpu: 0, wall: 0, flop: 0 };
    e.cpu += cpuMs() - u; e.wall += performance.now() - t; e.flop += flop;
    acc.set(key, e);
    return r;
  };
}
await enableWasmBackend();
setNumThreads(Number(thr));
const rng = new RNG(1);
const model = resnet18(10, rng);
const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const x = randn([32, 3, 32, 32], { rng });
const y = new Tensor(Int32Array.from({ length: 32 }, (_, i) => i % 10), [32]);
const step = () => { opt.zeroGrad(); backward(crossEntropy(model.call(x), y)); opt.step(); };
for (let i = 0; i < 2; i++) step();
acc.clear();
const steps = Number(stepsArg);
const c0 = cpuMs(), t0 = performance.now();
for (let i = 0; i < steps; i++) step();
console.log(`step: cpu ${((cpuMs() - c0) / steps).toFixed(1)} ms, wall ${((performance.now() - t0) / steps).toFixed(1)} ms`);
let tot = 0;
for (const v of acc.values()) tot += v.cpu / steps;
console.log(`convolutions: cpu ${tot.toFixed(1)} ms`);
for (const [k, v] of [...acc].sort((p, q) => q[1].cpu - p[1].cpu)) {
  console.log(`  ${k}: cpu ${(v.cpu / steps).toFixed(2)} ms, ${(v.flop / v.cpu / 1e6).toFixed(1)} GFLOP/s`);
}
process.exit(0);
