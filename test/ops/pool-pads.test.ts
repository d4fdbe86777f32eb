import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { avgPool2d, maxPool2d, maxPool2dWithIndices } from '../../src/ops/pool.js';
import { gradcheck } from '../../src/autograd/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

/*
 * Four-sided pool padding [top, bottom, left, right], as ONNX and TensorFlow's
 * 'same' define it, against a direct loop over each window's in-bounds taps.
 */

function naivePool(x: Tensor, kind: 'max' | 'avg', k: number[], s: number[], p: number[], countIncludePad: boolean): number[] {
  const [N, C, H, W] = x.shape;
  const oh = Math.floor((H + p[0] + p[1] - k[0]) / s[0]) + 1;
  const ow = Math.floor((W + p[2] + p[3] - k[1]) / s[1]) + 1;
  const out: number[] = [];
  for (let nc = 0; nc < N * C; nc++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let acc = kind === 'max' ? -Infinity : 0;
        let n = 0;
        for (let a = 0; a < k[0]; a++) {
          for (let b = 0; b < k[1]; b++) {
            const h = i * s[0] - p[0] + a;
            const w = j * s[1] - p[2] + b;
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            const v = x.data[nc * H * W + h * W + w];
            acc = kind === 'max' ? Math.max(acc, v) : acc + v;
            n++;
          }
        }
        out.push(kind === 'max' ? acc : acc / (countIncludePad ? k[0] * k[1] : n));
      }
    }
  }
  return out;
}

const x = randn([2, 3, 6, 7], { dtype: 'float64', rng: new RNG(3) });
const CASES: [number[], number[], number[]][] = [
  [[3, 3], [1, 1], [0, 2, 1, 0]], // asymmetric
  [[2, 3], [2, 2], [1, 0, 0, 2]], // TF 'same' style: more at the end
  [[3, 2], [1, 2], [2, 2, 1, 1]], // above half the window (top and bottom)
];

test('maxPool2d and avgPool2d with four-sided padding equal a direct loop over the window', () => {
  for (const [k, s, p] of CASES) {
    const padding = p as [number, number, number, number];
    assertClose(Array.from(maxPool2d(x, { kernelSize: k as [number, number], stride: s as [number, number], padding }).data), naivePool(x, 'max', k, s, p, false), {}, `max ${p}`);
    for (const countIncludePad of [true, false]) {
      const y = avgPool2d(x, { kernelSize: k as [number, number], stride: s as [number, number], padding, countIncludePad });
      assertClose(Array.from(y.data), naivePool(x, 'avg', k, s, p, countIncludePad), { atol: 1e-12 }, `avg ${p} countIncludePad ${countIncludePad}`);
    }
  }
});

test('four-sided symmetric padding within half the window is the ordinary pool', () => {
  const a = maxPool2d(x, { kernelSize: 3, stride: 2, padding: [1, 1, 1, 1] });
  assert.deepEqual(Array.from(a.data), Array.from(maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }).data));
  assert.deepEqual(maxPool2dWithIndices(x, { kernelSize: 3, stride: 1, padding: [1, 1, 0, 0] }).y.shape, [2, 3, 6, 5]);
});

test('four-sided pool padding: gradcheck in float64', () => {
  const xs = randn([1, 2, 5, 5], { dtype: 'float64', rng: new RNG(4), requiresGrad: true });
  const pads: [number, number, number, number] = [0, 2, 1, 0];
  for (const countIncludePad of [true, false]) {
    const r = gradcheck((t) => avgPool2d(t, { kernelSize: 3, stride: 2, padding: pads, countIncludePad }), [xs]);
    assert.ok(r.ok, JSON.stringify(r));
  }
  // Distinct values, so each max window has a single winner.
  const d = tensor([[[[3, 9, 1], [4, 7, 2], [8, 5, 6]]]], { dtype: 'float64', requiresGrad: true });
  const r = gradcheck((t) => maxPool2d(t, { kernelSize: 2, stride: 1, padding: [1, 0, 0, 1] }), [d]);
  assert.ok(r.ok, JSON.stringify(r));
});

test('four-sided pool padding: bad values named; no indices for it', () => {
  assertThrowsWith(() => maxPool2d(x, { kernelSize: 2, padding: [1, -1, 0, 0] }), ArgumentError, 'maxPool2d', 'padding [top, bottom, left, right]');
  assertThrowsWith(() => maxPool2dWithIndices(x, { kernelSize: 2, padding: [1, 0, 0, 0] }), ArgumentError, 'maxPool2dWithIndices', 'symmetric padding');
  assertThrowsWith(() => maxPool2d(x, { kernelSize: 3, padding: 2 }), ArgumentError, 'at most half of kernelSize');
});
