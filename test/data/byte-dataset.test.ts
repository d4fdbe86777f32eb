import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, tensor } from '../../src/tensor/index.js';
import { ByteImageDataset, TensorDataset, loadMNIST } from '../../src/data/index.js';
import { assertThrowsWith } from '../helpers.js';

test('ByteImageDataset gives the same batches as the float32 images, from 1 byte a pixel', () => {
  const d = loadMNIST({ split: 'test', limit: 300 });
  const idx = Int32Array.of(5, 0, 299, 17);
  const a = d.dataset().gather(idx);
  const b = new TensorDataset(d.images, d.labels).gather(idx);
  assert.deepEqual(a.x.shape, [4, 1, 28, 28]);
  assert.deepEqual(a.x.data, b.x.data);
  assert.deepEqual(a.y.data, b.y.data);
  assert.equal(d.dataset().get(0).y, 7);
  assert.equal(d.raw.byteLength, 300 * 784);
});

test('ByteImageDataset refuses bytes that do not match the labels', () => {
  assertThrowsWith(() => new ByteImageDataset(new Uint8Array(10), tensor([1, 2], { dtype: 'int32' }), [1, 2, 2]), ShapeError, '2 images of [1, 2, 2] (8 bytes)', '10 bytes');
});
