import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, Tensor, manualSeed, tensor } from '../../src/tensor/index.js';
import { enableWasmBackend } from '../../src/backend/wasm/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { Adam } from '../../src/optim/index.js';
import { CrossEntropyLoss } from '../../src/losses/index.js';
import { DataLoader, compose, loadMNIST, normalize, randomRotation, rotate } from '../../src/data/index.js';
import { fit } from '../../src/train/index.js';
import * as filters from '../../src/viz/filters.js';
import { underRotation } from '../../src/viz/invariance.js';
import { Flatten, Linear, Sequential } from '../../src/nn/index.js';

await enableWasmBackend();

test('rotate: 90° is the exact quarter turn counter-clockwise (numpy rot90), 180° flips both axes, 0° is the identity', () => {
  const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]]]);
  const sq = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
  const close = (a: Tensor, b: number[][]) => a.data.forEach((v, i) => assert.ok(Math.abs(v - b.flat()[i]) < 1e-6, `${i}: ${v}`));
  close(rotate(sq, 90), [[3, 6, 9], [2, 5, 8], [1, 4, 7]]);
  close(rotate(x, 180), [[12, 11, 10], [9, 8, 7], [6, 5, 4], [3, 2, 1]]);
  close(rotate(x, 0), [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]);
  assert.throws(() => rotate(sq, NaN), /degrees must be a finite number/);
});

/** Turn the outer ring of a 3×3 mask by one place (45°), counter-clockwise: what rotating the mask by 45° does. */
function turn45(k: Tensor): number[] {
  const ring = [0, 1, 2, 5, 8, 7, 6, 3]; // clockwise from the top-left corner
  const out = [...k.data];
  ring.forEach((at, i) => (out[at] = k.data[ring[(i + 1) % 8]]));
  return out;
}

test('the compass masks are one mask turned 45° at a time (Robinson and Kirsch); Sobel Y is Sobel X turned 90°', () => {
  // Counter-clockwise from north: N, NW, W, SW, S, SE, E, NE.
  const order = ['N', 'NW', 'W', 'SW', 'S', 'SE', 'E', 'NE'] as const;
  for (const family of [filters.KIRSCH, filters.ROBINSON]) {
    for (let i = 0; i < 8; i++) {
      const next = order[(i + 1) % 8];
      assert.deepEqual(turn45(family[order[i]]), [...family[next].data], `${order[i]} turned 45° is ${next}`);
    }
  }
  // Two turns (90°) of Sobel X, the vertical-edge mask, give the horizontal-edge mask with the sign flipped.
  const twice = turn45(new Tensor(Float32Array.from(turn45(filters.KERNELS.sobelX)), [3, 3]));
  assert.deepEqual(twice, [...filters.KERNELS.sobelY.data].map((v) => 0 - v));
});

test('underRotation by hand: a "model" that names the brightest quadrant follows a blob as it turns', () => {
  // Linear(64 → 4) whose row q sums quadrant q (top-left, top-right, bottom-left, bottom-right) of an 8×8 image.
  const fc = new Linear({ inFeatures: 64, outFeatures: 4 });
  fc.weight.data.fill(0);
  fc.bias!.data.fill(0);
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) fc.weight.data[(2 * Math.floor(i / 4) + Math.floor(j / 4)) * 64 + i * 8 + j] = 1;
  const model = new Sequential(new Flatten(), fc);
  const img = new Tensor(new Float32Array(128), [2, 1, 8, 8]);
  img.data[1 * 8 + 1] = 1; // image 0: a dot in the top-left quadrant
  img.data[64 + 6 * 8 + 2] = 1; // image 1: a dot in the bottom-left quadrant
  // A quarter turn counter-clockwise takes top-left to bottom-left and bottom-left to bottom-right; half a turn to the opposite corners.
  const r = underRotation(model, img, [0, 2], [0, 90, 180]);
  assert.deepEqual(r, [{ degrees: 0, accuracy: 1, changed: 0 }, { degrees: 90, accuracy: 0, changed: 1 }, { degrees: 180, accuracy: 0, changed: 1 }]);
  assert.deepEqual(underRotation(model, img, [2, 3], [90]), [{ degrees: 90, accuracy: 1, changed: 1 }]);
  assert.throws(() => underRotation(model, img, [0], [0]), /2 images but 1 labels/);
});

function train(augment: boolean): LeNet5 {
  manualSeed(1);
  const model = new LeNet5({ rng: new RNG(1) });
  const norm = normalize();
  const transform = augment ? compose(randomRotation({ degrees: 60 }), norm) : norm;
  const loader = new DataLoader(loadMNIST({ split: 'train', limit: 12_800 }).dataset(), { batchSize: 64, shuffle: true, seed: 1, transform });
  fit({ model, optimizer: new Adam(model.parameters(), { lr: 2e-3 }), loss: CrossEntropyLoss(), train: loader, epochs: 1, maxSteps: 200 });
  model.eval();
  return model;
}

test('a CNN is not rotation invariant: a trained LeNet-5 loses accuracy on rotated digits, and much less after rotation augmentation', (t) => {
  const test_ = loadMNIST({ split: 'test', limit: 1000 });
  const images = new Tensor(test_.images.data.slice(0, 1000 * 784), [1000, 1, 28, 28]);
  const angles = [0, 15, 30, 45, 60, -45, 90];
  const transform = (x: Tensor) => normalize()(x, new RNG(0));
  const plain = underRotation(train(false), images, test_.labels.data, angles, { transform });
  const aug = underRotation(train(true), images, test_.labels.data, angles, { transform });
  for (const [name, r] of [['plain', plain], ['rotation-augmented', aug]] as const) {
    t.diagnostic(`${name}: ${r.map((a) => `${a.degrees}°: ${(100 * a.accuracy).toFixed(1)}% (changed ${(100 * a.changed).toFixed(1)}%)`).join(', ')}`);
  }
  const at = (r: typeof plain, d: number) => r.find((a) => a.degrees === d)!;
  assert.ok(at(plain, 0).accuracy > 0.9, 'the plain model has learnt upright digits');
  assert.equal(at(plain, 0).changed, 0);
  // Not invariant: at 45° the plain model changes its mind on many digits and loses accuracy.
  assert.ok(at(plain, 45).changed > 0.25, `plain, 45°: ${at(plain, 45).changed}`);
  assert.ok(at(plain, 0).accuracy - at(plain, 45).accuracy > 0.2);
  // Augmentation reduces the loss at every angle it was trained for (±60°), and the augmented model still works upright.
  for (const d of [30, 45, 60, -45]) assert.ok(at(aug, d).accuracy > at(plain, d).accuracy + 0.1, `${d}°: ${at(aug, d).accuracy} vs ${at(plain, d).accuracy}`);
  assert.ok(at(aug, 0).accuracy > 0.9);
  // And beyond the angles it saw, invariance is not learnt: at 90° even the augmented model is far below upright.
  assert.ok(at(aug, 90).accuracy < at(aug, 0).accuracy - 0.2);
});
