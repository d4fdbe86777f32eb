// Time the conv2d backward kernels of one bench case, and the wasm kernels inside them:
// node --conditions=source --import tsx bench/tools/conv-bwd.ts [threads] [case b|c | N,C,H,W,OC,k,pad]
import { Tensor } from '../../src/tensor/index.js';
import { kernel } from '../../src/backend/index.js';
import { enableWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
import { runtime } from '../../src/backend/wasm/heap.js';
import { conv2dInfo } from '../../src/ops/conv.js';
// @ts-ignore: plain JS helper module
import { CONV_CASES, convData } from '../common.mjs';

const [thr = '1', name = 'b'] = process.argv.slice(2);
await enableWasmBackend();
setNumThreads(Number(thr));
const rt = runtime();
const run = rt.run.bind(rt);
const per = new Map<string, number>();
(rt as any).run = (fn: string, args: number[], work: number) => {
  const t = performance.now();
  run(fn as any, args, work);
  per.set(fn, (per.get(fn) ?? 0) + performance.now() - t);
};
const c = name.includes(',') ? (([N, C, H, W, OC, k, pad]) => ({ N, C, H, W, OC, k, pad }))(name.split(',').map(Number)) : (CONV_CASES as any)[name];
const d = convData(c);
const x = new Tensor(d.x, [c.N, c.C, c.H, c.W]);
const w = new Tensor(d.w, [c.OC, c.C, c.k, c.k]);
const info = conv2dInfo('bench', x, w, { padding: c.pad });
const dy = new Tensor(new Float32Array(c.N * c.OC * info.outH * info.outW).map((_, i) => Math.sin(i)), [c.N, c.OC, info.outH, info.outW]);
for (const [label, f] of [
  ['forward', () => kernel('Conv2D')(x, w, null, info)],
  ['grad input', () => kernel('Conv2DBackpropInput')(dy, w, info)],
  ['grad filter', () => kernel('Conv2DBackpropFilter')(x, dy, info)],
  ['input + filter', () => { kernel('Conv2DBackpropInput')(dy, w, info); kernel('Conv2DBackpropFilter')(x, dy, info); }],
  ['both in one call', () => { kernel('Conv2DBackprop')(x, w, dy, info, { input: true, filter: true }); }],
] as const) {
  for (let i = 0; i < 5; i++) f();
  per.clear();
  const ts: number[] = [];
  const reps = 30;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  ts.sort((p, q) => p - q);
  const parts = [...per].map(([k, v]) => `${k} ${(v / reps).toFixed(2)}`).join(', ');
  console.log(`${name} thr ${thr} ${label}: med ${ts[reps >> 1].toFixed(2)} min ${ts[0].toFixed(2)} ms  [${parts}]`);
}
process.exit(0);
