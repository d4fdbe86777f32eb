import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, RNG, ShapeError, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { linear, matmul } from '../../src/ops/matmul.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function assertGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, { tol: 1e-6 });
  assert.ok(r.ok, `gradcheck failed: ${JSON.stringify(r)}`);
}

const rnd = (shape: number[], rng: RNG) => randn(shape, { dtype: 'float64', rng, requiresGrad: true });

test('matmul 2-D by hand', () => {
  assert.deepEqual(matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]])).toArray(), [[19, 22], [43, 50]]);
  assert.deepEqual(matmul(tensor([[1, 2, 3]]), tensor([[1], [0], [-1]])).toArray(), [[-2]]);
});

test('matmul with 1-D operands: dot product, vector-matrix, matrix-vector', () => {
  const v = tensor([1, 2, 3]);
  const dot = matmul(v, tensor([4, 5, 6]));
  assert.deepEqual(dot.shape, []);
  assert.equal(dot.item(), 32);
  const m = tensor([[1, 0], [0, 1], [1, 1]]);
  assert.deepEqual(matmul(v, m).toArray(), [4, 5]);
  assert.deepEqual(matmul(tensor([[1, 1, 1], [1, 0, -1]]), v).toArray(), [6, -2]);
  const rng = new RNG(1);
  assertGrad(matmul, [rnd([3], rng), rnd([3], rng)]);
  assertGrad(matmul, [rnd([3], rng), rnd([2, 3, 4], rng)]);
  assertGrad(matmul, [rnd([2, 2, 3], rng), rnd([3], rng)]);
});

test('matmul broadcasts batch axes: [2, 1, 3, 4] @ [5, 4, 2] -> [2, 5, 3, 2], checked by loops', () => {
  const rng = new RNG(2);
  const a = rnd([2, 1, 3, 4], rng);
  const b = rnd([5, 4, 2], rng);
  const y = matmul(a, b);
  assert.deepEqual(y.shape, [2, 5, 3, 2]);
  for (let p = 0; p < 2; p++) for (let q = 0; q < 5; q++) for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += a.data[p * 12 + i * 4 + k] * b.data[q * 8 + k * 2 + j];
    assert.ok(Math.abs(y.data[((p * 5 + q) * 3 + i) * 2 + j] - s) < 1e-12);
  }
  assertGrad(matmul, [a, b]);
  assertGrad(matmul, [rnd([3, 4], rng), rnd([2, 4, 2], rng)]);
});

test('linear: x·Wᵀ + b by hand, leading axes kept, gradcheck with and without bias', () => {
  const x = tensor([[1, 2, 3], [0, 1, 0]]);
  const w = tensor([[1, 0, 0], [0, 1, 1]]);
  assert.deepEqual(linear(x, w, tensor([10, 20])).toArray(), [[11, 25], [10, 21]]);
  assert.deepEqual(linear(x, w).toArray(), [[1, 5], [0, 1]]);
  const rng = new RNG(3);
  assert.deepEqual(linear(randn([2, 4, 3], { rng }), randn([5, 3], { rng })).shape, [2, 4, 5]);
  assertGrad(linear, [rnd([2, 2, 3], rng), rnd([4, 3], rng), rnd([4], rng)]);
  assertGrad((p, q) => linear(p, q), [rnd([3], rng), rnd([2, 3], rng)]);
  assertClose(linear(x, w, tensor([1, 1])), matmul(x, tensor([[1, 0], [0, 1], [0, 1]])).data.map((v) => v + 1));
});

test('shape and dtype errors name matmul/linear and both shapes', () => {
  assertThrowsWith(() => matmul(tensor([[1, 2, 3]]), tensor([[1, 2]])), ShapeError, 'matmul:', "b with 3 rows to match a's 3 columns", '[1, 3] @ [1, 2]');
  assertThrowsWith(() => matmul(tensor(1), tensor([1])), ShapeError, 'matmul:', 'rank >= 1');
  assertThrowsWith(() => matmul(randn([2, 3, 4]), randn([3, 4, 5])), ShapeError, 'matmul:', '[2] and [3]');
  assertThrowsWith(() => matmul(tensor([[1]], { dtype: 'int32' }), tensor([[1]])), DTypeError, 'matmul', 'int32');
  assertThrowsWith(() => linear(tensor([[1, 2]]), tensor([[1, 2, 3]])), ShapeError, 'linear:', 'input [..., 3]', 'got [1, 2]');
  assertThrowsWith(() => linear(tensor([[1, 2]]), tensor([[1, 2]]), tensor([1, 2])), ShapeError, 'linear:', 'bias [1]', 'got [2]');
});
