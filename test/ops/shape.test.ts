import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, RNG, ShapeError, Tensor, arange, randn, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { broadcastTo, cast, concat, flatten, permute, reshape, slice, split, squeeze, stack, transpose, unsqueeze } from '../../src/ops/shape.js';
import { mul, pad, sum } from '../../src/ops/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function assertGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, { tol: 1e-6 });
  assert.ok(r.ok, `gradcheck failed: ${JSON.stringify(r)}`);
}

const rnd = (shape: number[], seed: number) => randn(shape, { dtype: 'float64', rng: new RNG(seed), requiresGrad: true });
const r6 = () => arange(6, undefined, 1, { dtype: 'float64' });

test('reshape: inferred -1, same row-major order, gradient reshaped back', () => {
  const y = reshape(r6(), [2, -1]);
  assert.deepEqual(y.shape, [2, 3]);
  assert.deepEqual(y.toArray(), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(reshape(r6(), [-1]).shape, [6]);
  assertGrad((t) => mul(reshape(t, [3, 2]), tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'float64' })), [rnd([2, 3], 1)]);
});

test('bad reshape: ShapeError with the element counts and both shapes', () => {
  assertThrowsWith(() => reshape(r6(), [4, 2]), ShapeError, 'reshape:', 'expected 8 elements for shape [4, 2]', 'got [6]', '6 elements');
  assertThrowsWith(() => reshape(r6(), [4, -1]), ShapeError, 'reshape:', 'compatible with 6 elements', 'got [4, -1]');
  assertThrowsWith(() => reshape(r6(), [-1, -1]), ArgumentError, 'reshape:', 'at most one -1');
});

test('flatten, squeeze and unsqueeze', () => {
  const x = tensor(new Float32Array(24), { shape: [2, 3, 1, 4] });
  assert.deepEqual(flatten(x).shape, [2, 12]);
  assert.deepEqual(flatten(x, 0, 1).shape, [6, 1, 4]);
  assert.deepEqual(squeeze(x).shape, [2, 3, 4]);
  assert.deepEqual(squeeze(x, -2).shape, [2, 3, 4]);
  assert.deepEqual(squeeze(x, 0).shape, [2, 3, 1, 4]);
  assert.deepEqual(unsqueeze(x, 0).shape, [1, 2, 3, 1, 4]);
  assert.deepEqual(unsqueeze(x, -1).shape, [2, 3, 1, 4, 1]);
  assertThrowsWith(() => flatten(x, 3, 1), ArgumentError, 'flatten', 'startDim 3');
});

test('permute and transpose move the values and invert on the way back', () => {
  const x = tensor([[[1, 2], [3, 4], [5, 6]]]); // [1, 3, 2]
  const p = permute(x, [2, 0, 1]);
  assert.deepEqual(p.shape, [2, 1, 3]);
  assert.deepEqual(p.toArray(), [[[1, 3, 5]], [[2, 4, 6]]]);
  assert.deepEqual(transpose(tensor([[1, 2, 3], [4, 5, 6]])).toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(transpose(x, 0, 2).shape, [2, 3, 1]);
  const w = tensor(Float64Array.from({ length: 24 }, (_, i) => i - 11), { shape: [3, 4, 2] });
  assertGrad((t) => mul(permute(t, [1, 2, 0]), w), [rnd([2, 3, 4], 2)]);
  assertThrowsWith(() => permute(x, [0, 0, 1]), ArgumentError, 'permute', 'repeats');
  assertThrowsWith(() => permute(x, [0, 1]), ArgumentError, 'permute', 'must list 3 axes', '[1, 3, 2]');
});

test('broadcastTo copies along stretched axes and sums the gradient back', () => {
  const y = broadcastTo(tensor([[1], [2]]), [3, 2, 2]);
  assert.deepEqual(y.toArray(), [[[1, 1], [2, 2]], [[1, 1], [2, 2]], [[1, 1], [2, 2]]]);
  const x = tensor([[1], [2]], { dtype: 'float64', requiresGrad: true });
  sum(broadcastTo(x, [3, 2, 2])).backward();
  assert.deepEqual(x.grad?.toFlatArray(), [6, 6]);
  assertThrowsWith(() => broadcastTo(tensor([1, 2]), [3]), ShapeError, 'broadcastTo', '[2] and [3]');
  assertThrowsWith(() => broadcastTo(tensor([[1, 2]]), [2]), ShapeError, 'broadcastTo', 'broadcasts to [2]', 'got [1, 2]');
});

test('concat, stack and split', () => {
  const a = tensor([[1, 2]]);
  const b = tensor([[3, 4], [5, 6]]);
  assert.deepEqual(concat([a, b]).toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(concat([tensor([[1], [2]]), b], -1).toArray(), [[1, 3, 4], [2, 5, 6]]);
  assert.deepEqual(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(), [[1, 3], [2, 4]]);
  const parts = split(tensor([1, 2, 3, 4, 5]), [2, 3]);
  assert.deepEqual(parts.map((p) => p.toFlatArray()), [[1, 2], [3, 4, 5]]);
  assert.deepEqual(split(b, 2, 0).map((p) => p.shape), [[1, 2], [1, 2]]);
  assertGrad((p, q) => concat([p, q], 1), [rnd([2, 1, 3], 3), rnd([2, 2, 3], 4)]);
  assertGrad((p, q) => stack([p, q], -1), [rnd([2, 3], 5), rnd([2, 3], 6)]);
  assertThrowsWith(() => concat([a, tensor([[1, 2, 3]])]), ShapeError, 'concat', 'tensors[1] of shape [*, 2]', 'got [1, 3]');
  assertThrowsWith(() => concat([a, tensor([[1, 2]], { dtype: 'float64' })]), DTypeError, 'concat', 'float32', 'float64');
  assertThrowsWith(() => split(b, 3, 0), ShapeError, 'split', '3 equal parts');
});

test('slice: negative indices, steps, and the gradient scattered back', () => {
  const x = tensor([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
  assert.deepEqual(slice(x, [1, -3], [3, -1]).toArray(), [[5, 6], [9, 10]]);
  assert.deepEqual(slice(x, [0, 0], [null, null], [2, 3]).toArray(), [[0, 3], [8, 11]]);
  assert.deepEqual(slice(x, [5]).shape, [0, 4]);
  const t = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64', requiresGrad: true });
  sum(slice(t, [0, 1], [2, 3], [1, 2])).backward();
  assert.deepEqual(t.grad?.toFlatArray(), [0, 1, 0, 0, 1, 0]);
  assertGrad((p) => slice(p, [1, 0], [3, 4], [1, 2]), [rnd([3, 5], 7)]);
  assertGrad((p) => slice(p, [-2]), [rnd([3, 2], 8)]);
  assertThrowsWith(() => slice(x, [0], [1], [-1]), ArgumentError, 'slice', 'positive integer', '-1');
});

test('pad: constant value on the last axes, gradient cropped', () => {
  const y = pad(tensor([[1, 2]]), [[1, 0], [0, 2]], 9);
  assert.deepEqual(y.toArray(), [[9, 9, 9, 9], [1, 2, 9, 9]]);
  assert.deepEqual(pad(tensor([[[1]]]), [[1, 1]]).toArray(), [[[0, 1, 0]]]);
  assertGrad((p) => pad(p, [[2, 1], [0, 3]]), [rnd([2, 2, 3], 9)]);
  assertThrowsWith(() => pad(y, [[-1, 0]]), ArgumentError, 'pad', '[before, after]', '[-1, 0]');
});

test('cast: truncation toward zero into int32, gradient cast back for floats', () => {
  assert.deepEqual(cast(tensor([-1.7, 1.7, 2.5]), 'int32').toFlatArray(), [-1, 1, 2]);
  const x = tensor([1.5], { requiresGrad: true });
  const y = cast(x, 'float64');
  assert.equal(y.dtype, 'float64');
  y.backward();
  assert.equal(x.grad?.dtype, 'float32');
  assertClose(x.grad!, [1]);
  assertThrowsWith(() => cast(x, 'float16' as 'float32'), DTypeError, 'cast', 'float16');
});
