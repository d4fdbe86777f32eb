// The same computation run in Node and in a browser page: results must agree bit for bit on one backend.
import { FILTER1, IMAGE } from '../fixtures/hung-yi-lee.js';
import {
  Adam, LeNet5, RNG, backward, batchNorm, conv2d, crossEntropy, getBackend, gradcheck, localResponseNorm, manualSeed, maxPool2d, randint, randn, tensor,
  type Tensor,
} from '../../src/index.js';

export interface ScenarioResult {
  backend: string;
  deckConv: number[];
  gradcheckOk: boolean;
  losses: number[];
  weightSum: number;
  /** Sums of a Winograd 3×3 layer + batch norm + LRN forward and of its three gradients. */
  cnnSums: number[];
}

const sum = (t: Tensor) => {
  let s = 0;
  for (const v of t.data) s += v;
  return s;
};

/** 32→32 channels at 16×16 (the wasm backend's Winograd path), batch norm, LRN; forward and backward. */
function cnnStep(): number[] {
  const rng = new RNG(5);
  const x = randn([4, 32, 16, 16], { rng, requiresGrad: true });
  const w = randn([32, 32, 3, 3], { rng, requiresGrad: true });
  const gamma = randn([32], { rng, requiresGrad: true });
  const y = localResponseNorm(batchNorm(conv2d(x, w, { padding: 1 }), null, null, { weight: gamma, training: true }), { size: 5 });
  backward(y, randn(y.shape, { rng }));
  return [sum(y), sum(x.grad!), sum(w.grad!), sum(gamma.grad!)];
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
  return { backend: getBackend(), deckConv, gradcheckOk: gc.ok, losses, weightSum, cnnSums: cnnStep() };
}
