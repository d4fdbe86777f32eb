// Time per kernel of ResNet-18 inference (batch 1) on the wasm backend:
// node --conditions=source --import tsx bench/tools/resnet-ops.ts [threads] [size] [reps] [auto|direct|winograd]
import { enableWasmBackend, setConvAlgorithm, setNumThreads, wasmBackend, type ConvAlgorithm } from '../../src/backend/wasm/index.js';
import { resnetRunner } from '../resnet-runner.js';

const [thr = '1', sizeArg = '224', repsArg = '10', algorithm = 'auto'] = process.argv.slice(2);
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
setConvAlgorithm(algorithm as ConvAlgorithm);
setNumThreads(Number(thr));
const size = Number(sizeArg);
const run = resnetRunner(size);
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
