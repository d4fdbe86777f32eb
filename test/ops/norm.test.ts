import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, ShapeError, Tensor, ones, randn, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { batchNorm, dropout, localResponseNorm } from '../../src/ops/norm.js';
import { sum } from '../../src/ops/reduce.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function assertGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, { tol: 1e-6 });
  assert.ok(r.ok, `gradcheck failed: ${JSON.stringify(r)}`);
}

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });

test('batchNorm training: batch statistics, affine, running-stat update by hand', () => {
  // Channel 0 holds 1,3,5,7 (mean 4, biased var 5, unbiased 20/3); channel 1 holds 2,4,6,8 (mean 5).
  const x = f64([[1, 2], [3, 4], [5, 6], [7, 8]]);
  const rm = f64([0, 0]);
  const rv = f64([1, 1]);
  const y = batchNorm(x, rm, rv, { weight: f64([2, 0.5]), bias: f64([1, -1]), training: true, eps: 0 });
  const z = [-3, -1, 1, 3].map((v) => v / Math.sqrt(5));
  assertClose(y, z.flatMap((v) => [2 * v + 1, 0.5 * v - 1]), { atol: 1e-12 });
  assertClose(rm, [0.4, 0.5], { atol: 1e-12 });
  assertClose(rv, [0.9 + (0.1 * 20) / 3, 0.9 + (0.1 * 20) / 3], { atol: 1e-12 });
  assert.equal(rm.version, 1);
  assert.equal(rv.version, 1);
  // momentum 1 replaces the buffers with the batch statistics
  batchNorm(x, rm, rv, { training: true, momentum: 1 });
  assertClose(rm, [4, 5], { atol: 1e-12 });
  assertClose(rv, [20 / 3, 20 / 3], { atol: 1e-12 });
});

test('batchNorm eval: uses the running buffers and leaves them alone', () => {
  const x = f64([[1, 2], [3, 4]]);
  const rm = f64([1, 2]);
  const rv = f64([4, 9]);
  const y = batchNorm(x, rm, rv, { weight: f64([2, 3]), bias: f64([0.5, 0]), eps: 0 });
  assertClose(y, [0.5, 0, 2 / 2 * 2 + 0.5, (2 / 3) * 3], { atol: 1e-12 });
  assertClose(rm, [1, 2]);
  assert.equal(rm.version, 0);
  assertThrowsWith(() => batchNorm(x, null, null, { training: false }), ArgumentError, 'batchNorm', 'runningMean');
});

test('batchNorm on [N, C, H, W]: per-channel statistics over N, H, W; gradcheck both modes', () => {
  const rng = new RNG(21);
  const x = randn([3, 2, 2, 3], { dtype: 'float64', rng });
  const y = batchNorm(x, null, null, { training: true, eps: 0 });
  for (let c = 0; c < 2; c++) {
    const vals: number[] = [];
    for (let n = 0; n < 3; n++) for (let k = 0; k < 6; k++) vals.push(y.data[n * 12 + c * 6 + k]);
    const m = vals.reduce((a, b) => a + b) / vals.length;
    const v = vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length;
    assert.ok(Math.abs(m) < 1e-12 && Math.abs(v - 1) < 1e-10, `channel ${c}: mean ${m}, var ${v}`);
  }
  const xg = randn([3, 2, 2, 3], { dtype: 'float64', rng, requiresGrad: true });
  const w = randn([2], { dtype: 'float64', rng, requiresGrad: true });
  const b = randn([2], { dtype: 'float64', rng, requiresGrad: true });
  assertGrad((x, w, b) => batchNorm(x, null, null, { weight: w, bias: b, training: true }), [xg, w, b]);
  const rm = f64([0.1, -0.2]);
  const rv = f64([0.5, 2]);
  assertGrad((x, w, b) => batchNorm(x, rm, rv, { weight: w, bias: b }), [xg, w, b]);
});

test('batchNorm: argument errors name the op and the shapes', () => {
  const x = f64([[1, 2, 3]]);
  assertThrowsWith(() => batchNorm(x, null, null, { training: true }), ShapeError, 'batchNorm', 'more than 1 value per channel', '[1, 3]');
  assertThrowsWith(() => batchNorm(f64([[1, 2], [3, 4]]), f64([0, 0, 0]), f64([1, 1, 1])), ShapeError, 'batchNorm', 'runningMean [2]', 'got [3]');
  assertThrowsWith(() => batchNorm(f64([1, 2]), null, null, { training: true }), ShapeError, 'batchNorm', '[N, C]', 'got [2]');
  assertThrowsWith(() => batchNorm(f64([[1], [2]]), null, null, { training: true, momentum: 2 }), ArgumentError, 'momentum');
});

test('dropout: seeded determinism, 1/(1 − p) scaling, identity in eval and at p = 0', () => {
  const x = ones([1000]);
  const a = dropout(x, { p: 0.4, rng: new RNG(5) });
  const b = dropout(x, { p: 0.4, rng: new RNG(5) });
  assert.deepEqual(a.toFlatArray(), b.toFlatArray());
  const c = dropout(x, { p: 0.4, rng: new RNG(6) });
  assert.notDeepEqual(a.toFlatArray(), c.toFlatArray());
  for (const v of a.data) assert.ok(v === 0 || Math.abs(v - 1 / 0.6) < 1e-6, `unexpected value ${v}`);
  assert.equal(dropout(x, { p: 0.4, training: false }), x);
  assert.equal(dropout(x, { p: 0 }), x);
  assertThrowsWith(() => dropout(x, { p: 1 }), ArgumentError, 'dropout', 'p must be in [0, 1)', '1');
  assertThrowsWith(() => dropout(x, { p: -0.1 }), ArgumentError, 'dropout');
});

test('dropout: the fraction of zeros is near p on a large tensor, and the gradient is the mask', () => {
  const y = dropout(ones([200000]), { p: 0.3, rng: new RNG(7) });
  let zeros = 0;
  for (const v of y.data) if (v === 0) zeros++;
  // The standard deviation of the fraction is sqrt(0.3·0.7/2e5) ≈ 0.001.
  assert.ok(Math.abs(zeros / y.size - 0.3) < 0.005, `fraction of zeros ${zeros / y.size}`);
  const x = tensor([1, 2, 3, 4, 5, 6, 7, 8], { dtype: 'float64', requiresGrad: true });
  const out = dropout(x, { p: 0.5, rng: new RNG(8) });
  sum(out).backward();
  for (let i = 0; i < 8; i++) assert.equal(x.grad!.data[i], out.data[i] / x.data[i]);
});

test('localResponseNorm: hand cases for odd and even windows', () => {
  // size 3, alpha/size = 1, beta = 1, k = 1: sums of squares over channels c-1..c+1 are 5, 14, 13.
  const x = f64([1, 2, 3]);
  const x4 = new Tensor(x.data, [1, 3, 1, 1]);
  assertClose(localResponseNorm(x4, { size: 3, alpha: 3, beta: 1, k: 1 }), [1 / 6, 2 / 15, 3 / 14], { atol: 1e-12 });
  // size 2 (PyTorch pads one channel before, none after): windows c-1..c give 1, 5, 13.
  assertClose(localResponseNorm(x4, { size: 2, alpha: 2, beta: 1, k: 1 }), [1 / 2, 2 / 6, 3 / 14], { atol: 1e-12 });
});

test('localResponseNorm: AlexNet constants against a direct loop, gradcheck', () => {
  const rng = new RNG(9);
  const x = randn([2, 6, 2, 2], { dtype: 'float64', rng, requiresGrad: true });
  const [size, alpha, beta, k] = [5, 1e-2, 0.75, 2];
  const y = localResponseNorm(x, { size, alpha, beta, k });
  const expected: number[] = [];
  for (let n = 0; n < 2; n++) for (let c = 0; c < 6; c++) for (let p = 0; p < 4; p++) {
    let s = 0;
    for (let j = c - 2; j <= c + 2; j++) if (j >= 0 && j < 6) s += x.data[n * 24 + j * 4 + p] ** 2;
    expected.push(x.data[n * 24 + c * 4 + p] / (k + (alpha / size) * s) ** beta);
  }
  assertClose(y, expected, { atol: 1e-12 });
  assertGrad((t) => localResponseNorm(t, { size: 3, alpha: 0.5, beta: 0.75, k: 1 }), [x]);
  assertThrowsWith(() => localResponseNorm(f64([[1, 2]]), { size: 3 }), ShapeError, 'localResponseNorm', 'rank >= 3', '[1, 2]');
  assertThrowsWith(() => localResponseNorm(x, { size: 0 }), ArgumentError, 'localResponseNorm', 'size');
});
