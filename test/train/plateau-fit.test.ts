import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, randn, randint } from '../../src/tensor/index.js';
import { Linear } from '../../src/nn/index.js';
import { ReduceLROnPlateau, SGD } from '../../src/optim/index.js';
import { CrossEntropyLoss } from '../../src/losses/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import { fit, reduceLROnPlateau } from '../../src/train/index.js';

test('fit with reduceLROnPlateau: the learning rate drops by the factor once the monitored loss stops improving', () => {
  const rng = new RNG(2);
  const model = new Linear({ inFeatures: 3, outFeatures: 2, rng });
  // Labels independent of the inputs: the loss plateaus quickly.
  const loader = new DataLoader(new TensorDataset(randn([32, 3], { rng }), randint(0, 2, [32], { rng })), { batchSize: 32 });
  const optimizer = new SGD(model.parameters(), { lr: 0.5 });
  const plateau = new ReduceLROnPlateau(optimizer, { factor: 0.1, patience: 0, threshold: 0.05 });
  const seen: number[] = [];
  const losses: number[] = [];
  fit({ model, optimizer, loss: CrossEntropyLoss(), train: loader, epochs: 8, numClasses: 2, callbacks: [reduceLROnPlateau(plateau, { monitor: 'trainLoss' }), { onEpochEnd: (_c, l) => (seen.push(optimizer.lr), losses.push(l.trainLoss)) }] });
  // Replay PyTorch's rule (rel threshold, patience 0) on the losses fit reported: each epoch not 5% better than the best cuts lr by 10x.
  let best = Infinity;
  let lr = 0.5;
  const expected = losses.map((l) => {
    if (l < best * (1 - 0.05)) best = l;
    else lr *= 0.1;
    return lr;
  });
  seen.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12 * expected[i], `epoch ${i}: lr ${v}, expected ${expected[i]}`));
  assert.ok(seen[seen.length - 1] < 0.5, 'the rate did drop');
});
