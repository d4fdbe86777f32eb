import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, ShapeError, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { detach, registerHook } from '../../src/autograd/index.js';
import { add, conv2d, mul, relu, sum } from '../../src/ops/index.js';
import { assertThrowsWith } from '../helpers.js';

const leaf = (v: number[]) => tensor(v, { dtype: 'float64', requiresGrad: true });
const close = (a: Tensor, b: Tensor, tol = 1e-12) => {
  assert.deepEqual([...a.shape], [...b.shape]);
  for (let i = 0; i < a.size; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) <= tol, `element ${i}: ${a.data[i]} vs ${b.data[i]}`);
};

test('retainGrad fills a non-leaf tensor\'s .grad; without it .grad stays null', () => {
  const x = leaf([1, 2, 3]);
  const h = mul(x, x);
  const other = mul(x, 2);
  assert.equal(h.retainsGrad, false);
  h.retainGrad();
  assert.equal(h.retainsGrad, true);
  assert.equal(x.retainsGrad, true, 'a leaf that requires grad always keeps its gradient');
  sum(add(mul(h, 3), other)).backward();
  // L = Σ 3x² + 2x: dL/dh = 3, dL/dx = 6x + 2.
  assert.deepEqual(h.grad!.toFlatArray(), [3, 3, 3]);
  assert.deepEqual(x.grad!.toFlatArray(), [8, 14, 20]);
  assert.equal(other.grad, null);
});

test('the retained gradient of an inner activation equals the leaf gradient of the same activation cut from the graph (Grad-CAM)', () => {
  const rng = new RNG(5);
  const x = randn([2, 3, 6, 6], { rng, dtype: 'float64' });
  const w = randn([4, 3, 3, 3], { rng, dtype: 'float64', requiresGrad: true });
  const v = randn([2, 4, 4, 4], { rng, dtype: 'float64' });
  const a = conv2d(x, w);
  a.retainGrad();
  sum(mul(relu(a), v)).backward();
  // The same head on a leaf copy of the activation.
  const a2 = detach(a).requiresGrad_();
  sum(mul(relu(a2), v)).backward();
  close(a.grad!, a2.grad!);
  // By hand: dL/da = v where a > 0, else 0.
  for (let i = 0; i < a.size; i++) assert.equal(a.grad!.data[i], a.data[i] > 0 ? v.data[i] : 0);
});

test('a hook sees the complete gradient (both paths of a diamond) once, and its replacement flows on', () => {
  const x = leaf([1, -2]);
  const h = mul(x, 3);
  const seen: number[][] = [];
  h.registerHook((g) => {
    seen.push(g.toFlatArray());
    return mul(g, 10);
  });
  h.retainGrad();
  // L = Σ h² + h: dL/dh = 2h + 1 = [7, -11]; the hook makes it [70, -110]; dL/dx = 3 · that.
  sum(add(mul(h, h), h)).backward();
  assert.deepEqual(seen, [[7, -11]]);
  assert.deepEqual(h.grad!.toFlatArray(), [70, -110], 'the retained gradient is the one after the hooks');
  assert.deepEqual(x.grad!.toFlatArray(), [210, -330]);
});

test('hooks on a leaf run before its .grad accumulates, in order; remove() unregisters', () => {
  const x = leaf([2, 5]);
  const calls: string[] = [];
  const h1 = registerHook(x, (g) => {
    calls.push(`a:${g.toFlatArray()}`);
    return mul(g, 2);
  });
  x.registerHook((g) => {
    calls.push(`b:${g.toFlatArray()}`);
  });
  sum(mul(x, x)).backward();
  assert.deepEqual(calls, ['a:4,10', 'b:8,20']);
  assert.deepEqual(x.grad!.toFlatArray(), [8, 20]);
  h1.remove();
  h1.remove();
  calls.length = 0;
  x.grad = null;
  sum(mul(x, x)).backward();
  assert.deepEqual(calls, ['b:4,10']);
  assert.deepEqual(x.grad!.toFlatArray(), [4, 10]);
});

test('bad hooks and hooks on tensors without gradients are refused', () => {
  const x = leaf([1, 2]);
  assertThrowsWith(() => tensor([1, 2]).registerHook(() => undefined), ArgumentError, 'registerHook', 'does not require grad');
  assertThrowsWith(() => tensor([1, 2]).retainGrad(), ArgumentError, 'retainGrad', 'does not require grad');
  assertThrowsWith(() => x.registerHook(5 as never), ArgumentError, 'registerHook', 'expected a function');
  const h = mul(x, 2);
  h.registerHook(() => tensor([1, 2, 3], { dtype: 'float64' }));
  assertThrowsWith(() => sum(h).backward(), ShapeError, 'gradient hook', 'shape [2]', 'got [3]');
});
