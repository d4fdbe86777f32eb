// The same computation run in Node and in a browser page: results must agree bit for bit on one backend.
import { FILTER1, IMAGE } from '../fixtures/hung-yi-lee.js';
import { Adam, LeNet5, RNG, conv2d, crossEntropy, getBackend, gradcheck, manualSeed, maxPool2d, randint, randn, tensor, type Tensor } from '../../src/index.js';

export interface ScenarioResult {
  backend: string;
  deckConv: number[];
  gradcheckOk: boolean;
  losses: number[];
  weightSum: number;
}

export function scenario(): ScenarioResult {
  const deckConv = conv2d(tensor([[IMAGE]]), tensor([[FILTER1]])).toFlatArray();
  const rng = new RNG(3);
  const x = randn([1, 2, 5, 5], { dtype: 'float64', rng, requiresGrad: true });
  const w = randn([3, 2, 3, 3], { dtype: 'float64', rng, requiresGrad: true });
  const gc = gradcheck((a: Tensor, b: Tensor) => maxPool2d(conv2d(a, b, { padding: 1, stride: 2 }), { kernelSize: 2, ceilMode: true }), [x, w]);
  manualSeed(0);
  const model = new LeNet5({ rng: new RNG(1) });
  const opt = new Adam(model.parameters());
  const xs = randn([8, 1, 28, 28], { rng: new RNG(2) });
  const ys = randint(0, 10, [8], { rng: new RNG(4) });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    const loss = crossEntropy(model.call(xs), ys);
    losses.push(loss.item());
    loss.backward();
    opt.step();
  }
  let weightSum = 0;
  for (const p of model.parameters()) for (const v of p.data) weightSum += v;
  return { backend: getBackend(), deckConv, gradcheckOk: gc.ok, losses, weightSum };
}
