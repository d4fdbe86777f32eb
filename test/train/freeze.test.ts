import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, randn, randint } from '../../src/tensor/index.js';
import { BatchNorm1d, Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { CrossEntropyLoss } from '../../src/losses/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import { fit } from '../../src/train/index.js';

// Issue 12 #7: fit calls model.train() every epoch; a frozen subtree must keep its
// eval mode (running statistics untouched) and its parameters.
test('fit trains around a frozen batch norm and leaves its statistics and weights as they were', () => {
  const rng = new RNG(4);
  const bn = new BatchNorm1d({ numFeatures: 8 });
  const model = new Sequential(new Linear({ inFeatures: 4, outFeatures: 8, rng }), bn, new ReLU(), new Linear({ inFeatures: 8, outFeatures: 3, rng }));
  bn.freeze();
  const before = [bn.getBuffer('running_mean')!, bn.getBuffer('running_var')!, bn.weight!, bn.bias!].map((t) => Float32Array.from(t.data));
  const head = Float32Array.from(model.layers[3].getParameter('weight')!.data);
  const loader = new DataLoader(new TensorDataset(randn([64, 4], { rng }).add(3), randint(0, 3, [64], { rng })), { batchSize: 16, shuffle: true, seed: 1 });
  const optimizer = new SGD(model.parameters().filter((p) => p.requiresGrad), { lr: 0.1 });
  fit({ model, optimizer, loss: CrossEntropyLoss(), train: loader, epochs: 2, numClasses: 3 });
  const after = [bn.getBuffer('running_mean')!, bn.getBuffer('running_var')!, bn.weight!, bn.bias!].map((t) => Float32Array.from(t.data));
  assert.deepEqual(after, before);
  assert.notDeepEqual(Float32Array.from(model.layers[3].getParameter('weight')!.data), head, 'the rest of the model trained');
  assert.equal(bn.training, false);
});
