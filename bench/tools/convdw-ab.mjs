// A/B of two builds of the wasm kernels on one conv case's filter gradient (convdw), in one
// process, calls alternated (the machine is shared and noisy). 1 thread, SINGLE_WASM builds.
// Each build is a bytes.generated.ts file (kernels with convdw's argument list of 2026-12-01).
// node bench/tools/convdw-ab.mjs <old build> <new build> [b|c|{"N":..,"C":..,"H":..,"W":..,"OC":..,"k":..,"pad":..}] [reps]
import { readFileSync } from 'node:fs';
import { CONV_CASES, convData, outSize } from '../common.mjs';

const [fa, fb, name = 'b', repsArg = '40'] = process.argv.slice(2);
const c = name.startsWith('{') ? JSON.parse(name) : CONV_CASES[name];
const d = convData(c);
function load(file) {
  const b64 = /SINGLE_WASM = '([^']*)'/.exec(readFileSync(file, 'utf8'))[1];
  const memory = new WebAssembly.Memory({ initial: 8192 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), { env: { memory, abort() { throw new Error('abort'); } } });
  const f32 = new Float32Array(memory.buffer), i32 = new Int32Array(memory.buffer);
  let top = 65536;
  const alloc = (floats) => { const p = top; top += Math.ceil((floats * 4 + 64) / 64) * 64; return p; };
  const o = outSize(c), Hp = c.H + 2 * c.pad, Wq = Hp, cs = Hp * Wq, K = c.C * c.k * c.k, M = c.OC;
  const X = alloc(c.N * c.C * cs + 2 * Wq + 64);
  for (let pl = 0; pl < c.N * c.C; pl++) for (let i = 0; i < c.H; i++) for (let j = 0; j < c.W; j++) f32[(X >> 2) + pl * cs + (i + c.pad) * Wq + j + c.pad] = d.x[(pl * c.H + i) * c.W + j];
  const off = alloc(K);
  let k = 0;
  for (let ic = 0; ic < c.C; ic++) for (let kh = 0; kh < c.k; kh++) for (let kw = 0; kw < c.k; kw++) i32[(off >> 2) + k++] = ic * cs + kh * Wq + kw;
  const D = alloc(c.N * M * o * o + 4);
  f32.set(d.dy, D >> 2);
  const dW = alloc(M * K);
  const scratch = alloc(128);
  const args = alloc(64);
  const argv = [D, M * o * o, o * o, X, c.C * cs, c.C * cs, off, K, M, 1, c.N, o, o, Wq, dW, scratch];
  return () => { i32.set(argv, args >> 2); i32[(args >> 2) + 63] = 0; inst.exports.convdw(args, 0, 1); return f32.subarray(dW >> 2, (dW >> 2) + M * K); };
}
const runs = [load(fa), load(fb)];
const wa = runs[0]().slice(), wb = runs[1]();
let diff = 0, scale = 0;
for (let i = 0; i < wa.length; i++) { diff = Math.max(diff, Math.abs(wa[i] - wb[i])); scale = Math.max(scale, Math.abs(wa[i])); }
const ts = [[], []];
for (let r = 0; r < Number(repsArg); r++) {
  for (const i of [0, 1]) { const t = performance.now(); runs[i](); ts[i].push(performance.now() - t); }
}
const med = (a) => a.sort((p, q) => p - q)[a.length >> 1];
console.log(`convdw ${name}: A median ${med(ts[0]).toFixed(2)} min ${ts[0][0].toFixed(2)} ms | B median ${med(ts[1]).toFixed(2)} min ${ts[1][0].toFixed(2)} ms | max |A − B| ${diff.toExponential(2)} of max |A| ${scale.toExponential(2)}`);
