import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, randn, RNG, Tensor, ShapeError, ArgumentError, DTypeError } from '../../src/tensor/index.js';
import {
  adaptiveAvgPool2d, avgPool2d, globalAvgPool2d, globalMaxPool2d, maxPool2d, maxPool2dWithIndices, poolOutputSize,
} from '../../src/ops/pool.js';
import { gradcheck } from '../../src/autograd/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

const plane = (rows: number[][], dtype: 'float32' | 'float64' = 'float64'): Tensor => tensor([[rows]], { dtype });
const ARANGE3 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];

/** Distinct values in random order, so no window has a tie and max pooling is differentiable. */
function permuted(shape: number[], seed: number): Tensor {
  const size = shape.reduce((p, q) => p * q, 1);
  const perm = new RNG(seed).permutation(size);
  return tensor(Float64Array.from(perm, (v) => v * 0.37 - 3), { shape, requiresGrad: true });
}

test('poolOutputSize follows PyTorch, ceil mode included', () => {
  assert.equal(poolOutputSize(112, 3, 2, 1), 56); // ResNet's stem max pool
  assert.equal(poolOutputSize(112, 3, 2, 0), 55);
  assert.equal(poolOutputSize(112, 3, 2, 0, 1, true), 56); // GoogLeNet's ceil-mode pools
  assert.equal(poolOutputSize(14, 3, 2, 0, 1, true), 7);
  assert.equal(poolOutputSize(5, 2, 2, 0, 1, false), 2);
  assert.equal(poolOutputSize(5, 2, 2, 0, 1, true), 3);
  // Padded positions −1 … 5: windows start at −1, 1, 3; one at 5 would start in the right padding, so it is dropped.
  assert.equal(poolOutputSize(5, 2, 2, 1, 1, true), 3);
  assert.equal(poolOutputSize(4, 2, 2, 1, 1, true), 3);
  assert.equal(poolOutputSize(7, 3, 1, 0, 2), 3); // dilation 2: the window spans 5
});

test('ceil mode keeps the partial last window and averages only what it covers (no padding)', () => {
  const x = plane(ARANGE3);
  const y = avgPool2d(x, { kernelSize: 2, ceilMode: true });
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  assertClose(y, [(1 + 2 + 4 + 5) / 4, (3 + 6) / 2, (7 + 8) / 2, 9], { atol: 0, rtol: 0 });
  assertClose(maxPool2d(x, { kernelSize: 2, ceilMode: true }), [5, 6, 8, 9], { atol: 0, rtol: 0 });
  assert.deepEqual(maxPool2d(x, { kernelSize: 2 }).shape, [1, 1, 1, 1]);
});

test('padding: countIncludePad divides by the whole window or by the part inside the input', () => {
  const x = plane(ARANGE3);
  // Windows cover padded rows/cols {−1, 0} and {1, 2}.
  assertClose(avgPool2d(x, { kernelSize: 2, padding: 1 }), [1 / 4, 5 / 4, 11 / 4, 28 / 4], { atol: 0, rtol: 0 });
  assertClose(avgPool2d(x, { kernelSize: 2, padding: 1, countIncludePad: false }), [1, 5 / 2, 11 / 2, 28 / 4], { atol: 0, rtol: 0 });
});

test('max pooling: padded positions never win, even over negative inputs', () => {
  const x = plane([[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]);
  assertClose(maxPool2d(x, { kernelSize: 2, padding: 1 }), [-1, -2, -4, -5], { atol: 0, rtol: 0 });
});

test('max pooling with dilation 2 takes max(a, c, i, k) and returns the winning indices', () => {
  const x = plane([[5, 1, 2, 9], [4, 3, 7, 0], [8, 6, 11, 15], [10, 12, 13, 14]]);
  const { y, indices } = maxPool2dWithIndices(x, { kernelSize: 2, stride: 1, dilation: 2 });
  assertClose(y, [Math.max(5, 2, 8, 11), Math.max(1, 9, 6, 15), Math.max(4, 7, 10, 13), Math.max(3, 0, 12, 14)], { atol: 0, rtol: 0 });
  assert.equal(indices.dtype, 'int32');
  assert.deepEqual(indices.toFlatArray(), [10, 11, 14, 15]);
});

test('overlapping windows (3x3, stride 2) that share their max all route δ to it', () => {
  // The centre 100 is in all four windows of a 5x5 plane.
  const rows = Array.from({ length: 5 }, (_, r) => Array.from({ length: 5 }, (_, c) => -(r * 5 + c)));
  rows[2][2] = 100;
  const x = plane(rows).requiresGrad_();
  const y = maxPool2d(x, { kernelSize: 3, stride: 2 });
  assertClose(y, [100, 100, 100, 100], { atol: 0, rtol: 0 });
  y.backward(tensor([[[[1, 2], [3, 4]]]], { dtype: 'float64' }));
  const expected = new Array(25).fill(0);
  expected[12] = 1 + 2 + 3 + 4;
  assertClose(x.grad!, expected, { atol: 0, rtol: 0 });
});

/**
 * Pooling straight from the definition: enumerate the windows (a window exists
 * while it fits in the padded input or, in ceil mode, starts before the right
 * padding and overhangs by less than a stride), then take the max or the mean
 * over the positions each one covers.
 */
function naivePool(x: Tensor, kind: 'max' | 'avg', k: [number, number], s: [number, number], p: [number, number], dil: [number, number], ceil: boolean, includePad: boolean): { shape: number[]; data: number[] } {
  const [N, C, H, W] = x.shape;
  const starts = (n: number, kk: number, ss: number, pp: number, dd: number): number[] => {
    const span = dd * (kk - 1) + 1;
    const out: number[] = [];
    for (let t = 0; ; t += ss) {
      const fits = t + span <= n + 2 * pp;
      const partial = ceil && t < n + pp && t + span < n + 2 * pp + ss;
      if (!fits && !partial) break;
      out.push(t - pp);
    }
    return out;
  };
  const rs = starts(H, k[0], s[0], p[0], dil[0]);
  const cs = starts(W, k[1], s[1], p[1], dil[1]);
  const data: number[] = [];
  for (let nc = 0; nc < N * C; nc++) {
    for (const r0 of rs) {
      for (const c0 of cs) {
        let best = -Infinity;
        let sum = 0;
        let inside = 0;
        let padded = 0;
        for (let i = 0; i < k[0]; i++) {
          for (let j = 0; j < k[1]; j++) {
            const r = r0 + i * dil[0];
            const c = c0 + j * dil[1];
            if (r < H + p[0] && c < W + p[1]) padded++;
            if (r < 0 || c < 0 || r >= H || c >= W) continue;
            const v = x.data[nc * H * W + r * W + c];
            best = Math.max(best, v);
            sum += v;
            inside++;
          }
        }
        data.push(kind === 'max' ? best : sum / (includePad ? padded : inside));
      }
    }
  }
  return { shape: [N, C, rs.length, cs.length], data };
}

test('max and average pooling match the definition on random configurations (float32 vs float64)', () => {
  const rng = new RNG(11);
  const dataRng = new RNG(12);
  for (let trial = 0; trial < 100; trial++) {
    const k: [number, number] = [rng.int(1, 5), rng.int(1, 5)];
    const s: [number, number] = [rng.int(1, 4), rng.int(1, 4)];
    const p: [number, number] = [rng.int(0, Math.floor(k[0] / 2) + 1), rng.int(0, Math.floor(k[1] / 2) + 1)];
    const dil: [number, number] = [rng.int(1, 3), rng.int(1, 3)];
    const ceil = rng.random() < 0.7;
    const includePad = rng.random() < 0.5;
    const H = rng.int(k[0] * dil[0], 11);
    const W = rng.int(k[1] * dil[1], 11);
    const x64 = randn([2, 3, H, W], { dtype: 'float64', rng: dataRng });
    const x32 = tensor(Float32Array.from(x64.data), { shape: x64.shape });
    const what = JSON.stringify({ k, s, p, dil, ceil, includePad, H, W });
    const mx = naivePool(x32, 'max', k, s, p, dil, ceil, false);
    const ym = maxPool2d(x32, { kernelSize: k, stride: s, padding: p, dilation: dil, ceilMode: ceil });
    assert.deepEqual(ym.shape, mx.shape, what);
    assertClose(ym, mx.data, { atol: 0, rtol: 0 }, `maxPool2d ${what}`); // a max is exact
    const av = naivePool(x64, 'avg', k, s, p, [1, 1], ceil, includePad);
    const ya = avgPool2d(x32, { kernelSize: k, stride: s, padding: p, ceilMode: ceil, countIncludePad: includePad });
    assert.deepEqual(ya.shape, av.shape, what);
    assertClose(ya, av.data, { atol: 1e-6, rtol: 1e-6 }, `avgPool2d ${what}`);
  }
});

test('adaptiveAvgPool2d uses PyTorch bins [⌊i·n/out⌋, ⌈(i+1)·n/out⌉), overlapping when sizes do not divide', () => {
  // Width 5 → 3: bins [0, 2), [1, 4), [3, 5).
  const x = plane([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
  assertClose(adaptiveAvgPool2d(x, [1, 3]), [(1 + 2 + 6 + 7) / 4, (2 + 3 + 4 + 7 + 8 + 9) / 6, (4 + 5 + 9 + 10) / 4], { atol: 1e-12, rtol: 0 });
  assertClose(adaptiveAvgPool2d(x, [2, 5]), x, { atol: 0, rtol: 0 });
  assert.deepEqual(adaptiveAvgPool2d(randn([2, 3, 7, 9]), 4).shape, [2, 3, 4, 4]);
});

test('globalAvgPool2d and globalMaxPool2d reduce each feature map to [N, C, 1, 1]', () => {
  const x = randn([2, 3, 4, 5], { dtype: 'float64', rng: new RNG(3) });
  const avg = globalAvgPool2d(x);
  const mx = globalMaxPool2d(x);
  assert.deepEqual(avg.shape, [2, 3, 1, 1]);
  assert.deepEqual(mx.shape, [2, 3, 1, 1]);
  for (let nc = 0; nc < 6; nc++) {
    const map = Array.from(x.data.subarray(nc * 20, nc * 20 + 20));
    assertClose([avg.data[nc]], [map.reduce((q, v) => q + v, 0) / 20], { atol: 1e-12, rtol: 0 });
    assert.equal(mx.data[nc], Math.max(...map));
  }
});

test('gradcheck: maxPool2d (no ties) with stride, padding, dilation and ceil mode', () => {
  const configs = [
    { kernelSize: 2 },
    { kernelSize: 3, stride: 2, padding: 1, ceilMode: true },
    { kernelSize: [3, 2] as [number, number], stride: 1 }, // overlapping
    { kernelSize: 2, stride: [1, 2] as [number, number], dilation: 2, padding: 1 },
  ];
  configs.forEach((opts, q) => {
    const x = permuted([2, 2, 7, 6], q);
    const r = gradcheck((t: Tensor) => maxPool2d(t, opts), [x]);
    assert.ok(r.ok, `${JSON.stringify(opts)}: ${JSON.stringify(r)}`);
  });
  const g = gradcheck((t: Tensor) => globalMaxPool2d(t), [permuted([2, 3, 4, 5], 9)]);
  assert.ok(g.ok, JSON.stringify(g));
});

test('gradcheck: avgPool2d with and without countIncludePad, ceil mode, padding, overlap', () => {
  const rng = new RNG(5);
  const configs = [
    { kernelSize: 2 },
    { kernelSize: 3, stride: 2, padding: 1 },
    { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false },
    { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false },
    { kernelSize: [2, 3] as [number, number], stride: 2, ceilMode: true },
    { kernelSize: 3, stride: 1 }, // overlapping
  ];
  for (const opts of configs) {
    const x = randn([2, 2, 7, 6], { dtype: 'float64', rng, requiresGrad: true });
    const r = gradcheck((t: Tensor) => avgPool2d(t, opts), [x]);
    assert.ok(r.ok, `${JSON.stringify(opts)}: ${JSON.stringify(r)}`);
  }
});

test('gradcheck: adaptiveAvgPool2d on sizes that do not divide, and globalAvgPool2d', () => {
  const rng = new RNG(6);
  for (const out of [[3, 4], [5, 2], 1] as const) {
    const x = randn([2, 2, 7, 5], { dtype: 'float64', rng, requiresGrad: true });
    const r = gradcheck((t: Tensor) => adaptiveAvgPool2d(t, out), [x]);
    assert.ok(r.ok, `${JSON.stringify(out)}: ${JSON.stringify(r)}`);
  }
  const g = gradcheck((t: Tensor) => globalAvgPool2d(t), [randn([2, 3, 4, 5], { dtype: 'float64', rng, requiresGrad: true })]);
  assert.ok(g.ok, JSON.stringify(g));
});

test('pooling backward is deterministic: the same backward twice gives bit-identical gradients', () => {
  const x = randn([2, 3, 9, 8], { rng: new RNG(2) }).requiresGrad_();
  const run = (f: (t: Tensor) => Tensor): Float32Array => {
    x.grad = null;
    const y = f(x);
    y.backward(randn(y.shape, { rng: new RNG(3) }));
    return Float32Array.from(x.grad!.data);
  };
  for (const f of [(t: Tensor) => maxPool2d(t, { kernelSize: 3, stride: 2, ceilMode: true }), (t: Tensor) => avgPool2d(t, { kernelSize: 3, stride: 2, padding: 1 })]) {
    assert.deepEqual(run(f), run(f));
  }
});

test('pooling errors name the op, what was expected and what was received', () => {
  const x = randn([1, 1, 2, 2]);
  assertThrowsWith(() => maxPool2d(x, { kernelSize: 3 }), ShapeError, 'maxPool2d', 'pooling window 3x3', 'got [1, 1, 2, 2]', 'padded input is 2x2');
  assertThrowsWith(() => avgPool2d(x, { kernelSize: [1, 3] }), ShapeError, 'avgPool2d', 'pooling window 1x3', 'got [1, 1, 2, 2]');
  assertThrowsWith(() => maxPool2d(randn([1, 1, 4, 4]), { kernelSize: 2, dilation: 4 }), ShapeError, 'pooling window 5x5');
  assertThrowsWith(() => maxPool2d(randn([1, 4, 4]), { kernelSize: 2 }), ShapeError, 'maxPool2d: expected input [N, C, H, W], got [1, 4, 4]');
  assertThrowsWith(() => globalAvgPool2d(randn([2, 3])), ShapeError, 'globalAvgPool2d: expected input [N, C, H, W], got [2, 3]');
  assertThrowsWith(() => avgPool2d(tensor([[[[1, 2], [3, 4]]]], { dtype: 'int32' }), { kernelSize: 2 }), DTypeError, 'avgPool2d', 'float32 or float64', 'int32');
  assertThrowsWith(() => maxPool2d(randn([1, 1, 8, 8]), { kernelSize: 3, padding: 2 }), ArgumentError, 'maxPool2d: padding [2, 2] must be at most half of kernelSize [3, 3]');
  assertThrowsWith(() => avgPool2d(randn([1, 1, 8, 8]), { kernelSize: [4, 2], padding: [2, 2] }), ArgumentError, 'padding [2, 2] must be at most half of kernelSize [4, 2]');
  assertThrowsWith(() => maxPool2d(randn([1, 1, 8, 8]), { kernelSize: 2, stride: 0 }), ArgumentError, 'maxPool2d: stride must be an integer >= 1, got 0');
  assertThrowsWith(() => avgPool2d(randn([1, 1, 8, 8]), { kernelSize: 2, stride: [2, -1] }), ArgumentError, 'stride[1] must be an integer >= 1, got -1');
  assertThrowsWith(() => maxPool2d(randn([1, 1, 8, 8]), { kernelSize: 1.5 }), ArgumentError, 'kernelSize must be an integer >= 1, got 1.5');
  assertThrowsWith(() => maxPool2d(randn([1, 1, 8, 8]), { kernelSize: 2, dilation: 0 }), ArgumentError, 'dilation must be an integer >= 1');
  assertThrowsWith(() => maxPool2d(randn([1, 1, 8, 8]), { kernelSize: 2, ceilMode: 'yes' as unknown as boolean }), ArgumentError, 'ceilMode must be true or false');
  assertThrowsWith(() => adaptiveAvgPool2d(randn([1, 1, 8, 8]), [0, 2]), ArgumentError, 'adaptiveAvgPool2d: outputSize[0] must be an integer >= 1, got 0');
  assertThrowsWith(() => maxPool2d([[1, 2]] as unknown as Tensor, { kernelSize: 1 }), ArgumentError, 'maxPool2d: input must be a Tensor, got an array');
});
