import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, randn, RNG, ArgumentError, ShapeError } from '../../src/tensor/index.js';
import * as filters from '../../src/viz/filters.js';
import { assertClose } from '../helpers.js';
import { REF } from './ref.js';

const F = REF.filters;
const img = new Tensor(Float32Array.from(F.input.data), F.input.shape);
const tol = { atol: 2e-6, rtol: 1e-5 };

test('filters equal SciPy (ndimage.sobel, prewitt, laplace, uniform_filter, gaussian_filter) with zero padding', () => {
  assertClose(filters.sobelX(img).data, F.sobelX, tol, 'sobelX');
  assertClose(filters.sobelY(img).data, F.sobelY, tol, 'sobelY');
  assertClose(filters.prewittX(img).data, F.prewittX, tol, 'prewittX');
  assertClose(filters.prewittY(img).data, F.prewittY, tol, 'prewittY');
  assertClose(filters.laplacian4(img).data, F.laplacian4, tol, 'laplacian4');
  assertClose(filters.blur(img).data, F.blur, tol, 'blur');
  assertClose(filters.gradientMagnitude(img).data, F.gradientMagnitude, tol, 'gradientMagnitude');
  assertClose(filters.gaussian(img, 0.8, 3).data, F['gaussian0.8'], tol, 'gaussian 0.8');
  assertClose(filters.gaussian(img, 1.5, 3).data, F['gaussian1.5'], tol, 'gaussian 1.5');
});

test('filters are correlations (what conv2d computes), not convolutions: an asymmetric kernel tells them apart', () => {
  const k = new Tensor(Float32Array.from(F.asym.kernel), [3, 3]);
  assertClose(filters.apply(img, k).data, F.asym.correlate, tol);
  const flipped = new Tensor(Float32Array.from([...F.asym.kernel].reverse()), [3, 3]);
  assertClose(filters.apply(img, flipped).data, F.asym.convolve, tol);
});

test("the decks' kernels by hand: edge is zero on flat regions, blur averages, sobelX responds to a vertical edge", () => {
  // A vertical step: columns 0-2 are 0, columns 3-5 are 1.
  const step = tensor(Array.from({ length: 5 }, () => [0, 0, 0, 1, 1, 1]));
  const sx = filters.sobelX(step).toArray() as number[][];
  const sy = filters.sobelY(step).toArray() as number[][];
  // Interior row: the mask sums 1+2+1 across the step at columns 2 and 3.
  assert.deepEqual(sx[2], [0, 0, 4, 4, 0, -4]); // last column: the zero padding is a step down of 1
  assert.deepEqual(sy[2], [0, 0, 0, 0, 0, 0]);
  const e = filters.edge(step).toArray() as number[][];
  assert.deepEqual(e[2], [0, 0, -3, 3, 0, 3]);
  const b = filters.blur(tensor([[9, 9, 9], [9, 9, 9], [9, 9, 9]])).toArray() as number[][];
  assertClose(b.flat(), [4, 6, 4, 6, 9, 6, 4, 6, 4]);
  assertClose(filters.sharpen(tensor([[0, 0, 0], [0, 1, 0], [0, 0, 0]])).data, [0, -1, 0, -1, 5, -1, 0, -1, 0]);
  assertClose(filters.laplacian8(tensor([[1, 1, 1], [1, 1, 1], [1, 1, 1]])).data, [-5, -3, -5, -3, 0, -3, -5, -3, -5]);
});

test("Robinson's South-West and North-East masks are the decks' exactly; every compass mask is the previous turned 45 degrees", () => {
  assert.deepEqual(filters.ROBINSON.SW.toArray(), [[2, 1, 0], [1, 0, -1], [0, -1, -2]]);
  assert.deepEqual(filters.ROBINSON.NE.toArray(), [[-2, -1, 0], [-1, 0, 1], [0, 1, 2]]);
  assert.deepEqual(filters.ROBINSON.N.toArray(), filters.KERNELS.sobelX.toArray());
  assert.deepEqual(filters.KIRSCH.N.toArray(), [[5, 5, 5], [-3, 0, -3], [-3, -3, -3]]);
  assert.deepEqual(filters.KIRSCH.W.toArray(), [[5, -3, -3], [5, 0, -3], [5, -3, -3]]);
  // On a ramp f = a*col + b*row the response of mask K is a*sum(K*colOffset) + b*sum(K*rowOffset):
  // opposite directions give opposite responses, and each mask sums to 0 (flat images give 0).
  const ramp = tensor(Array.from({ length: 5 }, (_, r) => Array.from({ length: 5 }, (_, c) => 2 * c + 3 * r)));
  const centre = (t: Tensor) => t.data[12];
  for (const [a, b] of [['N', 'S'], ['NE', 'SW'], ['E', 'W'], ['SE', 'NW']] as const) {
    assert.equal(centre(filters.robinson(ramp, a)), -centre(filters.robinson(ramp, b)), `${a}/${b}`);
    assert.equal([...filters.KIRSCH[a].data].reduce((s, v) => s + v, 0), 0);
  }
  assert.equal(centre(filters.robinson(ramp, 'N')), 2 * 8); // a=2, sum of K*colOffset = 8
  assert.equal(centre(filters.robinson(ramp, 'E')), 3 * 8);
  assert.throws(() => filters.robinson(ramp, 'UP' as 'N'), /unknown direction "UP"; expected one of N, NW/);
});

test('convolution is translation-equivariant: shift the input, the output shifts the same', () => {
  const x = randn([1, 12, 12], { rng: new RNG(3) });
  const shifted = new Float32Array(144);
  for (let r = 0; r < 12; r++) for (let c = 0; c < 12; c++) shifted[r * 12 + c] = r >= 2 && c >= 3 ? x.data[(r - 2) * 12 + c - 3] : 0;
  for (const name of ['sobelX', 'edge', 'robinsonSW', 'kirschE']) {
    const y = filters.byName(x, name).data;
    const ys = filters.byName(new Tensor(shifted, [1, 12, 12]), name).data;
    // Away from the borders (the zero padding and the zeros shifted in), ys(r, c) = y(r-2, c-3).
    for (let r = 4; r < 11; r++) for (let c = 5; c < 11; c++) assert.ok(Math.abs(ys[r * 12 + c] - y[(r - 2) * 12 + c - 3]) < 1e-5, name);
  }
});

test('filters work per channel and batch, keep the shape, and refuse bad input', () => {
  const x = randn([2, 3, 6, 5], { rng: new RNG(1) });
  const y = filters.sobelY(x);
  assert.deepEqual(y.shape, [2, 3, 6, 5]);
  const one = new Tensor(x.data.slice(1 * 30 * 3 + 60, 1 * 30 * 3 + 90), [6, 5]);
  assertClose(y.data.slice(150, 180), filters.sobelY(one).data);
  assert.throws(() => filters.apply(x, tensor([[1, 2], [3, 4]])), ShapeError);
  assert.throws(() => filters.byName(x, 'nope'), (e: Error) => e instanceof ArgumentError && e.message.includes('robinsonSW'));
  assert.throws(() => filters.gaussianKernel(0), /sigma must be a positive number/);
});
