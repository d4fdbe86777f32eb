import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, RNG, ShapeError, Tensor, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import {
  abs, add, clamp, cos, div, equal, exp, greater, greaterEqual, less, lessEqual, log, maximum, minimum, mul, neg, pow, sin, sqrt, square, sub, where,
} from '../../src/ops/elementwise.js';
import { sum } from '../../src/ops/reduce.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function assertGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, { tol: 1e-6 });
  assert.ok(r.ok, `gradcheck failed: ${JSON.stringify(r)}`);
}

/** float64 values uniform in [lo, hi), at least `margin` away from each kink. */
function sample(shape: number[], seed: number, lo = -2, hi = 2, kinks: number[] = [], margin = 0.05): Tensor {
  const rng = new RNG(seed);
  const d = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < d.length; i++) {
    let v: number;
    do v = lo + (hi - lo) * rng.random();
    while (kinks.some((k) => Math.abs(v - k) < margin));
    d[i] = v;
  }
  return new Tensor(d, shape, true);
}

const f64 = (v: number[] | number[][], requiresGrad = false) => tensor(v, { dtype: 'float64', requiresGrad });

test('add broadcasts [3, 1, 4] with [5, 1] to [3, 5, 4], value by value', () => {
  const a = sample([3, 1, 4], 1);
  const b = sample([5, 1], 2);
  const y = add(a, b);
  assert.deepEqual(y.shape, [3, 5, 4]);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) for (let k = 0; k < 4; k++) {
    assert.equal(y.data[i * 20 + j * 4 + k], a.data[i * 4 + k] + b.data[j]);
  }
  assertGrad(add, [a, b]);
  assertGrad(sub, [a, b]);
  assertGrad(mul, [a, b]);
});

test('div and pow by hand and gradcheck with broadcasting', () => {
  assertClose(div(f64([[1, 2], [3, 4]]), f64([2, 4])), [0.5, 0.5, 1.5, 1], { atol: 0 });
  assertClose(pow(f64([2, 3, 4]), f64([3, 2, 0.5])), [8, 9, 2], { atol: 1e-12 });
  assertGrad(div, [sample([2, 3], 3), sample([3], 4, 0.5, 2)]);
  // the exponent's gradient needs a positive base
  assertGrad(pow, [sample([2, 3], 5, 0.5, 2), sample([2, 1], 6)]);
});

test('numbers mix with tensors on either side and take the tensor dtype', () => {
  const x = f64([1, 2]);
  assertClose(add(x, 2), [3, 4], { atol: 0 });
  assertClose(sub(10, x), [9, 8], { atol: 0 });
  assertClose(div(1, x), [1, 0.5], { atol: 0 });
  assert.equal(mul(x, 3).dtype, 'float64');
  assert.equal(add(2, 3).item(), 5);
});

test('dtype promotion: int32 with int32 stays int32, with floats promotes, division gives float', () => {
  const i = tensor([1, 2], { dtype: 'int32' });
  assert.equal(add(i, i).dtype, 'int32');
  assert.equal(add(i, tensor([0.5, 0.5])).dtype, 'float32');
  assert.equal(add(tensor([0.5, 0.5]), f64([1, 1])).dtype, 'float64');
  const q = div(i, tensor([2, 2], { dtype: 'int32' }));
  assert.equal(q.dtype, 'float32');
  assertClose(q, [0.5, 1]);
});

test('unary ops by hand and gradcheck (abs away from 0, log and sqrt on positives)', () => {
  assertClose(exp(f64([0, 1])), [1, Math.E], { atol: 1e-12 });
  assertClose(log(f64([1, Math.E])), [0, 1], { atol: 1e-12 });
  assertClose(sqrt(f64([4, 2.25])), [2, 1.5], { atol: 0 });
  assertClose(abs(f64([-3, 2])), [3, 2], { atol: 0 });
  assertClose(square(f64([-3, 2])), [9, 4], { atol: 0 });
  assertClose(neg(f64([-3, 2])), [3, -2], { atol: 0 });
  assertClose(sin(f64([Math.PI / 2])), [1], { atol: 1e-12 });
  assertClose(cos(f64([Math.PI])), [-1], { atol: 1e-12 });
  for (const f of [exp, square, sin, cos, neg]) assertGrad(f, [sample([2, 3], 7)]);
  assertGrad(abs, [sample([2, 3], 8, -2, 2, [0])]);
  assertGrad(log, [sample([5], 9, 0.2, 3)]);
  assertGrad(sqrt, [sample([5], 10, 0.2, 3)]);
  assertThrowsWith(() => log(tensor([1], { dtype: 'int32' })), DTypeError, 'log', 'int32');
});

test('clamp: values, gradient only inside the range', () => {
  assertClose(clamp(f64([-2, 0.5, 3]), -1, 1), [-1, 0.5, 1], { atol: 0 });
  assertClose(clamp(f64([-2, 5]), 0), [0, 5], { atol: 0 });
  const x = f64([-2, 0.5, 3], true);
  sum(clamp(x, -1, 1)).backward();
  assert.deepEqual(x.grad?.toFlatArray(), [0, 1, 0]);
  assertGrad((t) => clamp(t, -1, 1), [sample([8], 11, -2, 2, [-1, 1])]);
  assertThrowsWith(() => clamp(x, NaN), ArgumentError, 'clamp', 'min');
});

test('clamp with min > max gives max everywhere (as NumPy, torch.clamp and ONNX Clip), with a zero gradient', () => {
  // The case: min(max(x, 2), 1) = 1 for every x.
  for (const dtype of ['float32', 'float64'] as const) {
    const x = tensor([-2, 0, 6, 1.5], { dtype, requiresGrad: true });
    const y = clamp(x, 2, 1);
    assert.deepEqual(y.toFlatArray(), [1, 1, 1, 1], dtype);
    sum(y).backward();
    assert.deepEqual(x.grad?.toFlatArray(), [0, 0, 0, 0], dtype);
  }
  // NaN passes through, as in torch.clamp.
  assert.ok(Number.isNaN(clamp(f64([NaN]), 2, 1).item()));
});

test('maximum and minimum: broadcasting, ties send the whole gradient to the first operand', () => {
  assertClose(maximum(f64([[1, 5], [3, 2]]), f64([2, 2])), [2, 5, 3, 2], { atol: 0 });
  assertClose(minimum(f64([1, 5]), f64([2, 2])), [1, 2], { atol: 0 });
  const a = f64([1, 2, 3], true);
  const b = f64([2, 2, 2], true);
  sum(maximum(a, b)).backward();
  assert.deepEqual(a.grad?.toFlatArray(), [0, 1, 1]);
  assert.deepEqual(b.grad?.toFlatArray(), [1, 0, 0]);
  const c = f64([1, 2, 3], true);
  const d = f64([2, 2, 2], true);
  sum(minimum(c, d)).backward();
  assert.deepEqual(c.grad?.toFlatArray(), [1, 1, 0]);
  assert.deepEqual(d.grad?.toFlatArray(), [0, 0, 1]);
  assertGrad(maximum, [sample([3, 4], 12), sample([4], 13)]);
  assertGrad(minimum, [sample([3, 4], 14), sample([3, 1], 15)]);
});

test('where chooses per element and routes the gradient to the chosen side', () => {
  const cond = tensor([1, 0, 1], { dtype: 'int32' });
  const a = f64([1, 2, 3], true);
  const b = f64([10], true);
  const y = where(cond, a, b);
  assertClose(y, [1, 10, 3], { atol: 0 });
  sum(y).backward();
  assert.deepEqual(a.grad?.toFlatArray(), [1, 0, 1]);
  assert.deepEqual(b.grad?.toFlatArray(), [1]);
  assertGrad((p, q) => where(cond, p, q), [sample([2, 3], 16), sample([3], 17)]);
});

test('comparisons give 1 and 0 with broadcasting', () => {
  const x = f64([1, 2, 3]);
  assert.deepEqual(greater(x, 2).toFlatArray(), [0, 0, 1]);
  assert.deepEqual(greaterEqual(x, 2).toFlatArray(), [0, 1, 1]);
  assert.deepEqual(less(x, 2).toFlatArray(), [1, 0, 0]);
  assert.deepEqual(lessEqual(x, 2).toFlatArray(), [1, 1, 0]);
  assert.deepEqual(equal(f64([[2], [3]]), x).toFlatArray(), [0, 1, 0, 0, 0, 1]);
});

test('non-broadcastable shapes: ShapeError naming the op, both shapes and the axis', () => {
  assertThrowsWith(() => add(f64([[1, 2, 3], [4, 5, 6]]), f64([1, 2])), ShapeError, 'add:', '[2, 3] and [2]', 'axis -1 has 3 vs 2');
  assertThrowsWith(() => mul(f64([1, 2, 3]), f64([[1, 2], [3, 4]])), ShapeError, 'mul:', '[3] and [2, 2]');
  assertThrowsWith(() => add(f64([1]), 'x' as unknown as Tensor), ArgumentError, 'add', 'b must be a Tensor', 'string');
});
