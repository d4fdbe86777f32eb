// Time one conv2d forward shape on the wasm backend, direct against Winograd
// (min and median of many calls; the minimum is the least disturbed on a shared machine):
// node --conditions=source --import tsx bench/tools/conv-shape.ts N C H W M [threads] [pad] [stride] [k]
import { randn, RNG } from '../../src/tensor/index.js';
import { kernel } from '../../src/backend/index.js';
import { enableWasmBackend, setConvAlgorithm, setNumThreads, type ConvAlgorithm } from '../../src/backend/wasm/index.js';
import { conv2dInfo } from '../../src/ops/conv.js';

const [N, C, H, W, M, thr = 1, pad = 1, stride = 1, k = 3] = process.argv.slice(2).map(Number);
await enableWasmBackend();
setNumThreads(thr);
const rng = new RNG(1);
const x = randn([N, C, H, W], { rng });
const w = randn([M, C, k, k], { rng });
const info = conv2dInfo('bench', x, w, { padding: pad, stride });
const flop = 2 * N * M * info.outH * info.outW * C * k * k;
const line: string[] = [];
for (const alg of (stride === 1 && k === 3 ? ['direct', 'winograd'] : ['direct']) as ConvAlgorithm[]) {
  setConvAlgorithm(alg);
  for (let i = 0; i < 5; i++) kernel('Conv2D')(x, w, null, info);
  const ts: number[] = [];
  const end = performance.now() + 1500;
  while (performance.now() < end || ts.length < 10) {
    const t = performance.now();
    kernel('Conv2D')(x, w, null, info);
    ts.push(performance.now() - t);
  }
  ts.sort((p, q) => p - q);
  line.push(`${alg}: min ${ts[0].toFixed(2)} med ${ts[ts.length >> 1].toFixed(2)} ms (${(flop / ts[0] / 1e6).toFixed(1)} GFLOP/s)`);
}
console.log(`N${N} C${C} ${H}x${W} M${M} k${k} s${stride} p${pad} thr ${thr}: ${line.join('  |  ')}`);
process.exit(0);
