import { Tensor } from '../../src/tensor/index.js';
import { kernel } from '../../src/backend/index.js';
import { enableWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
import { conv2dInfo } from '../../src/ops/conv.js';
// @ts-ignore
import { CONV_CASES, convData } from '../common.mjs';
await enableWasmBackend();
for (const thr of [1, 2]) { setNumThreads(thr);
for (const name of (process.argv[2] ?? 'c').split(',')) {
  const c = (CONV_CASES as any)[name]; const d = convData(c);
  const x = new Tensor(d.x, [c.N, c.C, c.H, c.W]); const w = new Tensor(d.w, [c.OC, c.C, c.k, c.k]);
  const info = conv2dInfo('bench', x, w, { padding: c.pad });
  for (let i = 0; i < 5; i++) kernel('Conv2D')(x, w, null, info);
  (globalThis as any).PH = [0, 0, 0, 0, 0];
  let t = performance.now();
  for (let i = 0; i < 20; i++) kernel('Conv2D')(x, w, null, info);
  t = (performance.now() - t) / 20;
  const P = (globalThis as any).PH; console.log(thr, name, 'total', t.toFixed(2), ['prep', 'in', 'gemm', 'out'].map((k, i) => k + ' ' + (P[i] / P[4]).toFixed(2)).join(' '));
}}
process.exit(0);
