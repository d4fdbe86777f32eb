import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ArgumentError, RNG, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { interpolate, mul, sum, type InterpolateOptions } from '../../src/ops/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

/*
 * interpolate's coordinate modes and bicubic against PyTorch's F.interpolate
 * (test/fixtures/torch-interpolate.json, from scripts/torch-interpolate-reference.py),
 * by hand, and by gradcheck.
 */

interface TorchCase {
  name: string;
  shape: number[];
  kwargs: { mode: string; size?: number[]; scale_factor?: number | number[]; align_corners?: boolean; recompute_scale_factor?: boolean };
  input: number[];
  outShape: number[];
  output: number[];
  dy: number[];
  grad: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-interpolate.json', import.meta.url), 'utf8')) as { cases: TorchCase[] };

/** F.interpolate's keyword arguments as interpolate options. */
function optionsOf(kw: TorchCase['kwargs']): InterpolateOptions {
  const o: InterpolateOptions = {};
  if (kw.size) o.size = [kw.size[0], kw.size[1]];
  if (kw.scale_factor !== undefined) {
    o.scaleFactor = typeof kw.scale_factor === 'number' ? kw.scale_factor : [kw.scale_factor[0], kw.scale_factor[1]];
    o.recomputeScaleFactor = kw.recompute_scale_factor ?? false;
  }
  if (kw.mode === 'nearest-exact') return { ...o, mode: 'nearest', coordinateMode: 'half_pixel', nearestMode: 'round_prefer_ceil' };
  o.mode = kw.mode as InterpolateOptions['mode'];
  if (kw.align_corners !== undefined) o.alignCorners = kw.align_corners;
  return o;
}

for (const c of fixture.cases) {
  test(`interpolate equals PyTorch's F.interpolate: ${c.name} (output and input gradient)`, () => {
    const x = new Tensor(Float64Array.from(c.input), c.shape, true);
    const y = interpolate(x, optionsOf(c.kwargs));
    assert.deepEqual(y.shape, c.outShape);
    assertClose(Array.from(y.data), c.output, { atol: 1e-10 }, 'output');
    sum(mul(y, new Tensor(Float64Array.from(c.dy), c.outShape))).backward();
    assertClose(Array.from(x.grad!.data), c.grad, { atol: 1e-10 }, 'gradient');
  });
}

test('interpolate coordinate modes by hand on one axis of 4 → 8 and 4 → 3', () => {
  const row = tensor([[[[0, 10, 20, 30]]]], { dtype: 'float64' });
  const at = (o: InterpolateOptions) => Array.from(interpolate(row, o).data);
  // asymmetric linear: x = o/2 → 0, 5, 10, …, clamped at the last input.
  assert.deepEqual(at({ size: [1, 8], mode: 'bilinear', coordinateMode: 'asymmetric' }), [0, 5, 10, 15, 20, 25, 30, 30]);
  // half_pixel: x = (o + ½)/2 − ½ = −¼, ¼, ¾, … (clamped to 0 at the start).
  assert.deepEqual(at({ size: [1, 8], mode: 'bilinear', coordinateMode: 'half_pixel' }), [0, 2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 30]);
  // pytorch_half_pixel on an output of width 1 reads coordinate 0; half_pixel reads the centre 1.5.
  assert.deepEqual(Array.from(interpolate(row, { size: [1, 1], mode: 'bilinear', coordinateMode: 'pytorch_half_pixel' }).data), [0]);
  assert.deepEqual(Array.from(interpolate(row, { size: [1, 1], mode: 'bilinear', coordinateMode: 'half_pixel' }).data), [15]);
  // align_corners 4 → 3: x = 0, 1.5, 3.
  assert.deepEqual(at({ size: [1, 3], mode: 'bilinear', alignCorners: true }), [0, 15, 30]);
  // nearest 4 → 3 with half_pixel: x = (o + ½)·4/3 − ½ = ⅙, 1.5, 2.83; the rounding decides the tie at 1.5.
  assert.deepEqual(at({ size: [1, 3], coordinateMode: 'half_pixel', nearestMode: 'round_prefer_floor' }), [0, 10, 30]);
  assert.deepEqual(at({ size: [1, 3], coordinateMode: 'half_pixel', nearestMode: 'round_prefer_ceil' }), [0, 20, 30]);
  assert.deepEqual(at({ size: [1, 3], coordinateMode: 'half_pixel', nearestMode: 'ceil' }), [10, 20, 30]);
  // Cubic on a linear ramp away from the borders reproduces the ramp (the kernel's weights sum to 1 and are symmetric).
  const ramp = tensor([[[[0, 1, 2, 3, 4, 5, 6, 7]]]], { dtype: 'float64' });
  const y = Array.from(interpolate(ramp, { size: [1, 16], mode: 'bicubic', coordinateMode: 'asymmetric' }).data);
  for (let o = 2; o < 12; o++) assert.ok(Math.abs(y[o] - o / 2) < 1e-12, `ramp at ${o}: ${y[o]}`);
});

test('interpolate: every mode passes gradcheck in float64', () => {
  const x = randn([1, 2, 4, 5], { dtype: 'float64', rng: new RNG(5), requiresGrad: true });
  const modes: InterpolateOptions[] = [
    { size: [7, 3], mode: 'bicubic' },
    { size: [6, 8], mode: 'bicubic', alignCorners: true },
    { size: [7, 9], mode: 'bicubic', cubicCoeff: -0.5, excludeOutside: true },
    { scaleFactor: 1.5, mode: 'bicubic', recomputeScaleFactor: false },
    { size: [7, 3], mode: 'bilinear', coordinateMode: 'asymmetric' },
    { size: [1, 6], mode: 'bilinear', coordinateMode: 'pytorch_half_pixel' },
    { scaleFactor: [1.7, 0.6], mode: 'bilinear', recomputeScaleFactor: false },
    { size: [7, 3], mode: 'nearest', coordinateMode: 'half_pixel', nearestMode: 'round_prefer_ceil' },
    { size: [3, 9], mode: 'nearest', coordinateMode: 'align_corners', nearestMode: 'round_prefer_floor' },
  ];
  for (const o of modes) {
    const r = gradcheck((t) => interpolate(t, o), [x]);
    assert.ok(r.ok, `${JSON.stringify(o)}: ${JSON.stringify(r)}`);
  }
});

test('interpolate: options that do not apply, or contradict, are named', () => {
  const x = randn([1, 1, 4, 4]);
  assertThrowsWith(() => interpolate(x, { size: 8, coordinateMode: 'tf_crop' as 'asymmetric' }), ArgumentError, "coordinateMode must be one of 'half_pixel'");
  assertThrowsWith(() => interpolate(x, { size: 8, mode: 'bilinear', nearestMode: 'floor' }), ArgumentError, "nearestMode applies to mode 'nearest' only");
  assertThrowsWith(() => interpolate(x, { size: 8, cubicCoeff: -0.5 }), ArgumentError, "cubicCoeff applies to mode 'bicubic' only");
  assertThrowsWith(() => interpolate(x, { size: 8, mode: 'bicubic', alignCorners: true, coordinateMode: 'half_pixel' }), ArgumentError, 'contradicts');
  assertThrowsWith(() => interpolate(x, { size: 8, recomputeScaleFactor: false }), ArgumentError, 'recomputeScaleFactor applies with scaleFactor only');
  assertThrowsWith(() => interpolate(x, { size: 8, mode: 'area' as 'nearest' }), ArgumentError, "mode must be 'nearest', 'bilinear' or 'bicubic'");
});
