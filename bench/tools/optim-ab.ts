// The optimiser update of a whole ResNet-18 (11.2 M float32 parameters, its 62
// tensors' sizes) on the reference loops and on the wasm kernel, calls alternated
// in one process so that both see the same moments of this shared machine:
// node --conditions=source --import tsx bench/tools/optim-ab.ts [threads] [rounds] [sgd|adam]
import { RNG, Tensor, randn } from '../../src/tensor/index.js';
import { withBackend } from '../../src/backend/index.js';
import { enableWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam } from '../../src/optim/adam.js';
import { resnet18 } from '../models.js';

const [thr = '1', roundsArg = '9', rule = 'sgd'] = process.argv.slice(2);
await enableWasmBackend();
setNumThreads(Number(thr));
const rng = new RNG(3);
const make = () => {
  const params = resnet18(10, rng).parameters();
  for (const p of params) p.grad = randn(p.shape, { rng });
  return rule === 'adam' ? new Adam(params, { lr: 1e-3 }) : new SGD(params, { lr: 0.01, momentum: 0.9 });
};
const opts = { reference: make(), wasm: make() };
const n = opts.wasm.params.reduce((s, p: Tensor) => s + p.size, 0);
const ts: Record<string, number[]> = { reference: [], wasm: [] };
for (let r = 0; r < Number(roundsArg) + 2; r++) {
  for (const b of ['reference', 'wasm'] as const) {
    const t = performance.now();
    withBackend(b, () => opts[b].step());
    if (r >= 2) ts[b].push(performance.now() - t);
  }
}
const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
console.log(`${rule} step over ${(n / 1e6).toFixed(1)} M parameters, ${thr} thr: reference ${med(ts.reference).toFixed(1)} ms, wasm ${med(ts.wasm).toFixed(1)} ms (medians of ${ts.wasm.length})`);
process.exit(0);
