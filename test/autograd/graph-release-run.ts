// Child process of graph-release.test.ts: trains a LeNet-5-sized CNN built from ops, keeping
// every loss tensor (as `history.push(loss)` does), and reports the collected heap plus the
// typed-array memory at two points. argv: steps, 'retain' to keep each graph (the leak).
import { RNG, Tensor, randn, randint } from '../../src/tensor/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { conv2d, crossEntropy, flatten, linear, maxPool2d, relu } from '../../src/ops/index.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const steps = Number(process.argv[2] ?? 1000);
const retainGraph = process.argv[3] === 'retain';
const rng = new RNG(3);
const param = (shape: number[], fanIn: number) => {
  const t = randn(shape, { rng });
  for (let i = 0; i < t.size; i++) t.data[i] /= Math.sqrt(fanIn);
  return t.requiresGrad_();
};
const c1 = param([6, 1, 5, 5], 25), b1 = param([6], 25);
const c2 = param([16, 6, 5, 5], 150), b2 = param([16], 150);
const f1 = param([120, 256], 256), f2 = param([84, 120], 120), f3 = param([10, 84], 84);
const params = [c1, b1, c2, b2, f1, f2, f3];
const x = randn([16, 1, 28, 28], { rng });
const y = randint(0, 10, [16], { rng });

const history: Tensor[] = [];
const usage = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
let early = 0;
let late = 0;
for (let s = 1; s <= steps; s++) {
  for (const p of params) p.grad = null;
  let h = maxPool2d(relu(conv2d(x, c1, { bias: b1 })), { kernelSize: 2 });
  h = maxPool2d(relu(conv2d(h, c2, { bias: b2 })), { kernelSize: 2 });
  h = linear(relu(linear(relu(linear(flatten(h), f1)), f2)), f3);
  const loss = crossEntropy(h, y);
  loss.backward({ retainGraph });
  history.push(loss);
  noGrad(() => {
    for (const p of params) for (let i = 0; i < p.size; i++) p.data[i] -= 0.01 * p.grad!.data[i];
  });
  for (const p of params) p.markModified();
  if (s === Math.min(100, steps)) early = usage();
  if (s === steps) late = usage();
}
console.log(JSON.stringify({ early, late, steps, first: history[0].item(), last: history[steps - 1].item() }));
