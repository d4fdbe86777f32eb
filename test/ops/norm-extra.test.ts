import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ArgumentError, DTypeError, RNG, ShapeError, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { groupNorm, instanceNorm } from '../../src/ops/groupnorm.js';
import { layerNorm } from '../../src/ops/layernorm.js';
import { pixelShuffle, pixelUnshuffle } from '../../src/ops/pixelshuffle.js';
import { mul } from '../../src/ops/elementwise.js';
import { sum } from '../../src/ops/reduce.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function assertGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, { tol: 1e-6 });
  assert.ok(r.ok, `gradcheck failed: ${JSON.stringify(r)}`);
}

const f64 = (v: number[], shape: number[], requiresGrad = false) => tensor(v, { dtype: 'float64', shape, requiresGrad });

test('layerNorm by hand: each row normalised by its own mean and biased variance, then γ·x̂ + β', () => {
  // Row 0: 1, 2, 3 (mean 2, var 2/3); row 1: 2, 4, 6 (mean 4, var 8/3).
  const x = f64([1, 2, 3, 2, 4, 6], [2, 3]);
  const y = layerNorm(x, 3, { weight: f64([1, 2, 3], [3]), bias: f64([0, 1, -1], [3]), eps: 0 });
  const z = Math.sqrt(3 / 2);
  assertClose(y, [-z, 1, 3 * z - 1, -z, 1, 3 * z - 1], { atol: 1e-12 });
  // No affine: x̂ alone; a constant row is 0 (eps keeps it finite).
  assertClose(layerNorm(f64([5, 5, 5, 5], [1, 4]), [4]), [0, 0, 0, 0], { atol: 0 });
});

test('groupNorm by hand: statistics per (sample, group of channels), affine per channel', () => {
  // N = 1, C = 4, S = 2, 2 groups: channels 0-1 hold 0, 2, 4, 6 (mean 3, var 5), channels 2-3 hold 1, 1, 3, 3 (mean 2, var 1).
  const x = f64([0, 2, 4, 6, 1, 1, 3, 3], [1, 4, 2]);
  const y = groupNorm(x, 2, { weight: f64([1, 2, 1, 1], [4]), bias: f64([0, 0, 0, 10], [4]), eps: 0 });
  const s = Math.sqrt(5);
  assertClose(y, [-3 / s, -1 / s, 2 / s, 6 / s, -1, -1, 11, 11], { atol: 1e-12 });
  // The batch does not mix: each sample of a two-sample batch matches its result alone.
  const rng = new RNG(3);
  const xb = randn([2, 6, 3], { dtype: 'float64', rng });
  const both = groupNorm(xb, 3);
  const first = groupNorm(new Tensor(xb.data.slice(0, 18), [1, 6, 3]), 3);
  assertClose(both.data.slice(0, 18), first, { atol: 1e-14 });
});

test('instanceNorm is groupNorm with one channel per group', () => {
  const rng = new RNG(4);
  const x = randn([2, 3, 4, 2], { dtype: 'float64', rng });
  const w = randn([3], { dtype: 'float64', rng });
  const b = randn([3], { dtype: 'float64', rng });
  assertClose(instanceNorm(x, { weight: w, bias: b }), groupNorm(x, 3, { weight: w, bias: b }), { atol: 1e-14 });
  // Each plane then has mean 0 and variance 1 (no affine, eps 0).
  const y = instanceNorm(x, { eps: 0 });
  for (let k = 0; k < 6; k++) {
    const v = Array.from(y.data.slice(k * 8, k * 8 + 8));
    const m = v.reduce((a, c) => a + c) / 8;
    const q = v.reduce((a, c) => a + (c - m) ** 2, 0) / 8;
    assert.ok(Math.abs(m) < 1e-12 && Math.abs(q - 1) < 1e-10, `plane ${k}: mean ${m}, var ${q}`);
  }
});

test('pixelShuffle by hand: output (c, h·r + i, w·r + j) is input (c·r² + i·r + j, h, w); pixelUnshuffle inverts it', () => {
  // [1, 4, 1, 2] → [1, 1, 2, 4]: channels 0..3 hold 10c + w.
  const x = f64([0, 1, 10, 11, 20, 21, 30, 31], [1, 4, 1, 2]);
  const y = pixelShuffle(x, 2);
  assert.deepEqual(y.shape, [1, 1, 2, 4]);
  assertClose(y, [0, 10, 1, 11, 20, 30, 21, 31], { atol: 0 });
  assertClose(pixelUnshuffle(y, 2), x, { atol: 0 });
  const z = randn([2, 3, 18, 4, 6], { rng: new RNG(5) });
  assertClose(pixelShuffle(pixelUnshuffle(z, 2), 2), z, { atol: 0 });
  assertClose(pixelShuffle(z, 1), z, { atol: 0 });
});

interface TorchCase {
  name: string;
  shapes: number[][];
  inputs: number[][];
  outShape: number[];
  out: number[];
  dy: number[];
  grads: number[][];
  normalizedShape?: number[];
  numGroups?: number;
  eps?: number;
  factor?: number;
}

function torchOp(c: TorchCase): (...xs: Tensor[]) => Tensor {
  const affine = (xs: Tensor[]) => ({ weight: xs[1] ?? null, bias: xs[2] ?? null, eps: c.eps });
  if (c.name.startsWith('layerNorm')) return (...xs) => layerNorm(xs[0], c.normalizedShape!, affine(xs));
  if (c.name.startsWith('groupNorm')) return (...xs) => groupNorm(xs[0], c.numGroups!, affine(xs));
  if (c.name.startsWith('instanceNorm')) return (...xs) => instanceNorm(xs[0], affine(xs));
  if (c.name.startsWith('pixelShuffle')) return (x) => pixelShuffle(x, c.factor!);
  if (c.name.startsWith('pixelUnshuffle')) return (x) => pixelUnshuffle(x, c.factor!);
  throw new Error(`unknown fixture case ${c.name}`);
}

// Outputs and gradients from PyTorch 1.13 (scripts/torch-norm-reference.py).
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-norm.json', import.meta.url), 'utf8')) as { cases: TorchCase[] };

for (const c of fixture.cases) {
  test(`PyTorch parity, float64 and float32: ${c.name}`, () => {
    const fn = torchOp(c);
    for (const dtype of ['float64', 'float32'] as const) {
      const tol = dtype === 'float64' ? { atol: 1e-10, rtol: 1e-9 } : { atol: 2e-5, rtol: 1e-4 };
      const xs = c.inputs.map((v, i) => tensor(v, { dtype, shape: c.shapes[i], requiresGrad: true }));
      const y = fn(...xs);
      assert.deepEqual(y.shape, c.outShape);
      assertClose(y, c.out, tol, `${c.name} ${dtype} output`);
      sum(mul(y, tensor(c.dy, { dtype, shape: c.outShape }))).backward();
      xs.forEach((x, i) => assertClose(x.grad!, c.grads[i], tol, `${c.name} ${dtype} gradient of input ${i}`));
    }
  });
}

test('gradcheck (float64): layerNorm, groupNorm, instanceNorm, pixelShuffle, pixelUnshuffle', () => {
  const rng = new RNG(11);
  const r = (shape: number[]) => randn(shape, { dtype: 'float64', rng, requiresGrad: true });
  assertGrad((x, w, b) => layerNorm(x, [2, 3], { weight: w, bias: b }), [r([3, 2, 3]), r([2, 3]), r([2, 3])]);
  assertGrad((x, w) => layerNorm(x, 4, { weight: w }), [r([2, 2, 4]), r([4])]);
  assertGrad((x, b) => layerNorm(x, 4, { bias: b }), [r([3, 4]), r([4])]);
  assertGrad((x) => layerNorm(x, [3, 2]), [r([2, 3, 2])]);
  assertGrad((x, w, b) => groupNorm(x, 2, { weight: w, bias: b }), [r([2, 4, 3, 2]), r([4]), r([4])]);
  assertGrad((x) => groupNorm(x, 3, { eps: 1e-3 }), [r([2, 6, 2])]);
  assertGrad((x, w, b) => instanceNorm(x, { weight: w, bias: b }), [r([2, 3, 2, 2]), r([3]), r([3])]);
  assertGrad((x) => pixelShuffle(x, 2), [r([2, 8, 2, 3])]);
  assertGrad((x) => pixelUnshuffle(x, 3), [r([1, 2, 3, 6])]);
  // Only the parameters need a gradient (a frozen input).
  const x = randn([2, 4, 3], { dtype: 'float64', rng });
  assertGrad((w, b) => groupNorm(x, 2, { weight: w, bias: b }), [r([4]), r([4])]);
  assertGrad((w, b) => layerNorm(x, [4, 3], { weight: w, bias: b }), [r([4, 3]), r([4, 3])]);
});

test('bad arguments name the op and what was wrong', () => {
  const x = randn([2, 6, 3, 3]);
  assertThrowsWith(() => layerNorm(x, [4]), ShapeError, 'layerNorm', '[..., 4]', '[2, 6, 3, 3]');
  assertThrowsWith(() => layerNorm(x, [6, 3]), ShapeError, 'layerNorm', '[..., 6, 3]');
  assertThrowsWith(() => layerNorm(x, []), ArgumentError, 'layerNorm', 'normalizedShape');
  assertThrowsWith(() => layerNorm(x, [0]), ArgumentError, 'layerNorm', 'normalizedShape');
  assertThrowsWith(() => layerNorm(x, 3, { weight: randn([4]) }), ShapeError, 'layerNorm', 'weight [3]', '[4]');
  assertThrowsWith(() => layerNorm(x, 3, { eps: -1 }), ArgumentError, 'layerNorm', 'eps');
  assertThrowsWith(() => layerNorm(tensor([1, 2], { dtype: 'int32' }), 2), DTypeError, 'layerNorm');
  assertThrowsWith(() => layerNorm([1, 2] as unknown as Tensor, 2), ArgumentError, 'layerNorm', 'x must be a Tensor');
  assertThrowsWith(() => groupNorm(x, 4), ShapeError, 'groupNorm', 'divisible by numGroups 4', '6 channels');
  assertThrowsWith(() => groupNorm(x, 0), ArgumentError, 'groupNorm', 'numGroups');
  assertThrowsWith(() => groupNorm(x, 1.5), ArgumentError, 'groupNorm', 'numGroups');
  assertThrowsWith(() => groupNorm(randn([5]), 1), ShapeError, 'groupNorm', '[N, C, ...]');
  assertThrowsWith(() => groupNorm(x, 2, { bias: randn([3]) }), ShapeError, 'groupNorm', 'bias [6]');
  assertThrowsWith(() => groupNorm(x, 2, null as never), ArgumentError, 'groupNorm', 'options');
  assertThrowsWith(() => instanceNorm(randn([2, 3])), ShapeError, 'instanceNorm', 'spatial');
  assertThrowsWith(() => instanceNorm(randn([2, 3, 1, 1])), ShapeError, 'instanceNorm', 'more than 1 spatial element');
  assertThrowsWith(() => instanceNorm(x, { runningMean: randn([6]) } as never), ArgumentError, 'instanceNorm', 'running statistics are not supported');
  assertThrowsWith(() => pixelShuffle(x, 2), ShapeError, 'pixelShuffle', 'upscaleFactor² = 4', '6 channels');
  assertThrowsWith(() => pixelShuffle(randn([4, 4]), 2), ShapeError, 'pixelShuffle', 'rank >= 3');
  assertThrowsWith(() => pixelShuffle(x, 0), ArgumentError, 'pixelShuffle', 'upscaleFactor');
  assertThrowsWith(() => pixelUnshuffle(x, 2), ShapeError, 'pixelUnshuffle', 'divisible by downscaleFactor 2');
  assertThrowsWith(() => pixelUnshuffle(x, -1), ArgumentError, 'pixelUnshuffle', 'downscaleFactor');
});
