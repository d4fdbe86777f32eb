import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NonFiniteError, RNG, Tensor, manualSeed, randn, randint } from '../../src/tensor/index.js';
import { record } from '../../src/autograd/index.js';
import { Linear, Module, ReLU, Sequential } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { CrossEntropyLoss } from '../../src/losses/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import { fit, firstNonFiniteGrad } from '../../src/train/index.js';
import { assertThrowsWith } from '../helpers.js';

/** Passes values through; its backward poisons the gradient with NaN at the chosen call. */
class PoisonGrad extends Module {
  calls = 0;
  constructor(readonly atCall: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    const call = ++this.calls;
    const out = new Tensor(x.data, x.shape);
    return record('poison', out, [x], (g) => [call === this.atCall ? new Tensor(g.data.map(() => NaN), g.shape) : g]);
  }
}

function setup(poisonAt = -1) {
  const rng = new RNG(1);
  const model = new Sequential(new Linear({ inFeatures: 4, outFeatures: 8, rng }), new ReLU(), new PoisonGrad(poisonAt), new Linear({ inFeatures: 8, outFeatures: 3, rng }));
  const x = randn([64, 4], { rng });
  const y = randint(0, 3, [64], { rng });
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: true, seed: 2 });
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  return { model, loader, optimizer };
}

test('fit: a NaN in a gradient at step k stops with the step and the first layer (backprop order) where it appeared', () => {
  const { model, loader, optimizer } = setup(3);
  const err = assertThrowsWith(() => fit({ model, optimizer, loss: CrossEntropyLoss(), train: loader, epochs: 1, numClasses: 3 }), NonFiniteError, 'training step 3', 'the gradient of 0.bias');
  assert.match(err.message, /backpropagation order/);
});

test('fit: a NaN loss at step k stops with the step; with skip the parameters stay exactly as before step k', () => {
  let calls = 0;
  const nanAt3 = (p: Tensor, t: Tensor) => {
    const l = CrossEntropyLoss()(p, t);
    return ++calls === 3 ? l.mul(NaN) : l;
  };
  const a = setup();
  assertThrowsWith(() => fit({ ...a, loss: nanAt3, train: a.loader, epochs: 1, numClasses: 3 }), NonFiniteError, 'training step 3', 'the loss is NaN');

  // Skip policy: after step 2 the weights must equal a run that stopped at step 2, and step 3 changes nothing.
  calls = 0;
  const b = setup();
  const snapshots: Float32Array[][] = [];
  const res = fit({
    ...b, loss: nanAt3, train: b.loader, epochs: 1, numClasses: 3, nonFinite: 'skip',
    callbacks: [{ onBatchEnd: () => snapshots.push(b.model.parameters().map((p) => Float32Array.from(p.data))) }],
  });
  assert.deepEqual(res.skippedSteps, [3]);
  snapshots[2].forEach((w, i) => assert.deepEqual(w, snapshots[1][i], `parameter ${i} changed on the skipped step`));
  assert.notDeepEqual(snapshots[3][0], snapshots[2][0]);
});

test('fit: the same seed gives bit-identical weights; resuming the loader mid-epoch continues exactly', () => {
  const run = (stopAt?: number) => {
    manualSeed(5);
    const s = setup();
    fit({ ...s, loss: CrossEntropyLoss(), train: s.loader, epochs: 2, numClasses: 3, maxSteps: stopAt });
    return s;
  };
  const full = run();
  const again = run();
  full.model.parameters().forEach((p, i) => assert.deepEqual(p.data, again.model.parameters()[i].data));
  // Stop after 11 steps (mid-epoch 2 of 8 batches each), then continue the same objects.
  const part = run(11);
  fit({ ...part, loss: CrossEntropyLoss(), train: part.loader, epochs: 2, numClasses: 3, startStep: 11 });
  full.model.parameters().forEach((p, i) => assert.deepEqual(p.data, part.model.parameters()[i].data));
});

test('firstNonFiniteGrad finds nothing in clean gradients', () => {
  const { model } = setup();
  assert.equal(firstNonFiniteGrad(model), null);
});
