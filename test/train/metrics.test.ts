import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, randn, randint, tensor, type Tensor } from '../../src/tensor/index.js';
import { Linear } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { CrossEntropyLoss } from '../../src/losses/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import { ConfusionMatrix, earlyStopping, evaluate, fit, predictions, topKCorrect } from '../../src/train/index.js';
import { mean, square, sub } from '../../src/ops/index.js';

test('predictions, top-k and the confusion matrix by hand', () => {
  const logits = tensor([
    [0.1, 0.7, 0.2],
    [0.5, 0.3, 0.2],
    [0.1, 0.3, 0.6],
    [0.4, 0.1, 0.5],
  ]);
  const y = tensor([1, 1, 2, 0], { dtype: 'int32' });
  assert.deepEqual([...predictions(logits)], [1, 0, 2, 2]);
  assert.equal(topKCorrect(logits, y, 1), 2);
  assert.equal(topKCorrect(logits, y, 2), 4);
  const cm = new ConfusionMatrix(3);
  cm.add(predictions(logits), y.data);
  assert.deepEqual(cm.rows(), [
    [0, 0, 1],
    [1, 1, 0],
    [0, 0, 1],
  ]);
  assert.equal(cm.accuracy, 0.5);
  assert.deepEqual(cm.perClassAccuracy(), [0, 0.5, 1]);
  assert.match(cm.toString(['a', 'b', 'c']), /^true\\pred\s+a\s+b\s+c\na\s+0\s+0\s+1/);
});

test('evaluate: mean loss over samples, accuracy and top-k, in eval mode without a graph', () => {
  const lin = new Linear({ inFeatures: 2, outFeatures: 3, rng: new RNG(1) });
  const x = randn([10, 2], { rng: new RNG(2) });
  const y = randint(0, 3, [10], { rng: new RNG(3) });
  const r = evaluate(lin, new DataLoader(new TensorDataset(x, y), { batchSize: 4 }), CrossEntropyLoss(), { numClasses: 3, topK: [2] });
  const all = lin.call(x);
  assert.ok(Math.abs(r.loss - CrossEntropyLoss()(all, y).item()) < 1e-6, 'batches of 4, 4, 2 weighted by size');
  assert.equal(r.accuracy, [...predictions(all)].filter((p, i) => p === y.data[i]).length / 10);
  assert.equal(r.topK[2], topKCorrect(all, y, 2) / 10);
  assert.equal(lin.training, true, 'training mode restored');
});

test('a user function of tensors is a loss: mean squared error by hand trains a regression', () => {
  const rng = new RNG(4);
  const x = randn([64, 3], { rng });
  const w = tensor([[1], [-2], [0.5]]);
  const y = x.matmul(w);
  const model = new Linear({ inFeatures: 3, outFeatures: 1, rng });
  const myLoss = (p: Tensor, t: Tensor) => mean(square(sub(p, t)));
  fit({ model, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: myLoss, train: new DataLoader(new TensorDataset(x, y), { batchSize: 16, seed: 1, shuffle: true }), epochs: 40 });
  assert.ok(model.weight.data.every((v, i) => Math.abs(v - [1, -2, 0.5][i]) < 1e-2), `learned ${[...model.weight.data]}`);
});

test('earlyStopping stops after `patience` epochs without a better validation loss', () => {
  const rng = new RNG(5);
  const x = randn([32, 2], { rng });
  const y = randint(0, 2, [32], { rng });
  // Random labels: validation loss on other random labels cannot keep improving.
  const vx = randn([32, 2], { rng });
  const vy = randint(0, 2, [32], { rng });
  const model = new Linear({ inFeatures: 2, outFeatures: 2, rng });
  const res = fit({
    model, optimizer: new SGD(model.parameters(), { lr: 0.5 }), loss: CrossEntropyLoss(), numClasses: 2,
    train: new DataLoader(new TensorDataset(x, y), { batchSize: 32 }), val: new DataLoader(new TensorDataset(vx, vy), { batchSize: 32 }),
    epochs: 200, callbacks: [earlyStopping({ patience: 2 })],
  });
  assert.match(res.stopReason ?? '', /early stopping: valLoss did not improve for 2 epochs/);
  const losses = res.history.map((h) => h.val!.loss);
  const best = Math.min(...losses);
  assert.equal(losses.length - 1 - losses.indexOf(best), 3, 'stopped on the third epoch after the best one');
  assert.ok(losses.length < 200);
});
