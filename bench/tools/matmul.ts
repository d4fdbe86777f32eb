// Time wasm MatMul on linear-layer shapes, the weight copied into the heap on every call
// (weightB false) against kept there across calls (weightB true, as linear() asks):
// node --conditions=source --import tsx bench/tools/matmul.ts [threads]
import { randn, RNG } from '../../src/tensor/index.js';
import { kernel } from '../../src/backend/index.js';
import { enableWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
await enableWasmBackend();
setNumThreads(Number(process.argv[2] ?? 1));
const rng = new RNG(1);
for (const [B, K, N] of [[1, 4096, 4096], [1, 25088, 4096], [64, 400, 120], [64, 4096, 4096]]) {
  const x = randn([1, B, K], { rng }), w = randn([1, N, K], { rng });
  const line: string[] = [];
  for (const weightB of [false, true]) {
    const f = () => kernel('MatMul')(x, w.viewAs([1, N, K]), { transA: false, transB: true, weightB });
    for (let i = 0; i < 3; i++) f();
    const ts: number[] = [];
    const end = performance.now() + 1000;
    while (performance.now() < end || ts.length < 5) { const t = performance.now(); f(); ts.push(performance.now() - t); }
    ts.sort((a, b) => a - b);
    line.push(`${weightB ? 'cached' : 'copied'} min ${ts[0].toFixed(3)} med ${ts[ts.length >> 1].toFixed(3)}`);
  }
  console.log(`x[${B}x${K}]·W[${N}x${K}]ᵀ: ${line.join(' | ')}`);
}
process.exit(0);
