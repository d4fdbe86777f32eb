import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, RNG, ShapeError, Tensor, ones, randn, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { dropout2d } from '../../src/ops/dropout2d.js';
import { assertThrowsWith } from '../helpers.js';

/** Per plane: 'zero' if every value is 0, 'scaled' if every value is x·s, else 'mixed'. */
function planes(x: Tensor, y: Tensor, S: number, s: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < x.size / S; k++) {
    const ys = Array.from(y.data.slice(k * S, (k + 1) * S));
    const xs = Array.from(x.data.slice(k * S, (k + 1) * S));
    if (ys.every((v) => v === 0)) out.push('zero');
    else if (ys.every((v, i) => Math.abs(v - xs[i] * s) <= 1e-6 * Math.abs(xs[i] * s))) out.push('scaled');
    else out.push('mixed');
  }
  return out;
}

test('dropout2d zeroes whole channel planes and scales the rest by 1/(1 − p), one draw per (n, c) in order', () => {
  const p = 0.4;
  const x = randn([3, 5, 2, 3], { rng: new RNG(1) });
  const y = dropout2d(x, { p, rng: new RNG(7) });
  const kinds = planes(x, y, 6, 1 / (1 - p));
  assert.ok(!kinds.includes('mixed'), `a plane was partly dropped: ${kinds}`);
  // The same seed draws the same uniforms: plane k is dropped iff the k-th draw is < p.
  const r = new RNG(7);
  assert.deepEqual(kinds, Array.from({ length: 15 }, () => (r.random() < p ? 'zero' : 'scaled')));
  // Unbatched [C, H, W]: one draw per channel.
  const u = randn([4, 3, 3], { rng: new RNG(2) });
  const r2 = new RNG(9);
  assert.deepEqual(planes(u, dropout2d(u, { p: 0.5, rng: new RNG(9) }), 9, 2), Array.from({ length: 4 }, () => (r2.random() < 0.5 ? 'zero' : 'scaled')));
});

test('dropout2d keeps the expected value: the mean over many channels is close to the input mean', () => {
  const x = ones([200, 50, 2, 2], { dtype: 'float64' });
  const y = dropout2d(x, { p: 0.3, rng: new RNG(3) });
  const m = Array.from(y.data).reduce((a, b) => a + b, 0) / y.size;
  // 10,000 Bernoulli planes: the standard error of the mean is √(0.3·0.7/10⁴)/0.7 ≈ 0.0065.
  assert.ok(Math.abs(m - 1) < 0.03, `mean ${m}`);
});

test('dropout2d is the identity in eval mode and for p = 0; its gradient is the mask', () => {
  const x = randn([2, 3, 2, 2], { dtype: 'float64', rng: new RNG(4), requiresGrad: true });
  assert.equal(dropout2d(x, { training: false }), x);
  assert.equal(dropout2d(x, { p: 0 }), x);
  const r = gradcheck((t) => dropout2d(t, { p: 0.5, rng: new RNG(5) }), [x], { tol: 1e-6 });
  assert.ok(r.ok, JSON.stringify(r));
});

test('dropout2d refuses bad arguments', () => {
  const x = randn([2, 3, 4, 4]);
  assertThrowsWith(() => dropout2d(x, { p: 1 }), ArgumentError, 'dropout2d', 'p must be in [0, 1)');
  assertThrowsWith(() => dropout2d(x, { p: -0.1 }), ArgumentError, 'dropout2d', 'p must be in [0, 1)');
  assertThrowsWith(() => dropout2d(x, { training: 1 as never }), ArgumentError, 'dropout2d', 'training');
  assertThrowsWith(() => dropout2d(x, { rng: {} as never }), ArgumentError, 'dropout2d', 'rng must be an RNG');
  assertThrowsWith(() => dropout2d(randn([2, 3]), {}), ShapeError, 'dropout2d', '[N, C, H, W] or [C, H, W]', '[2, 3]');
  assertThrowsWith(() => dropout2d(tensor([[[1]]], { dtype: 'int32' })), DTypeError, 'dropout2d');
});
