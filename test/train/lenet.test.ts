import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, manualSeed } from '../../src/tensor/index.js';
import { enableWasmBackend } from '../../src/backend/wasm/index.js';
import { getBackend } from '../../src/backend/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { Adam } from '../../src/optim/index.js';
import { CrossEntropyLoss } from '../../src/losses/index.js';
import { DataLoader, loadMNIST, normalize } from '../../src/data/index.js';
import { evaluate, fit } from '../../src/train/index.js';

// The fast backend where it loads (Node 20 has WebAssembly SIMD); the reference otherwise, just slower.
await enableWasmBackend();

function train(steps: number, seed: number) {
  manualSeed(seed);
  const data = loadMNIST({ split: 'train', limit: 19_200 });
  const model = new LeNet5({ rng: new RNG(seed) });
  const loader = new DataLoader(data.dataset(), { batchSize: 64, shuffle: true, seed, transform: normalize() });
  fit({ model, optimizer: new Adam(model.parameters(), { lr: 2e-3 }), loss: CrossEntropyLoss(), train: loader, epochs: 1, maxSteps: steps });
  return model;
}

test(`LeNet-5 learns real MNIST: 300 steps on 19,200 images give > 95% on 2,000 test images (backend ${getBackend()})`, () => {
  const model = train(300, 0);
  const test = loadMNIST({ split: 'test', limit: 2000 });
  const r = evaluate(model, new DataLoader(test.dataset(), { batchSize: 500, transform: normalize() }), CrossEntropyLoss(), { numClasses: 10 });
  assert.equal(r.count, 2000);
  assert.ok(r.accuracy > 0.95, `test accuracy ${(100 * r.accuracy).toFixed(2)}%`);
});

test('two LeNet-5 runs with the same seed give identical weights; another seed does not', () => {
  const a = train(20, 3).stateDict();
  const b = train(20, 3).stateDict();
  const c = train(20, 4).stateDict();
  for (const k of Object.keys(a)) assert.deepEqual(b[k].data, a[k].data, k);
  assert.notDeepEqual(c['features.0.weight'].data, a['features.0.weight'].data);
});
