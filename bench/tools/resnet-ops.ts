// Time per kernel of ResNet-18 inference (batch 1) on the wasm backend:
// node --conditions=source --import tsx bench/tools/resnet-ops.ts [threads] [size] [reps]
import { Tensor } from '../../src/tensor/index.js';
import { enableWasmBackend, setNumThreads, wasmBackend } from '../../src/backend/wasm/index.js';
import { conv2d } from '../../src/ops/conv.js';
import { relu } from '../../src/ops/activation.js';
import { add } from '../../src/ops/elementwise.js';
import { maxPool2d, globalAvgPool2d } from '../../src/ops/pool.js';
import { linear } from '../../src/ops/matmul.js';
import { reshape } from '../../src/ops/shape.js';
import { noGrad } from '../../src/autograd/index.js';
// @ts-ignore: plain JS helper module
import { resnet18, seeded } from '../common.mjs';

const [thr = '1', sizeArg = '224', repsArg = '10'] = process.argv.slice(2);
const acc = new Map<string, number>();
const ks = wasmBackend.kernels as Record<string, (...a: unknown[]) => unknown>;
for (const name of Object.keys(ks)) {
  const f = ks[name];
  ks[name] = (...a: unknown[]) => {
    const t = performance.now();
    const r = f(...a);
    const c = a[3] as { inChannels: number; inH: number; outChannels: number; kH: number; strideH: number; outH: number };
    const key = name === 'Unary' || name === 'Binary' ? `${name}:${(a[a.length - 1] as { op: string }).op}`
      : name === 'Conv2D' ? `Conv2D ${c.inChannels}x${c.inH} -> ${c.outChannels}x${c.outH} k${c.kH} s${c.strideH} (${((2 * c.outChannels * c.outH * c.outH * c.inChannels * c.kH * c.kH) / 1e6).toFixed(0)} MFLOP)` : name;
    acc.set(key, (acc.get(key) ?? 0) + performance.now() - t);
    return r;
  };
}
await enableWasmBackend();
setNumThreads(Number(thr));
const size = Number(sizeArg);
const steps = resnet18().map((s: any) => {
  if (s.op === 'conv') return { ...s, wt: new Tensor(s.w, [s.cout, s.cin, s.k, s.k]), bt: new Tensor(s.b, [s.cout]) };
  if (s.op === 'fc') return { ...s, wt: new Tensor(s.w, [1000, 512]), bt: new Tensor(s.b, [1000]) };
  return s;
});
const input = new Tensor(seeded(3 * size * size, 7), [1, 3, size, size]);
const run = () => noGrad(() => {
  const v: Record<string, Tensor> = { input };
  for (const s of steps) {
    if (s.op === 'conv') {
      const y = conv2d(v[s.x], s.wt, { bias: s.bt, stride: s.s, padding: s.p });
      v[s.y] = s.relu ? relu(y) : y;
    } else if (s.op === 'maxpool') v[s.y] = maxPool2d(v[s.x], { kernelSize: 3, stride: 2, padding: 1 });
    else if (s.op === 'add') {
      const y = add(v[s.a], v[s.b]);
      v[s.y] = s.relu ? relu(y) : y;
    } else if (s.op === 'gap') v[s.y] = reshape(globalAvgPool2d(v[s.x]), [1, 512]);
    else if (s.op === 'fc') v[s.y] = linear(v[s.x], s.wt, s.bt);
  }
  return v.logits;
});
for (let i = 0; i < 3; i++) run();
acc.clear();
const reps = Number(repsArg);
const ts: number[] = [];
for (let i = 0; i < reps; i++) { const t = performance.now(); run(); ts.push(performance.now() - t); }
ts.sort((p, q) => p - q);
let sum = 0;
for (const v of acc.values()) sum += v;
console.log(`ResNet-18 ${size}, ${thr} thr: median ${ts[reps >> 1].toFixed(1)} ms, min ${ts[0].toFixed(1)}; kernels ${(sum / reps).toFixed(1)} ms/run`);
for (const [k, v] of [...acc].sort((p, q) => q[1] - p[1])) console.log(`  ${k}: ${(v / reps).toFixed(2)} ms`);
