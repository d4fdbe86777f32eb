import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, Tensor, manualSeed } from '../../src/tensor/index.js';
import { backward, noGrad } from '../../src/autograd/index.js';
import { enableWasmBackend } from '../../src/backend/wasm/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { Adam } from '../../src/optim/index.js';
import { CrossEntropyLoss } from '../../src/losses/index.js';
import { DataLoader, loadMNIST, normalize } from '../../src/data/index.js';
import { fit } from '../../src/train/index.js';
import type { AnyModule } from '../../src/nn/module.js';
import { topPatches, topPatchesFigure } from '../../src/viz/patches.js';
import { deconvnet } from '../../src/viz/deconv.js';

await enableWasmBackend();

// A LeNet-5 after 80 steps: its C3 features respond to strokes, not to noise.
manualSeed(0);
const model = new LeNet5({ rng: new RNG(0) });
const norm = normalize();
fit({
  model, optimizer: new Adam(model.parameters(), { lr: 2e-3 }), loss: CrossEntropyLoss(), epochs: 1, maxSteps: 80,
  train: new DataLoader(loadMNIST({ split: 'train', limit: 5120 }).dataset(), { batchSize: 64, shuffle: true, seed: 0, transform: norm }),
});
model.eval();
const N = 300;
const test_ = loadMNIST({ split: 'test', limit: N });
const images = new Tensor(test_.images.data.slice(0, N * 784), [N, 1, 28, 28]);
const transform = (x: Tensor) => norm(x, new RNG(0));
const one = (i: number) => new Tensor(images.data.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]);
/** C1 → ReLU → pool → C3 → ReLU by calling the layers one after the other, no hooks. */
const c3 = (x: Tensor) => (model.features.children() as AnyModule[]).slice(0, 5).reduce((t, m) => m.call(t) as Tensor, x);

test('top-9 patches: the 9 images whose C3 channel peaks highest, equal to a brute-force scan image by image', () => {
  for (const channel of [3, 11]) {
    const r = topPatches(model, images, { layer: 'features.4', channel, k: 9, batchSize: 64, transform });
    const all = Array.from({ length: N }, (_, i) => {
      const a = noGrad(() => c3(transform(one(i))));
      let at = 0;
      for (let p = 1; p < 100; p++) if (a.data[channel * 100 + p] > a.data[channel * 100 + at]) at = p;
      return { index: i, at, value: a.data[channel * 100 + at] };
    }).sort((p, q) => q.value - p.value);
    assert.deepEqual(r.patches.map((p) => p.index), all.slice(0, 9).map((b) => b.index), `channel ${channel}`);
    r.patches.forEach((p, j) => {
      assert.equal(p.y * 10 + p.x, all[j].at);
      assert.ok(Math.abs(p.activation - all[j].value) < 1e-5, `${p.activation} vs ${all[j].value}`);
    });
    assert.ok(r.patches[0].activation > all[N - 1].value, 'the best and the worst image differ');
  }
});

test('each patch is the receptive field of its activation: 14×14 starting at 2·(y, x) − 2, where its gradient lives', () => {
  const r = topPatches(model, images, { layer: 'features.4', channel: 7, transform, fill: -1 });
  assert.deepEqual(r.extent, { rf: [14, 14], jump: [2, 2], global: [false, false], start: [-2, -2] });
  for (const p of r.patches) {
    assert.deepEqual(p.window, { top: 2 * p.y - 2, left: 2 * p.x - 2, height: 14, width: 14 });
    // The patch is the image's pixels in that window, -1 (the fill) where the window leaves the image.
    for (let i = 0; i < 14; i++) for (let j = 0; j < 14; j++) {
      const [row, col] = [p.window.top + i, p.window.left + j];
      const inside = row >= 0 && row < 28 && col >= 0 && col < 28;
      assert.equal(p.patch.data[i * 14 + j], inside ? images.data[p.index * 784 + row * 28 + col] : -1);
    }
    // Autograd: the activation's gradient with respect to the input is zero outside the window, and not zero everywhere.
    const x = new Tensor(transform(one(p.index)).data.slice(), [1, 1, 28, 28], true);
    const a = c3(x);
    const seed = new Float32Array(a.size);
    seed[7 * 100 + p.y * 10 + p.x] = 1;
    backward(a, new Tensor(seed, a.shape));
    let inside = 0;
    for (let row = 0; row < 28; row++) for (let col = 0; col < 28; col++) {
      const g = x.grad!.data[row * 28 + col];
      const within = row >= p.window.top && row < p.window.top + 14 && col >= p.window.left && col < p.window.left + 14;
      if (!within) assert.equal(g, 0, `gradient outside the window at (${row}, ${col})`);
      else if (g !== 0) inside++;
    }
    assert.ok(inside > 0);
  }
});

test('the figure puts each patch beside its deconvnet projection, which starts from the same activation', () => {
  const r = topPatchesFigure(model, new Tensor(images.data.slice(0, 100 * 784), [100, 1, 28, 28]), { layer: 'features.4', channel: 3, transform });
  assert.equal(r.figure.shape[0], 3);
  assert.equal(r.patches.length, 9);
  const p = r.patches[0];
  const d = deconvnet(model, transform(one(p.index)), { layer: 'features.4', channel: 3 });
  assert.equal(d.position, p.y * 10 + p.x);
  assert.ok(Math.abs(d.activation - p.activation) < 1e-5);
});

test('topPatches refuses a channel out of range, a layer without spatial maps, and an unknown layer', () => {
  const few = new Tensor(images.data.slice(0, 4 * 784), [4, 1, 28, 28]);
  assert.throws(() => topPatches(model, few, { layer: 'features.4', channel: 16 }), (e: Error) => e instanceof ArgumentError && /channel 16 is outside \[0, 16\)/.test(e.message));
  assert.throws(() => topPatches(model, few, { layer: 'classifier', channel: 0 }), /outputs \[1, 10\], not feature maps/);
  assert.throws(() => topPatches(model, few, { layer: 'features.9', channel: 0 }), /no module at path "features.9"; valid paths/);
  assert.throws(() => topPatches(model, few, { layer: 'features.4', channel: 0, k: 0 }), /k must be a positive integer/);
});
