// A/B of two builds of the wasm kernels on one conv case's GEMM, in one process, calls
// alternated (the machine is shared and noisy). 1 thread. Each build is a
// bytes.generated.ts file, optionally with the build's name after a colon
// (SINGLE_WASM by default; SIMD_WASM or RELAXED_WASM for the shared-memory builds,
// e.g. plain against fused multiply-add: x.ts:SIMD_WASM x.ts:RELAXED_WASM; run with
// --experimental-wasm-relaxed-simd on Node 20).
// node bench/tools/gemm-ab.mjs <old build> <new build> [a|b|c|d|json] [reps]
import { readFileSync } from 'node:fs';
import { CONV_CASES, convData, outSize } from '../common.mjs';

const [fa, fb, name = 'a', repsArg = '200'] = process.argv.slice(2);
const c = name.startsWith('{') ? JSON.parse(name) : CONV_CASES[name]; // a bench case, or {N, C, H, W, OC, k, pad} (stride 1)
const d = convData(c);
function load(spec) {
  const [file, build = 'SINGLE_WASM'] = spec.split(':');
  const b64 = new RegExp(`${build} = '([^']*)'`).exec(readFileSync(file, 'utf8'))[1];
  const memory = build === 'SINGLE_WASM' ? new WebAssembly.Memory({ initial: 4096 }) : new WebAssembly.Memory({ initial: 4096, maximum: 65536, shared: true });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), { env: { memory, abort() { throw new Error('abort'); } } });
  const f32 = new Float32Array(memory.buffer), i32 = new Int32Array(memory.buffer);
  let top = 65536;
  const alloc = (floats) => { const p = top; top += Math.ceil((floats * 4 + 64) / 64) * 64; return p; };
  const o = outSize(c), Hp = c.H + 2 * c.pad, Wq = Hp, cs = Hp * Wq, K = c.C * c.k * c.k, M = c.OC, panels = (M + 3) >> 2;
  const A = alloc(panels * K * 4);
  for (let p = 0; p < panels; p++) for (let k = 0; k < K; k++) for (let r = 0; r < 4; r++) { const m = p * 4 + r; f32[(A >> 2) + (p * K + k) * 4 + r] = m < M ? d.w[m * K + k] : 0; }
  const X = alloc(c.N * c.C * cs + 2 * Wq + 64);
  for (let pl = 0; pl < c.N * c.C; pl++) for (let i = 0; i < c.H; i++) for (let j = 0; j < c.W; j++) f32[(X >> 2) + pl * cs + (i + c.pad) * Wq + j + c.pad] = d.x[(pl * c.H + i) * c.W + j];
  const off = alloc(K);
  let k = 0;
  for (let ic = 0; ic < c.C; ic++) for (let kh = 0; kh < c.k; kh++) for (let kw = 0; kw < c.k; kw++) i32[(off >> 2) + k++] = ic * cs + kh * Wq + kw;
  const Y = alloc(c.N * M * o * o);
  const stride = Math.ceil((K * 32 + 320 + 32768) / 64) * 64;
  const KC = Number(process.env.KC ?? K); // taps per reduction chunk (builds from 2026-11-22 on)
  const scratch = alloc(stride / 4);
  const args = alloc(64);
  const argv = [A, 0, panels * K * 4, K, off, X, c.C * cs, c.C * cs, Y, M * o * o, M * o * o, M, o, c.N, 1, 0, Wq, o, o, o * o, 0, 1, 0, 1, scratch, stride, KC];
  return () => { i32.set(argv, args >> 2); i32[(args >> 2) + 63] = 0; inst.exports.gemm(args, 0, 1); return f32.subarray(Y >> 2, (Y >> 2) + c.N * M * o * o); };
}
const runs = [load(fa), load(fb)];
const ya = runs[0]().slice(), yb = runs[1]();
let diff = 0;
for (let i = 0; i < ya.length; i++) if (ya[i] !== yb[i]) diff++;
const ts = [[], []];
const reps = Number(repsArg);
for (let i = 0; i < 20; i++) { runs[0](); runs[1](); }
for (let i = 0; i < reps; i++) for (const j of i & 1 ? [1, 0] : [0, 1]) { const t = performance.now(); runs[j](); ts[j].push(performance.now() - t); }
const med = (a) => a.sort((p, q) => p - q)[a.length >> 1];
console.log(`case ${name}: old ${med(ts[0]).toFixed(3)} ms (min ${ts[0][0].toFixed(3)}), new ${med(ts[1]).toFixed(3)} ms (min ${ts[1][0].toFixed(3)}); outputs differing: ${diff}`);
