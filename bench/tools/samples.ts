// Per-call times of one conv case, to see the distribution: node --conditions=source --import tsx bench/tools/samples.ts [threads] [case] [reps]
import { Tensor } from '../../src/tensor/index.js';
import { kernel } from '../../src/backend/index.js';
import { enableWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
import { conv2dInfo } from '../../src/ops/conv.js';
// @ts-ignore: plain JS helper module
import { CONV_CASES, convData } from '../common.mjs';

const [thr = '1', name = 'a', reps = '60'] = process.argv.slice(2);
await enableWasmBackend();
setNumThreads(Number(thr));
const c = (CONV_CASES as any)[name];
const d = convData(c);
const x = new Tensor(d.x, [c.N, c.C, c.H, c.W]);
const w = new Tensor(d.w, [c.OC, c.C, c.k, c.k]);
const info = conv2dInfo('bench', x, w, { padding: c.pad });
const ts: string[] = [];
for (let i = 0; i < Number(reps); i++) {
  const t = performance.now();
  kernel('Conv2D')(x, w, null, info);
  ts.push((performance.now() - t).toFixed(2));
  if (process.env.SAMPLES_EACH) console.log(`call ${i}: ${ts[i]}`);
}
console.log(ts.join(' '));
