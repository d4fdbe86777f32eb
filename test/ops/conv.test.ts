import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, randn, RNG, Tensor } from '../../src/tensor/index.js';
import { conv2d } from '../../src/ops/conv.js';
import { gradcheck } from '../../src/autograd/index.js';
import { assertClose } from '../helpers.js';

// Hung-yi Lee, "CNN – Convolution": the 6x6 binary image and Filter 1.
const IMAGE = [
  [1, 0, 0, 0, 0, 1],
  [0, 1, 0, 0, 1, 0],
  [0, 0, 1, 1, 0, 0],
  [1, 0, 0, 0, 1, 0],
  [0, 1, 0, 0, 1, 0],
  [0, 0, 1, 0, 1, 0],
];
const FILTER1 = [
  [1, -1, -1],
  [-1, 1, -1],
  [-1, -1, 1],
];

test('conv2d: deck 6x6 image with Filter 1, stride 1', () => {
  const x = tensor([[IMAGE]]);
  const w = tensor([[FILTER1]]);
  const y = conv2d(x, w);
  assert.deepEqual(y.shape, [1, 1, 4, 4]);
  assertClose(y, [3, -1, -3, -1, -3, 1, 0, -3, -3, -3, 0, 1, 3, -2, -2, -1]);
});

test('conv2d gradcheck with stride, padding, dilation and groups', () => {
  const rng = new RNG(7);
  const x = randn([2, 4, 7, 6], { dtype: 'float64', rng, requiresGrad: true });
  const w = randn([6, 2, 3, 2], { dtype: 'float64', rng, requiresGrad: true });
  const b = randn([6], { dtype: 'float64', rng, requiresGrad: true });
  const r = gradcheck((x: Tensor, w: Tensor, b: Tensor) => conv2d(x, w, { bias: b, stride: [2, 1], padding: [1, 0, 2, 1], dilation: [1, 2], groups: 2 }), [x, w, b]);
  assert.ok(r.ok, JSON.stringify(r));
});
