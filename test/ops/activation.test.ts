import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ArgumentError, RNG, Tensor, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { elu, gelu, leakyRelu, logSoftmax, relu, relu6, sigmoid, softmax, softplus, tanh } from '../../src/ops/activation.js';
import { sum } from '../../src/ops/reduce.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function assertGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, { tol: 1e-6 });
  assert.ok(r.ok, `gradcheck failed: ${JSON.stringify(r)}`);
}

/** float64 values uniform in [lo, hi) that stay at least `margin` from every kink. */
function sample(shape: number[], seed: number, lo = -3, hi = 3, kinks: number[] = [], margin = 0.05): Tensor {
  const rng = new RNG(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = lo + (hi - lo) * rng.random();
    while (kinks.some((k) => Math.abs(v - k) < margin));
    d[i] = v;
  }
  return new Tensor(d, shape, true);
}

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });

test('relu: forward by hand, zero slope at the kink, gradcheck', () => {
  assertClose(relu(f64([-2, -0.5, 0, 0.5, 3])), [0, 0, 0, 0.5, 3]);
  const z = tensor([0, 1], { dtype: 'float64', requiresGrad: true });
  sum(relu(z)).backward();
  assert.deepEqual(z.grad?.toFlatArray(), [0, 1]);
  assertGrad(relu, [sample([3, 4], 1, -3, 3, [0])]);
});

test('relu6: caps at 6, gradient only inside (0, 6)', () => {
  assertClose(relu6(f64([-1, 0, 3, 6, 7.5])), [0, 0, 3, 6, 6]);
  const x = tensor([-1, 3, 7], { dtype: 'float64', requiresGrad: true });
  sum(relu6(x)).backward();
  assert.deepEqual(x.grad?.toFlatArray(), [0, 1, 0]);
  assertGrad(relu6, [sample([12], 2, -3, 9, [0, 6])]);
});

test('leakyRelu: default slope 0.01 and a custom slope', () => {
  assertClose(leakyRelu(f64([-2, 3])), [-0.02, 3]);
  assertClose(leakyRelu(f64([-2, 3]), 0.2), [-0.4, 3]);
  assertGrad((x) => leakyRelu(x, 0.3), [sample([10], 3, -3, 3, [0])]);
});

test('elu: alpha·(e^x − 1) below zero', () => {
  assertClose(elu(f64([-1, 0, 2])), [Math.exp(-1) - 1, 0, 2], { atol: 1e-12 });
  assertClose(elu(f64([-1]), 2), [2 * (Math.exp(-1) - 1)], { atol: 1e-12 });
  assertGrad((x) => elu(x, 1.5), [sample([10], 4, -3, 3, [0])]);
});

test('sigmoid and tanh: known points, saturation stays finite, gradcheck', () => {
  assertClose(sigmoid(f64([0, Math.log(3), -1000, 1000])), [0.5, 0.75, 0, 1], { atol: 1e-12 });
  assertClose(tanh(f64([0, Math.atanh(0.5), -20])), [0, 0.5, -1], { atol: 1e-12 });
  assertGrad(sigmoid, [sample([3, 3], 5, -6, 6)]);
  assertGrad(tanh, [sample([3, 3], 6)]);
});

test('softplus: log(1 + e^x), linear for large x', () => {
  assertClose(softplus(f64([0, Math.log(Math.E - 1), 100, -50])), [Math.LN2, 1, 100, Math.log1p(Math.exp(-50))], { atol: 1e-12, rtol: 1e-12 });
  assertGrad(softplus, [sample([10], 7, -5, 5)]);
});

test('gelu: the tanh approximation, as torch gelu(approximate="tanh")', () => {
  const c = Math.sqrt(2 / Math.PI);
  const ref = (x: number) => 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3)));
  const xs = [-3, -1, 0, 0.5, 1, 2.5];
  assertClose(gelu(f64(xs)), xs.map(ref), { atol: 1e-12 });
  // torch.nn.functional.gelu(torch.tensor(1.), approximate='tanh') = 0.8411920070648193 (float32)
  assertClose(gelu(tensor([1])), [0.841192], { atol: 1e-6 });
  assertGrad(gelu, [sample([8], 8)]);
});

test('softmax: closed form, rows sum to 1, axis choice, large logits', () => {
  assertClose(softmax(f64([0, Math.log(2), Math.log(3)])), [1 / 6, 2 / 6, 3 / 6], { atol: 1e-12 });
  const x = f64([[1, 2], [3, 5]]);
  const e = Math.exp;
  assertClose(softmax(x, 0), [e(1) / (e(1) + e(3)), e(2) / (e(2) + e(5)), e(3) / (e(1) + e(3)), e(5) / (e(2) + e(5))], { atol: 1e-12 });
  assertClose(softmax(f64([1000, 1000, -1000])), [0.5, 0.5, 0], { atol: 1e-12 });
  const r = softmax(sample([2, 3, 4], 9), 1);
  for (let n = 0; n < 2; n++) for (let k = 0; k < 4; k++) {
    let s = 0;
    for (let c = 0; c < 3; c++) s += r.data[n * 12 + c * 4 + k];
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
  assertGrad((t) => softmax(t, 1), [sample([2, 3, 4], 10)]);
  assertGrad((t) => softmax(t, -1), [sample([3, 5], 11)]);
});

test('logSoftmax: finite for logits of ±1000, closed form, gradcheck', () => {
  assertClose(logSoftmax(f64([1000, -1000])), [0, -2000], { atol: 1e-12 });
  assertClose(logSoftmax(tensor([1000, -1000])), [0, -2000]);
  assertClose(logSoftmax(f64([0, Math.log(2), Math.log(3)])), [Math.log(1 / 6), Math.log(1 / 3), Math.log(1 / 2)], { atol: 1e-12 });
  assertGrad((t) => logSoftmax(t, 1), [sample([2, 4, 3], 12)]);
  assertGrad((t) => logSoftmax(t, 0), [sample([4, 2], 13)]);
});

test('activations keep the dtype and refuse int32 and non-tensors', () => {
  assert.equal(relu(tensor([1, -1])).dtype, 'float32');
  assert.equal(softmax(f64([1, 2])).dtype, 'float64');
  assertThrowsWith(() => relu(tensor([1], { dtype: 'int32' })), DTypeError, 'relu', 'int32');
  assertThrowsWith(() => sigmoid([1, 2] as unknown as Tensor), ArgumentError, 'sigmoid', 'must be a Tensor');
  assertThrowsWith(() => softmax(f64([1, 2]), 1), ArgumentError, 'softmax', 'axis 1');
  assertThrowsWith(() => leakyRelu(f64([1]), NaN), ArgumentError, 'leakyRelu', 'negativeSlope');
});
