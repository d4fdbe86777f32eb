import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, randn, RNG, Tensor, ShapeError, ArgumentError, DTypeError } from '../../src/tensor/index.js';
import { interpolate, upsample } from '../../src/ops/upsample.js';
import { gradcheck } from '../../src/autograd/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

const plane = (rows: number[][], dtype: 'float32' | 'float64' = 'float64'): Tensor => tensor([[rows]], { dtype });

test('nearest reads input ⌊o·in/out⌋: up, down and by non-integer ratios', () => {
  const x = plane([[10, 20, 30]]);
  assertClose(interpolate(x, { size: [1, 5] }), [10, 10, 20, 20, 30], { atol: 0, rtol: 0 }); // 0, 0, 1, 1, 2
  assertClose(interpolate(plane([[1, 2, 3, 4, 5]]), { size: [1, 2] }), [1, 3], { atol: 0, rtol: 0 }); // 0, 2
  assertClose(interpolate(plane([[7], [8]]), { size: [3, 2] }), [7, 7, 7, 7, 8, 8], { atol: 0, rtol: 0 }); // rows 0, 0, 1
  const y = upsample(plane([[1, 2], [3, 4]]), { scaleFactor: [1, 3] });
  assert.deepEqual(y.toArray(), [[[[1, 1, 1, 2, 2, 2], [3, 3, 3, 4, 4, 4]]]]);
});

test('scaleFactor gives ⌊in · scale⌋ per axis', () => {
  assert.deepEqual(interpolate(randn([2, 3, 5, 4]), { scaleFactor: 1.5 }).shape, [2, 3, 7, 6]);
  assert.deepEqual(interpolate(randn([1, 1, 5, 4]), { scaleFactor: [0.5, 2], mode: 'bilinear' }).shape, [1, 1, 2, 8]);
});

test('bilinear with alignCorners maps the corners onto each other', () => {
  const y = interpolate(plane([[0, 1], [2, 3]]), { size: 3, mode: 'bilinear', alignCorners: true });
  assertClose(y, [[0, 0.5, 1], [1, 1.5, 2], [2, 2.5, 3]], { atol: 1e-12, rtol: 0 });
  assertClose(interpolate(plane([[0, 1, 2, 3]]), { size: [1, 2], mode: 'bilinear', alignCorners: true }), [0, 3], { atol: 0, rtol: 0 });
});

test('bilinear without alignCorners aligns pixel centres (PyTorch default)', () => {
  // Source coordinates (o + 0.5)·in/out − 0.5, clamped at the border.
  assertClose(interpolate(plane([[0, 4]]), { size: [1, 4], mode: 'bilinear' }), [0, 1, 3, 4], { atol: 1e-12, rtol: 0 });
  assertClose(interpolate(plane([[1, 2], [3, 4]]), { scaleFactor: 2, mode: 'bilinear', alignCorners: false }), [
    [1, 1.25, 1.75, 2],
    [1.5, 1.75, 2.25, 2.5],
    [2.5, 2.75, 3.25, 3.5],
    [3, 3.25, 3.75, 4],
  ], { atol: 1e-12, rtol: 0 });
  assertClose(interpolate(plane([[0, 1, 2, 3]]), { size: [1, 2], mode: 'bilinear' }), [0.5, 2.5], { atol: 1e-12, rtol: 0 });
});

test('bilinear interpolation reproduces a linear ramp exactly at every source coordinate', () => {
  // f(r, c) = 3r − 2c + 1 sampled on the input grid; interpolating a linear function is exact.
  const rng = new RNG(4);
  for (let trial = 0; trial < 20; trial++) {
    const [H, W, outH, outW] = [rng.int(1, 7), rng.int(1, 7), rng.int(1, 12), rng.int(1, 12)];
    const alignCorners = trial % 2 === 0;
    const f = (r: number, c: number): number => 3 * r - 2 * c + 1;
    const x = tensor(Float64Array.from({ length: H * W }, (_, q) => f(Math.floor(q / W), q % W)), { shape: [1, 1, H, W] });
    const src = (o: number, n: number, out: number): number => {
      const s = alignCorners ? (out > 1 ? (o * (n - 1)) / (out - 1) : 0) : ((o + 0.5) * n) / out - 0.5;
      return Math.min(Math.max(s, 0), n - 1);
    };
    const expected: number[] = [];
    for (let oh = 0; oh < outH; oh++) for (let ow = 0; ow < outW; ow++) expected.push(f(src(oh, H, outH), src(ow, W, outW)));
    const y = interpolate(x, { size: [outH, outW], mode: 'bilinear', alignCorners });
    assertClose(y, expected, { atol: 1e-12, rtol: 1e-12 }, JSON.stringify({ H, W, outH, outW, alignCorners }));
  }
});

test('gradcheck: nearest and bilinear (both alignCorners), upsampling and downsampling', () => {
  const rng = new RNG(8);
  const cases: { size: [number, number]; mode: 'nearest' | 'bilinear'; alignCorners?: boolean }[] = [
    { size: [8, 9], mode: 'nearest' },
    { size: [2, 5], mode: 'nearest' },
    { size: [9, 7], mode: 'bilinear', alignCorners: false },
    { size: [9, 7], mode: 'bilinear', alignCorners: true },
    { size: [2, 3], mode: 'bilinear', alignCorners: false },
    { size: [2, 3], mode: 'bilinear', alignCorners: true },
  ];
  for (const opts of cases) {
    const x = randn([2, 2, 4, 5], { dtype: 'float64', rng, requiresGrad: true });
    const r = gradcheck((t: Tensor) => interpolate(t, opts), [x]);
    assert.ok(r.ok, `${JSON.stringify(opts)}: ${JSON.stringify(r)}`);
  }
});

test('interpolate backward is deterministic: bit-identical gradients on a repeat', () => {
  const x = randn([2, 3, 5, 6], { rng: new RNG(1) }).requiresGrad_();
  const dy = randn([2, 3, 11, 13], { rng: new RNG(2) });
  for (const mode of ['nearest', 'bilinear'] as const) {
    const run = (): Float32Array => {
      x.grad = null;
      interpolate(x, { size: [11, 13], mode }).backward(dy);
      return Float32Array.from(x.grad!.data);
    };
    assert.deepEqual(run(), run());
  }
});

test('interpolate errors name the op and the bad argument', () => {
  const x = randn([1, 2, 4, 4]);
  assertThrowsWith(() => interpolate(randn([2, 4, 4]), { size: 8 }), ShapeError, 'interpolate: expected input [N, C, H, W], got [2, 4, 4]');
  assertThrowsWith(() => interpolate(tensor([[[[1, 2]]]], { dtype: 'int32' }), { size: 4 }), DTypeError, 'interpolate', 'float32 or float64', 'int32');
  assertThrowsWith(() => interpolate(x, {}), ArgumentError, 'interpolate: give exactly one of size and scaleFactor');
  assertThrowsWith(() => interpolate(x, { size: 8, scaleFactor: 2 }), ArgumentError, 'exactly one of size and scaleFactor');
  assertThrowsWith(() => interpolate(x, { size: [8, 0] }), ArgumentError, 'interpolate: size[1] must be an integer >= 1, got 0');
  assertThrowsWith(() => interpolate(x, { scaleFactor: -2 }), ArgumentError, 'scaleFactor must be a positive finite number', 'got -2');
  assertThrowsWith(() => interpolate(x, { scaleFactor: [2, NaN] }), ArgumentError, 'scaleFactor must be a positive finite number');
  assertThrowsWith(() => interpolate(x, { scaleFactor: 0.2 }), ShapeError, 'interpolate', 'got [1, 2, 4, 4]', 'output would be 0x0');
  assertThrowsWith(() => interpolate(x, { size: 8, mode: 'area' as 'nearest' }), ArgumentError, `mode must be 'nearest', 'bilinear' or 'bicubic', got "area"`);
  assertThrowsWith(() => interpolate(x, { size: 8, mode: 'nearest', alignCorners: true }), ArgumentError, "alignCorners applies to mode 'bilinear' or 'bicubic' only, not 'nearest'");
  assertThrowsWith(() => interpolate(x, { size: 8, mode: 'bilinear', alignCorners: 1 as unknown as boolean }), ArgumentError, 'alignCorners must be true or false, got 1');
});
