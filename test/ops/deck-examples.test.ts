/*
 * The worked examples of the lecture decks in seeds/, as tests. Every expected
 * value below is read off a slide or computed by hand from the slide's matrices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, ones, Tensor } from '../../src/tensor/index.js';
import { conv2d } from '../../src/ops/conv.js';
import { avgPool2d, maxPool2d } from '../../src/ops/pool.js';
import { interpolate } from '../../src/ops/upsample.js';
import { assertClose } from '../helpers.js';

const img = (rows: number[][], dtype: 'float32' | 'float64' = 'float32'): Tensor => tensor([[rows]], { dtype });

// Jie Wang, "CNN – Convolution Layer" (after Hung-yi Lee): the 6x6 image and two 3x3 filters.
const IMAGE = [
  [1, 1, 1, 1, 1, 1],
  [0, 0, 0, 0, 1, 0],
  [0, 1, 1, 1, 0, 0],
  [0, 0, 1, 0, 0, 0],
  [0, 1, 0, 0, 0, 0],
  [1, 0, 0, 0, 0, 0],
];
const FILTER1 = [
  [1, 1, 1],
  [-1, 1, -1],
  [1, -1, -1],
];
const FILTER2 = [
  [1, -1, -1],
  [-1, 1, -1],
  [-1, -1, 1],
];

test('deck: first window of Filter 1 is 1×1 + 1×1 + 1×1 + 0×(−1) + 0×1 + 0×(−1) + 0×1 + 1×(−1) + 1×(−1) = 1', () => {
  const y = conv2d(img(IMAGE), img(FILTER1));
  assert.equal(y.data[0], 1 + 1 + 1 + 0 + 0 + 0 + 0 - 1 - 1);
});

test('deck: 6x6 image, Filter 1 and Filter 2 at stride 1 give a 2 × 4 × 4 image', () => {
  const w = tensor([[FILTER1], [FILTER2]]);
  const y = conv2d(img(IMAGE), w);
  assert.deepEqual(y.shape, [1, 2, 4, 4]);
  assertClose(y, [
    [[1, 2, 2, 5], [-1, -2, 2, 0], [0, 5, 1, 1], [3, 0, 1, 0]],
    [[-1, -2, -4, -1], [1, -2, -2, -2], [-4, -1, -1, 1], [-1, -2, 1, 0]],
  ], { atol: 0, rtol: 0 });
});

test('deck: stride 3 takes the corner windows: Filter 1 gives [1, 5; 3, 0], Filter 2 [−1, −1; −1, 0]', () => {
  const w = tensor([[FILTER1], [FILTER2]]);
  const y = conv2d(img(IMAGE), w, { stride: 3 });
  assert.deepEqual(y.shape, [1, 2, 2, 2]);
  assertClose(y, [[[1, 5], [3, 0]], [[-1, -1], [-1, 0]]], { atol: 0, rtol: 0 });
});

test('deck: feature maps N × ((H − n + P)/S + 1) × ((W − n + P)/S + 1) on several shapes', () => {
  const cases: { C: number; H: number; W: number; N: number; n: number; S: number; pad: [number, number, number, number] }[] = [
    { C: 1, H: 6, W: 6, N: 2, n: 3, S: 1, pad: [0, 0, 0, 0] }, // the deck's 2 × 4 × 4
    { C: 1, H: 6, W: 6, N: 1, n: 3, S: 2, pad: [0, 1, 0, 1] }, // stride 2 on 6x6: "fill with zero", P = 1
    { C: 3, H: 7, W: 9, N: 4, n: 3, S: 2, pad: [0, 0, 0, 0] },
    { C: 2, H: 10, W: 8, N: 3, n: 5, S: 1, pad: [2, 2, 2, 2] },
    { C: 3, H: 32, W: 32, N: 6, n: 5, S: 1, pad: [0, 0, 0, 0] }, // LeNet-5's C1: 6 × 28 × 28
  ];
  for (const { C, H, W, N, n, S, pad } of cases) {
    const PH = pad[0] + pad[1];
    const PW = pad[2] + pad[3];
    const y = conv2d(ones([1, C, H, W]), ones([N, C, n, n]), { stride: S, padding: pad });
    assert.deepEqual(y.shape, [1, N, (H - n + PH) / S + 1, (W - n + PW) / S + 1], JSON.stringify({ C, H, W, N, n, S, pad }));
  }
});

test('deck: 400 filters of 8x8 on a 1 × 96 × 96 image give 400 × 89 × 89 = 3,168,400 outputs', () => {
  const y = conv2d(ones([1, 1, 96, 96]), ones([400, 1, 8, 8]));
  assert.deepEqual(y.shape, [1, 400, 89, 89]);
  assert.equal(y.size, 3168400);
  assert.equal(y.data[3168399], 64); // every window of ones sums 8 × 8 ones
});

// Rowel Atienza's symbolic examples, with distinct primes standing for the letters.
const [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53];
const X = [[a, b, c, d], [e, f, g, h], [i, j, k, l], [m, n, o, p]];
const [w, x, y, z] = [59, 61, 67, 71];
const K = [[w, x], [y, z]];

test('deck: valid convolution of a 4x4 input with a 2x2 kernel, y11 = aw + bx + ey + fz … y33 = kw + lx + oy + pz', () => {
  const out = conv2d(img(X), img(K));
  assert.deepEqual(out.shape, [1, 1, 3, 3]);
  assert.deepEqual(out.toFlatArray(), [
    a * w + b * x + e * y + f * z, b * w + c * x + f * y + g * z, c * w + d * x + g * y + h * z,
    e * w + f * x + i * y + j * z, f * w + g * x + j * y + k * z, g * w + h * x + k * y + l * z,
    i * w + j * x + m * y + n * z, j * w + k * x + n * y + o * z, k * w + l * x + o * y + p * z,
  ]);
});

test('deck: downsampling with stride 2, y11 = aw + bx + ey + fz, y22 = kw + lx + oy + pz', () => {
  const out = conv2d(img(X), img(K), { stride: 2 });
  assert.deepEqual(out.toFlatArray(), [
    a * w + b * x + e * y + f * z, c * w + d * x + g * y + h * z,
    i * w + j * x + m * y + n * z, k * w + l * x + o * y + p * z,
  ]);
});

test('deck: dilation rate 2 spreads the 2x2 kernel over a 3x3 patch, y11 = aw + cx + iy + kz', () => {
  const out = conv2d(img(X), img(K), { dilation: 2 });
  assert.deepEqual(out.shape, [1, 1, 2, 2]);
  assert.deepEqual(out.toFlatArray(), [
    a * w + c * x + i * y + k * z, b * w + d * x + j * y + l * z,
    e * w + g * x + m * y + o * z, f * w + h * x + n * y + p * z,
  ]);
});

test('deck: K = 2 kernels give 2 output maps, y11 = as + bt + eu + fv and t11 = aw + bx + ey + fz', () => {
  const [s, t, u, v] = [73, 79, 83, 89];
  const out = conv2d(img(X), tensor([[[[s, t], [u, v]]], [K]]));
  assert.deepEqual(out.shape, [1, 2, 3, 3]);
  assert.equal(out.data[0], a * s + b * t + e * u + f * v);
  assert.equal(out.data[9], a * w + b * x + e * y + f * z);
});

test("deck: zero padding keeps 4x4 with a 3x3 kernel ('same' and padding 1), y11 = av + bw + ey + fz", () => {
  // Kernel letters r … z, as on the slide.
  const [r, s, t, u, v, w2, x2, y2, z2] = [59, 61, 67, 71, 73, 79, 83, 89, 97];
  const k3 = img([[r, s, t], [u, v, w2], [x2, y2, z2]]);
  for (const padding of ['same', 1] as const) {
    const out = conv2d(img(X), k3, { padding });
    assert.deepEqual(out.shape, [1, 1, 4, 4]);
    const row1 = out.toFlatArray().slice(0, 4);
    assert.deepEqual(row1, [
      a * v + b * w2 + e * y2 + f * z2,
      a * u + b * v + c * w2 + e * x2 + f * y2 + g * z2,
      b * u + c * v + d * w2 + f * x2 + g * y2 + h * z2,
      c * u + d * v + g * x2 + h * y2,
    ], `padding ${padding}`);
  }
});

test('deck: max pooling MP(X), y11 = max(a, b, e, f) … y22 = max(k, l, o, p)', () => {
  // Shuffle the primes so the max is not always the bottom-right letter.
  const Y = [[f, a, p, c], [b, e, d, g], [o, i, h, k], [j, m, l, n]];
  const out = maxPool2d(img(Y), { kernelSize: 2 });
  assert.deepEqual(out.toFlatArray(), [Math.max(f, a, b, e), Math.max(p, c, d, g), Math.max(o, i, j, m), Math.max(h, k, l, n)]);
});

test('deck: UP([a, b; c, d]) repeats each value in a 2x2 block (nearest upsampling)', () => {
  const out = interpolate(img([[a, b], [c, d]]), { scaleFactor: 2, mode: 'nearest' });
  assert.deepEqual(out.toArray(), [[[[a, a, b, b], [a, a, b, b], [c, c, d, d], [c, c, d, d]]]]);
});

// Hung-yi Lee's 4x4 pooling example (deck 000).
const POOL4 = [
  [3, 3, 1, 5],
  [6, 4, 2, 4],
  [0, 3, 1, 0],
  [7, 2, 4, 3],
];

test('deck: 4x4 max pooling gives [6, 5; 7, 4] and average pooling [4, 3; 3, 2]', () => {
  assertClose(maxPool2d(img(POOL4), { kernelSize: 2 }), [6, 5, 7, 4], { atol: 0, rtol: 0 });
  assertClose(avgPool2d(img(POOL4), { kernelSize: 2 }), [4, 3, 3, 2], { atol: 0, rtol: 0 });
});

// Zhonglei Wang (XMU), "Pooling": a 6x6 input, 2x2 window, stride 2.
const A6 = [
  [3, 6, 5, 4, 8, 9],
  [1, 7, 9, 6, 8, 0],
  [5, 0, 9, 6, 2, 0],
  [5, 2, 6, 3, 7, 0],
  [9, 0, 3, 2, 3, 1],
  [3, 1, 3, 7, 1, 7],
];
const DZ = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
];

test('deck: XMU 6x6 average pooling gives [4.25, 6, 6.25; 3, 6, 2.25; 3.25, 3.75, 3]', () => {
  assertClose(avgPool2d(img(A6), { kernelSize: 2, stride: 2 }), [4.25, 6.0, 6.25, 3.0, 6.0, 2.25, 3.25, 3.75, 3.0], { atol: 0, rtol: 0 });
});

test('deck: XMU 6x6 max pooling gives [7, 9, 9; 5, 9, 7; 9, 7, 7]', () => {
  assertClose(maxPool2d(img(A6), { kernelSize: 2, stride: 2 }), [7, 9, 9, 5, 9, 7, 9, 7, 7], { atol: 0, rtol: 0 });
});

test('deck: average-pooling backward is dA = dZ ⊗ M with M the 2x2 matrix of 0.25', () => {
  const A = img(A6, 'float64').requiresGrad_();
  avgPool2d(A, { kernelSize: 2, stride: 2 }).backward(img(DZ, 'float64'));
  // The Kronecker product written out: each δ becomes a 2x2 block of δ/4.
  assertClose(A.grad!, [
    [0.25, 0.25, 0.5, 0.5, 0.75, 0.75],
    [0.25, 0.25, 0.5, 0.5, 0.75, 0.75],
    [1, 1, 1.25, 1.25, 1.5, 1.5],
    [1, 1, 1.25, 1.25, 1.5, 1.5],
    [1.75, 1.75, 2, 2, 2.25, 2.25],
    [1.75, 1.75, 2, 2, 2.25, 2.25],
  ], { atol: 0, rtol: 0 });
});

test('deck: max-pooling backward stacks 2x2 masks of 0s with one 1 (at the max) times dZ', () => {
  const A = img(A6, 'float64').requiresGrad_();
  maxPool2d(A, { kernelSize: 2, stride: 2 }).backward(img(DZ, 'float64'));
  // The maxima 7, 9, 9 / 5, 9, 7 / 9, 7, 7 sit at these positions of A; the block [5, 0; 5, 2]
  // holds 5 twice, and the first in row-major order takes the δ (as PyTorch).
  assertClose(A.grad!, [
    [0, 0, 0, 0, 0, 3],
    [0, 1, 2, 0, 0, 0],
    [4, 0, 5, 0, 0, 0],
    [0, 0, 0, 0, 6, 0],
    [7, 0, 0, 0, 0, 0],
    [0, 0, 0, 8, 0, 9],
  ], { atol: 0, rtol: 0 });
});

test('deck: conv backward of a 3x3 input and 2x2 filter (Jie Wang): ∂E/∂F and ∂E/∂X as on the slides', () => {
  const [X11, X12, X13, X21, X22, X23, X31, X32, X33] = [2, 3, 5, 7, 11, 13, 17, 19, 23];
  const [F11, F12, F21, F22] = [29, 31, 37, 41];
  const [O11, O12, O21, O22] = [43, 47, 53, 59]; // ∂E/∂O
  const Xt = img([[X11, X12, X13], [X21, X22, X23], [X31, X32, X33]], 'float64').requiresGrad_();
  const Ft = img([[F11, F12], [F21, F22]], 'float64').requiresGrad_();
  conv2d(Xt, Ft).backward(img([[O11, O12], [O21, O22]], 'float64'));
  assert.deepEqual(Ft.grad!.toFlatArray(), [
    O11 * X11 + O12 * X12 + O21 * X21 + O22 * X22,
    O11 * X12 + O12 * X13 + O21 * X22 + O22 * X23,
    O11 * X21 + O12 * X22 + O21 * X31 + O22 * X32,
    O11 * X22 + O12 * X23 + O21 * X32 + O22 * X33,
  ]);
  // The full convolution of the zero-padded ∂E/∂O with the filter rotated by 180°.
  assert.deepEqual(Xt.grad!.toFlatArray(), [
    O11 * F11, O11 * F12 + O12 * F11, O12 * F12,
    O11 * F21 + O21 * F11, O11 * F22 + O12 * F21 + O21 * F12 + O22 * F11, O12 * F22 + O22 * F12,
    O21 * F21, O21 * F22 + O22 * F21, O22 * F22,
  ]);
});

test('deck: an edge kernel (entries summing to 0) gives 0 on a flat image; the box kernel blurs by summing 9 pixels', () => {
  const flat = ones([1, 1, 5, 5]);
  const edge = img([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]);
  assertClose(conv2d(flat, edge), new Array(9).fill(0), { atol: 0, rtol: 0 });
  const ramp = img([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]);
  // Each 3x3 box sums 9 × its centre value, since the ramp is linear.
  assertClose(conv2d(ramp, ones([1, 1, 3, 3])), [45, 54, 81, 90], { atol: 0, rtol: 0 });
});

test('deck: factorising the 3x3 Sobel kernel into 3x1 and 1x3 kernels (6 parameters instead of 9) gives the same output', () => {
  const sobel = img([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], 'float64');
  const col = tensor([[[[1], [2], [1]]]], { dtype: 'float64' });
  const row = tensor([[[[-1, 0, 1]]]], { dtype: 'float64' });
  const xs = tensor(Array.from({ length: 49 }, (_, q) => ((q * 37) % 11) - 5), { dtype: 'float64', shape: [1, 1, 7, 7] });
  assertClose(conv2d(conv2d(xs, col), row), conv2d(xs, sobel), { atol: 1e-12, rtol: 0 });
});
