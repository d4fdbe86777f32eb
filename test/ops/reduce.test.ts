import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, RNG, Tensor, randn, tensor, zeros } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { argmax, argmin, max, maxWithIndices, mean, min, sum, variance } from '../../src/ops/reduce.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function assertGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, { tol: 1e-6 });
  assert.ok(r.ok, `gradcheck failed: ${JSON.stringify(r)}`);
}

const f64 = (v: number[] | number[][], requiresGrad = false) => tensor(v, { dtype: 'float64', requiresGrad });
// [2, 3]: rows sum to 6 and 15, columns to 5, 7, 9.
const X = () => f64([[1, 2, 3], [4, 5, 6]]);
const rnd = (shape: number[], seed: number) => randn(shape, { dtype: 'float64', rng: new RNG(seed), requiresGrad: true });

test('sum over all, one axis, a negative axis, several axes, with keepdims', () => {
  assert.equal(sum(X()).item(), 21);
  assert.deepEqual(sum(X()).shape, []);
  assertClose(sum(X(), { axis: 0 }), [5, 7, 9], { atol: 0 });
  assertClose(sum(X(), { axis: -1 }), [6, 15], { atol: 0 });
  const k = sum(X(), { axis: 1, keepdims: true });
  assert.deepEqual(k.shape, [2, 1]);
  assertClose(k, [6, 15], { atol: 0 });
  const y = sum(tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), { axis: [0, 2] });
  assertClose(y, [1 + 2 + 5 + 6, 3 + 4 + 7 + 8], { atol: 0 });
  assert.deepEqual(sum(tensor([[[1]]]), { axis: [0, -1], keepdims: true }).shape, [1, 1, 1]);
  assert.equal(sum(tensor([1, 2], { dtype: 'int32' })).dtype, 'int32');
  assertGrad((t) => sum(t, { axis: [0, 2] }), [rnd([2, 3, 4], 1)]);
  assertGrad((t) => sum(t, { axis: -2, keepdims: true }), [rnd([2, 3, 4], 2)]);
});

test('mean and variance by hand (unbiased by default, correction 0 for the population)', () => {
  assert.equal(mean(X()).item(), 3.5);
  assertClose(mean(X(), { axis: 0 }), [2.5, 3.5, 4.5], { atol: 0 });
  // row 1, 2, 3: squared deviations 1, 0, 1
  assertClose(variance(X(), { axis: 1 }), [1, 1], { atol: 1e-12 });
  assertClose(variance(X(), { axis: 1, correction: 0 }), [2 / 3, 2 / 3], { atol: 1e-12 });
  assertClose(variance(X()), [17.5 / 5], { atol: 1e-12 });
  assertGrad((t) => mean(t, { axis: 1 }), [rnd([3, 4], 3)]);
  assertGrad((t) => variance(t, { axis: [0, 2], keepdims: true }), [rnd([3, 2, 4], 4)]);
  assertThrowsWith(() => mean(tensor([1, 2], { dtype: 'int32' })), DTypeError, 'mean', 'int32');
});

test('max and min: values, keepdims, gradient shared evenly among tied maxima', () => {
  assert.equal(max(X()).item(), 6);
  assertClose(max(X(), { axis: 0 }), [4, 5, 6], { atol: 0 });
  assertClose(min(X(), { axis: 1, keepdims: true }), [1, 4], { atol: 0 });
  const t = f64([[3, 1, 3], [0, 2, 1]], true);
  sum(max(t, { axis: 1 })).backward();
  assert.deepEqual(t.grad?.toFlatArray(), [0.5, 0, 0.5, 0, 1, 0]);
  const u = f64([2, 2, 5], true);
  min(u).backward();
  assert.deepEqual(u.grad?.toFlatArray(), [0.5, 0.5, 0]);
  // random normals have no ties, so the function is smooth where it is checked
  assertGrad((a) => max(a, { axis: -1 }), [rnd([3, 5], 5)]);
  assertGrad((a) => min(a, { axis: [0, 1] }), [rnd([3, 2, 2], 6)]);
  assertThrowsWith(() => max(zeros([2, 0]), { axis: 1 }), ArgumentError, 'max', 'empty axis');
});

test('argmax and argmin: first index on ties, flattened without an axis, keepdims', () => {
  const t = tensor([[1, 7, 7], [9, 0, 0]]);
  assert.deepEqual(argmax(t, 1).toFlatArray(), [1, 0]);
  assert.deepEqual(argmin(t, 1).toFlatArray(), [0, 1]);
  assert.deepEqual(argmax(t, -2).toFlatArray(), [1, 0, 0]);
  assert.equal(argmax(t).item(), 3);
  assert.deepEqual(argmax(t, 1, true).shape, [2, 1]);
  assert.equal(argmax(t).dtype, 'int32');
  const { values, indices } = maxWithIndices(t, 1);
  assert.deepEqual(values.toFlatArray(), [7, 9]);
  assert.deepEqual(indices.toFlatArray(), [1, 0]);
});

test('bad axes: ArgumentError naming the op, the axis and the rank', () => {
  assertThrowsWith(() => sum(X(), { axis: 2 }), ArgumentError, 'sum:', 'axis 2', 'rank 2');
  assertThrowsWith(() => mean(X(), { axis: -3 }), ArgumentError, 'mean:', 'axis -3', 'rank 2');
  assertThrowsWith(() => max(X(), { axis: [0, -2] }), ArgumentError, 'max:', 'repeat');
  assertThrowsWith(() => argmax(X(), 1.5), ArgumentError, 'argmax:', 'axis 1.5');
  assertThrowsWith(() => sum(X(), { axis: 'rows' as unknown as number }), ArgumentError, 'sum', '"rows"');
});
