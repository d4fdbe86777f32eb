import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, Tensor, ShapeError, ArgumentError, rand } from '../../src/tensor/index.js';
import {
  randomCrop, randomTranslate, hflip, randomHorizontalFlip, randomRotation, randomErasing, colorJitter, compose,
  type BatchTransform,
} from '../../src/data/index.js';
import { assertClose } from '../helpers.js';

const batch = (): Tensor => rand([4, 3, 6, 5], { rng: new RNG(42) });
const all: Record<string, BatchTransform> = {
  crop: randomCrop({ size: [6, 5], padding: 2 }),
  translate: randomTranslate({ maxShift: 2 }),
  flip: randomHorizontalFlip(),
  rotate: randomRotation({ degrees: 15 }),
  erase: randomErasing({ p: 1 }),
  jitter: colorJitter({ brightness: 0.3, contrast: 0.3 }),
};

test('augment: same seed gives the same batch, another seed another, shapes preserved', () => {
  const x = batch();
  for (const [name, t] of Object.entries(all)) {
    const a = t(x, new RNG(1));
    const b = t(x, new RNG(1));
    const c = t(x, new RNG(2));
    assert.deepEqual(a.data, b.data, name);
    assert.notDeepEqual(a.data, c.data, name);
    assert.notDeepEqual(a.data, x.data, name);
    assert.deepEqual(a.shape, x.shape, name);
    assert.equal(a.dtype, 'float32', name);
  }
  assert.throws(() => all.flip(new Tensor(new Float32Array(4), [2, 2]), new RNG(0)), ShapeError);
});

test('augment: hand-checked cases', () => {
  const img = new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [1, 1, 2, 3]);
  assert.deepEqual([...hflip(img).data], [3, 2, 1, 6, 5, 4]);
  assert.deepEqual(hflip(hflip(batch())).data, batch().data);
  // Flipping twice with the same decisions (same seed) is the identity.
  const f = randomHorizontalFlip();
  assert.deepEqual(f(f(batch(), new RNG(9)), new RNG(9)).data, batch().data);
  assert.deepEqual(randomHorizontalFlip({ p: 1 })(img, new RNG(0)).data, hflip(img).data);
  // Crop with padding 0 at full size can only take offset 0.
  assert.deepEqual(randomCrop({ size: [6, 5] })(batch(), new RNG(3)).data, batch().data);
  assert.throws(() => randomCrop({ size: 9, padding: 1 })(batch(), new RNG(3)), ArgumentError);
  // Every crop of a padded image is a shifted copy: each value is 0 or the source pixel at a fixed offset.
  const crop = randomCrop({ size: 3, padding: 1 })(new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), [1, 1, 3, 3]), new RNG(5));
  const offsets = [[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 0], [0, 1], [1, -1], [1, 0], [1, 1]].map(([dy, dx]) =>
    Array.from({ length: 9 }, (_, k) => {
      const i = Math.floor(k / 3) + dy;
      const j = (k % 3) + dx;
      return i >= 0 && i < 3 && j >= 0 && j < 3 ? i * 3 + j + 1 : 0;
    }),
  );
  assert.ok(offsets.some((o) => o.every((v, k) => v === crop.data[k])), `crop ${[...crop.data]}`);
  assert.deepEqual(randomTranslate({ maxShift: 0 })(batch(), new RNG(3)).data, batch().data);
  assertClose(randomRotation({ degrees: 0 })(batch(), new RNG(3)), batch(), { atol: 0, rtol: 0 });
  // A generator whose draws are all 1 rotates by exactly +degrees: 90 is a counter-clockwise quarter turn.
  const one = { random: () => 1 } as unknown as RNG;
  const sq = new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), [1, 1, 3, 3]);
  assertClose(randomRotation({ degrees: 90 })(sq, one), [3, 6, 9, 2, 5, 8, 1, 4, 7], { atol: 1e-6 });
  // Any angle keeps the centre of a constant image at 1 (convex weights) and never exceeds it.
  const flat = new Tensor(new Float32Array(49).fill(1), [1, 1, 7, 7]);
  const rot = randomRotation({ degrees: 30 })(flat, new RNG(11));
  assertClose([rot.data[24], rot.data[17], rot.data[23]], [1, 1, 1], { atol: 1e-6 });
  assert.ok(rot.data[0] < 1 && [...rot.data].every((v) => v <= 1 + 1e-6));
  assert.deepEqual(colorJitter({})(batch(), new RNG(0)).data, batch().data.map((v) => Math.min(1, Math.max(0, v))));
  const erased = randomErasing({ p: 1, value: -1 })(batch(), new RNG(4));
  const count = [...erased.data].filter((v) => v === -1).length;
  assert.ok(count > 0 && count % 3 === 0, `erased ${count} values, a rectangle on every channel`);
  assert.deepEqual(randomErasing({ p: 0 })(batch(), new RNG(4)).data, batch().data);
  const jit = colorJitter({ brightness: 0.5, contrast: 0.5 })(batch(), new RNG(4));
  assert.ok([...jit.data].every((v) => v >= 0 && v <= 1));
  const both = compose(randomHorizontalFlip({ p: 1 }), randomHorizontalFlip({ p: 1 }));
  assert.deepEqual(both(batch(), new RNG(0)).data, batch().data);
});
