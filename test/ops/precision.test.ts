import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, Tensor, tensor, type FloatDType } from '../../src/tensor/index.js';
import * as ops from '../../src/ops/index.js';
import { assertClose } from '../helpers.js';

/*
 * The reference backend in float32 against itself in float64, on the same
 * (float32-representable) inputs: per element |y32 − y64| <= atol + rtol·|y64|
 * with PyTorch's float32 defaults, forward and backward. A looser bound is a
 * named override with its reason.
 */
const ATOL = 1e-5;
const RTOL = 1.3e-6;

type Gen = { shape: number[]; lo?: number; hi?: number; int?: number };
interface Case {
  name: string;
  inputs: Gen[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Float inputs whose gradient is compared too (index into inputs). */
  grad?: number[];
  atol?: number;
}

const U = (shape: number[], lo = -2, hi = 2): Gen => ({ shape, lo, hi });
const classes = (shape: number[], n: number): Gen => ({ shape, int: n });

const CASES: Case[] = [
  { name: 'add (broadcast)', inputs: [U([3, 1, 4]), U([5, 1])], fn: ops.add, grad: [0, 1] },
  { name: 'sub', inputs: [U([4, 5]), U([5])], fn: ops.sub, grad: [0, 1] },
  { name: 'mul', inputs: [U([4, 5]), U([4, 1])], fn: ops.mul, grad: [0, 1] },
  { name: 'div', inputs: [U([4, 5]), U([5], 0.5, 2)], fn: ops.div, grad: [0, 1] },
  { name: 'pow', inputs: [U([4, 5], 0.5, 2), U([4, 5], -2, 2)], fn: ops.pow, grad: [0, 1] },
  { name: 'exp', inputs: [U([20])], fn: ops.exp, grad: [0] },
  { name: 'log', inputs: [U([20], 0.1, 5)], fn: ops.log, grad: [0] },
  { name: 'sqrt', inputs: [U([20], 0.1, 5)], fn: ops.sqrt, grad: [0] },
  { name: 'abs', inputs: [U([20])], fn: ops.abs, grad: [0] },
  { name: 'square', inputs: [U([20])], fn: ops.square, grad: [0] },
  { name: 'sin', inputs: [U([20])], fn: ops.sin, grad: [0] },
  { name: 'cos', inputs: [U([20])], fn: ops.cos, grad: [0] },
  { name: 'clamp', inputs: [U([20])], fn: (x) => ops.clamp(x, -1, 1), grad: [0] },
  { name: 'maximum', inputs: [U([4, 5]), U([5])], fn: ops.maximum, grad: [0, 1] },
  { name: 'minimum', inputs: [U([4, 5]), U([5])], fn: ops.minimum, grad: [0, 1] },
  { name: 'where', inputs: [U([4, 5]), U([5])], fn: (a, b) => ops.where(ops.greater(a, 0), a, b), grad: [0, 1] },
  { name: 'sum', inputs: [U([4, 6, 5])], fn: (x) => ops.sum(x, { axis: [0, 2] }), grad: [0] },
  { name: 'mean', inputs: [U([4, 6, 5])], fn: (x) => ops.mean(x, { axis: 1, keepdims: true }), grad: [0] },
  { name: 'max', inputs: [U([4, 6])], fn: (x) => ops.max(x, { axis: -1 }), grad: [0] },
  { name: 'min', inputs: [U([4, 6])], fn: (x) => ops.min(x, { axis: 0 }), grad: [0] },
  { name: 'variance', inputs: [U([4, 6])], fn: (x) => ops.variance(x, { axis: 1 }), grad: [0] },
  { name: 'matmul (batched)', inputs: [U([2, 1, 3, 8]), U([4, 8, 5])], fn: ops.matmul, grad: [0, 1] },
  { name: 'linear', inputs: [U([6, 8]), U([5, 8]), U([5])], fn: ops.linear, grad: [0, 1, 2] },
  { name: 'conv2d', inputs: [U([2, 3, 6, 6]), U([4, 3, 3, 3]), U([4])], fn: (x, w, b) => ops.conv2d(x, w, { bias: b, padding: 1, stride: 2 }), grad: [0, 1, 2] },
  { name: 'permute+pad+slice', inputs: [U([2, 3, 4])], fn: (x) => ops.slice(ops.pad(ops.permute(x, [2, 0, 1]), [[1, 2]]), [1, 0, 1]), grad: [0] },
  { name: 'relu', inputs: [U([20])], fn: ops.relu, grad: [0] },
  { name: 'relu6', inputs: [U([20], -3, 9)], fn: ops.relu6, grad: [0] },
  { name: 'leakyRelu', inputs: [U([20])], fn: (x) => ops.leakyRelu(x, 0.1), grad: [0] },
  { name: 'elu', inputs: [U([20])], fn: (x) => ops.elu(x), grad: [0] },
  { name: 'sigmoid', inputs: [U([20], -8, 8)], fn: ops.sigmoid, grad: [0] },
  { name: 'tanh', inputs: [U([20])], fn: ops.tanh, grad: [0] },
  { name: 'softplus', inputs: [U([20], -8, 8)], fn: ops.softplus, grad: [0] },
  { name: 'gelu', inputs: [U([20], -4, 4)], fn: ops.gelu, grad: [0] },
  { name: 'softmax', inputs: [U([3, 7], -5, 5)], fn: (x) => ops.softmax(x, 1), grad: [0] },
  { name: 'logSoftmax', inputs: [U([3, 7], -5, 5)], fn: (x) => ops.logSoftmax(x, -1), grad: [0] },
  { name: 'batchNorm', inputs: [U([4, 3, 2, 2]), U([3]), U([3])], fn: (x, w, b) => ops.batchNorm(x, null, null, { weight: w, bias: b, training: true }), grad: [0, 1, 2] },
  { name: 'localResponseNorm', inputs: [U([2, 6, 3, 3])], fn: (x) => ops.localResponseNorm(x, { size: 5, alpha: 0.1, beta: 0.75, k: 2 }), grad: [0] },
  { name: 'mseLoss', inputs: [U([4, 5]), U([4, 5])], fn: (a, b) => ops.mseLoss(a, b), grad: [0, 1] },
  { name: 'crossEntropy', inputs: [U([6, 5], -4, 4), classes([6], 5)], fn: (x, t) => ops.crossEntropy(x, t, { labelSmoothing: 0.1 }), grad: [0] },
  { name: 'crossEntropy (probabilities)', inputs: [U([6, 5], -4, 4), U([6, 5], 0, 1)], fn: (x, t) => ops.crossEntropy(x, t, { reduction: 'none' }), grad: [0, 1] },
  { name: 'nllLoss', inputs: [U([6, 5], -4, 0), classes([6], 5)], fn: (x, t) => ops.nllLoss(x, t, { reduction: 'sum' }), grad: [0] },
  { name: 'binaryCrossEntropy', inputs: [U([10], 0.05, 0.95), U([10], 0, 1)], fn: (p, t) => ops.binaryCrossEntropy(p, t), grad: [0, 1] },
  { name: 'binaryCrossEntropyWithLogits', inputs: [U([4, 3], -6, 6), U([4, 3], 0, 1), U([3], 0.5, 3)], fn: (x, t, pw) => ops.binaryCrossEntropyWithLogits(x, t, { posWeight: pw }), grad: [0, 1] },
];

/** The same float32-representable values as a float32 and a float64 tensor. */
function make(g: Gen, rng: RNG): [Tensor, Tensor] {
  const n = g.shape.reduce((a, b) => a * b, 1);
  if (g.int !== undefined) {
    const t = tensor(Int32Array.from({ length: n }, () => rng.int(0, g.int!)), { shape: g.shape });
    return [t, t];
  }
  const v = Float32Array.from({ length: n }, () => g.lo! + (g.hi! - g.lo!) * rng.random());
  return [tensor(v, { shape: g.shape }), tensor(v, { shape: g.shape, dtype: 'float64' })];
}

function run(c: Case, inputs: Tensor[], dtype: FloatDType, seedV: number): { out: Tensor; grads: Tensor[] } {
  const ins = inputs.map((t, i) => (c.grad?.includes(i) ? new Tensor(t.data, t.shape, true) : t));
  const out = c.fn(...ins);
  // Backpropagate a fixed random upstream gradient, rounded to float32 for both runs.
  const rng = new RNG(seedV);
  const v = Float32Array.from({ length: out.size }, () => rng.normal());
  if (c.grad?.length) ops.sum(ops.mul(out, tensor(v, { shape: out.shape, dtype }))).backward();
  return { out, grads: (c.grad ?? []).map((i) => ins[i].grad!) };
}

for (const [k, c] of CASES.entries()) {
  test(`float32 agrees with float64: ${c.name}`, () => {
    const rng = new RNG(100 + k);
    const pairs = c.inputs.map((g) => make(g, rng));
    const r32 = run(c, pairs.map((p) => p[0]), 'float32', k);
    const r64 = run(c, pairs.map((p) => p[1]), 'float64', k);
    assert.equal(r32.out.dtype, 'float32');
    assert.equal(r64.out.dtype, 'float64');
    const tol = { atol: c.atol ?? ATOL, rtol: RTOL };
    assertClose(r32.out, r64.out.data, tol, `${c.name} forward`);
    r32.grads.forEach((g, i) => assertClose(g, r64.grads[i].data, tol, `${c.name} gradient of input ${c.grad![i]}`));
  });
}
