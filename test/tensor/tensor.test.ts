import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError, DTypeError, ReceptiveError, ShapeError, Tensor, arange, full, oneHot, ones, rand, randint, randn, RNG, tensor, zeros, zerosLike,
} from '../../src/tensor/index.js';
import { assertThrowsWith } from '../helpers.js';

test('tensor() from numbers, nested arrays and typed arrays', () => {
  const s = tensor(3.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 3.5);
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.equal(t.rank, 2);
  assert.equal(t.size, 6);
  assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(tensor([true, false] as unknown as number[]).toFlatArray(), [1, 0]);
  const i = tensor([1.9, -1.9], { dtype: 'int32' });
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(i.toFlatArray(), [1, -1]);
  const fromTyped = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
  assert.equal(fromTyped.dtype, 'float64');
  assert.deepEqual(fromTyped.toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
  // the typed array is copied, not shared
  const src = new Float32Array([1, 2]);
  tensor(src).data[0] = 9;
  assert.equal(src[0], 1);
  assert.deepEqual(tensor([]).shape, [0]);
});

test('ragged arrays, wrong element counts and bad dtypes are refused with ReceptiveErrors', () => {
  assertThrowsWith(() => tensor([[1, 2], [3]]), ShapeError, 'tensor', 'ragged');
  assertThrowsWith(() => tensor([[1, 2], 3] as unknown as number[][]), ShapeError, 'tensor', 'ragged');
  assertThrowsWith(() => tensor([1, 'a'] as unknown as number[]), ArgumentError, 'tensor', 'expected a number', 'string');
  assertThrowsWith(() => tensor([1, 2, 3], { shape: [2, 2] }), ShapeError, 'tensor', '4 values for shape [2, 2]', 'got [3]');
  assertThrowsWith(() => tensor([1], { dtype: 'float16' as 'float32' }), DTypeError, 'tensor', 'float16');
  assertThrowsWith(() => new Tensor(new Float32Array(3), [2, 2]), ShapeError, 'Tensor', '4 elements for shape [2, 2]', '3 elements');
  assertThrowsWith(() => zeros([2, -1]), ArgumentError, 'zeros', 'non-negative integers');
  assertThrowsWith(() => tensor([1, 2]).item(), ShapeError, 'item', 'exactly one element', '[2]');
});

test('creation helpers: zeros, ones, full, zerosLike, arange, oneHot', () => {
  assert.deepEqual(zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
  assert.deepEqual(ones([3], { dtype: 'int32' }).toFlatArray(), [1, 1, 1]);
  assert.deepEqual(full([2], 7, { dtype: 'float64' }).toFlatArray(), [7, 7]);
  const z = zerosLike(tensor([[1, 2]], { dtype: 'float64' }));
  assert.deepEqual([z.shape, z.dtype], [[1, 2], 'float64']);
  assert.deepEqual(arange(4).toFlatArray(), [0, 1, 2, 3]);
  assert.deepEqual(arange(1, 2, 0.25).toFlatArray(), [1, 1.25, 1.5, 1.75]);
  assert.deepEqual(arange(3, 0, -1).toFlatArray(), [3, 2, 1]);
  assertThrowsWith(() => arange(0, 1, 0), ArgumentError, 'arange', 'step');
  const h = oneHot(tensor([2, 0], { dtype: 'int32' }), 3);
  assert.deepEqual(h.toArray(), [[0, 0, 1], [1, 0, 0]]);
  assertThrowsWith(() => oneHot(tensor([3], { dtype: 'int32' }), 3), ArgumentError, 'oneHot', 'class index 3', '[0, 3)');
  assertThrowsWith(() => oneHot(tensor([1]), 3), DTypeError, 'oneHot', 'int32', 'float32');
});

test('random helpers draw from the seeded generator: same seed, same tensor', () => {
  const a = randn([5], { rng: new RNG(3), dtype: 'float64' });
  const b = randn([5], { rng: new RNG(3), dtype: 'float64' });
  assert.deepEqual(a.toFlatArray(), b.toFlatArray());
  const u = rand([1000], { rng: new RNG(4), low: -2, high: 2 });
  assert.ok(u.toFlatArray().every((v) => v >= -2 && v < 2));
  const k = randint(3, 6, [1000], { rng: new RNG(5) });
  assert.equal(k.dtype, 'int32');
  assert.deepEqual([...new Set(k.toFlatArray())].sort(), [3, 4, 5]);
  assertThrowsWith(() => randint(2, 2, [1]), ArgumentError, 'randint', 'low=2, high=2');
});

test('printing shows shape, dtype and a preview with the middle elided', () => {
  const s = String(tensor([[1, 2.5], [3, 4]]));
  assert.match(s, /^Tensor\(shape=\[2, 2\], dtype=float32\)/);
  assert.ok(s.includes('[[1, 2.5000],\n [3, 4]]'), s);
  const big = String(arange(100));
  assert.ok(big.includes('[0, 1, 2, ..., 97, 98, 99]'), big);
  assert.ok(String(tensor([1], { requiresGrad: true })).includes('requiresGrad'));
  assert.ok(String(tensor([1e-6])).includes('1.0000e-6'));
});

test('every error class is a ReceptiveError with its own name', () => {
  for (const e of [new ShapeError('op', 'x', [1]), new ArgumentError('op', 'm'), new DTypeError('op', 'a', 'b')]) {
    assert.ok(e instanceof ReceptiveError);
    assert.equal(e.name, e.constructor.name);
  }
});

test('a view shares its data and its version counter with the tensor it views; independent tensors do not', () => {
  const t = new Tensor(new Float32Array(6), [2, 3]);
  const v = t.viewAs([3, 2]);
  assert.equal(v.data, t.data);
  assert.deepEqual(v.shape, [3, 2]);
  assert.equal(v.requiresGrad, false);
  v.markModified();
  assert.equal(t.version, 1, 'a change marked through the view is seen by the tensor');
  t.markModified();
  assert.equal(v.version, 2);
  const other = new Tensor(t.data, [6]);
  assert.equal(other.version, 0, 'a tensor built over the same array has its own counter');
});
