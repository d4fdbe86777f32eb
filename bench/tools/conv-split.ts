// Where the time of one conv2d forward call goes: the wasm kernels (rt.run) against the whole call.
// node --conditions=source --import tsx bench/tools/conv-split.ts [threads] [case a|b|c|d]
import { Tensor } from '../../src/tensor/index.js';
import { kernel } from '../../src/backend/index.js';
import { enableWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
import { runtime } from '../../src/backend/wasm/heap.js';
import { conv2dInfo } from '../../src/ops/conv.js';
// @ts-ignore
import { CONV_CASES, convData } from '../common.mjs';
const [thr = '1', name = 'a'] = process.argv.slice(2);
await enableWasmBackend();
setNumThreads(Number(thr));
const rt = runtime();
const orig = rt.run.bind(rt);
let kt = 0;
(rt as any).run = (fn: any, args: any, work: any) => { const t = performance.now(); orig(fn, args, work); kt += performance.now() - t; };
const c = (CONV_CASES as any)[name];
const d = convData(c);
const x = new Tensor(d.x, [c.N, c.C, c.H, c.W]);
const w = new Tensor(d.w, [c.OC, c.C, c.k, c.k]);
const info = conv2dInfo('bench', x, w, { padding: c.pad });
for (let i = 0; i < 50; i++) kernel('Conv2D')(x, w, null, info);
const ts: number[] = []; const ks: number[] = [];
for (let i = 0; i < 500; i++) { kt = 0; const t = performance.now(); kernel('Conv2D')(x, w, null, info); ts.push(performance.now() - t); ks.push(kt); }
ts.sort((p, q) => p - q); ks.sort((p, q) => p - q);
console.log(`${name} thr ${thr}: total med ${ts[250].toFixed(3)} min ${ts[0].toFixed(3)}; kernels med ${ks[250].toFixed(3)} min ${ks[0].toFixed(3)}`);
process.exit(0);
