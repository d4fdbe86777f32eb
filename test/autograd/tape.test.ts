import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, ReceptiveError, RNG, ShapeError, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { backward, detach, gradcheck, isGradEnabled, noGrad, record, withGrad } from '../../src/autograd/index.js';
import { add, exp, matmul, mean, mul, relu, softmax, sum } from '../../src/ops/index.js';
import { unary } from '../../src/ops/util.js';
import { assertThrowsWith } from '../helpers.js';

const leaf = (v: number[]) => tensor(v, { dtype: 'float64', requiresGrad: true });

test('gradients accumulate across two backward calls', () => {
  const x = leaf([1, 2, 3]);
  const y = sum(mul(x, x));
  y.backward({ retainGraph: true });
  assert.deepEqual(x.grad?.toFlatArray(), [2, 4, 6]);
  y.backward();
  assert.deepEqual(x.grad?.toFlatArray(), [4, 8, 12]);
  sum(x).backward();
  assert.deepEqual(x.grad?.toFlatArray(), [5, 9, 13]);
});

test('a tensor used twice (a diamond) gets the sum of both paths', () => {
  const x = leaf([1, -2]);
  add(mul(x, x), x).backward(tensor([1, 1], { dtype: 'float64' }));
  assert.deepEqual(x.grad?.toFlatArray(), [3, -3]);
});

test('backward with a given upstream gradient computes the vector–Jacobian product', () => {
  const x = leaf([1, 2]);
  const y = mul(x, 3);
  y.backward(tensor([10, -1], { dtype: 'float64' }));
  assert.deepEqual(x.grad?.toFlatArray(), [30, -3]);
  assertThrowsWith(() => y.backward(tensor([1, 2, 3], { dtype: 'float64' })), ShapeError, 'backward', 'gradient of shape [2]', 'got [3]');
});

test('backward on a non-scalar without a gradient, or on a constant, throws', () => {
  const x = leaf([1, 2]);
  assertThrowsWith(() => mul(x, 2).backward(), ShapeError, 'backward', 'one-element tensor', 'got [2]');
  assertThrowsWith(() => backward(tensor([1])), ArgumentError, 'backward', 'does not require grad');
});

test('noGrad records nothing and restores the previous mode, even on throw', () => {
  const x = leaf([1, 2]);
  const y = noGrad(() => mul(x, 2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.equal(isGradEnabled(), true);
  assert.throws(() => noGrad(() => { throw new Error('boom'); }));
  assert.equal(isGradEnabled(), true);
  noGrad(() => {
    const z = withGrad(true, () => mul(x, 2));
    assert.equal(z.requiresGrad, true);
    assert.equal(isGradEnabled(), false);
  });
});

test('detach shares the data but stops the gradient', () => {
  const x = leaf([3]);
  const d = detach(x);
  assert.equal(d.data, x.data);
  assert.equal(d.requiresGrad, false);
  mul(x, x.detach()).backward();
  assert.deepEqual(x.grad?.toFlatArray(), [3]);
  assert.equal(x.isLeaf, true);
  assert.equal(mul(x, 1).isLeaf, false);
  assert.equal(tensor([1]).requiresGrad_().requiresGrad, true);
});

test('repeated backward over the same graph is bit-identical', () => {
  const run = () => {
    const rng = new RNG(4);
    const w = randn([5, 4], { dtype: 'float32', rng, requiresGrad: true });
    const x = randn([3, 5], { dtype: 'float32', rng });
    mean(softmax(relu(matmul(x, w)), -1)).backward();
    mean(exp(matmul(x, w))).backward();
    return Array.from(new Uint32Array(w.grad!.data.buffer));
  };
  assert.deepEqual(run(), run());
});

test('a chain of 20000 ops backpropagates without overflowing the stack', () => {
  const x = leaf([1]);
  let y: Tensor = x;
  for (let i = 0; i < 20000; i++) y = add(y, 1);
  y.backward();
  assert.deepEqual(x.grad?.toFlatArray(), [1]);
});

test('gradcheck catches a wrong backward rule and refuses float32', () => {
  const wrongSquare = (t: Tensor) => record('wrongSquare', unary('square', t), [t], (g) => [mul(g, t)]); // should be 2·g·t
  const r = gradcheck(wrongSquare, [leaf([0.5, -1.5])]);
  assert.equal(r.ok, false);
  assert.ok(r.maxRelError > 0.1);
  assert.ok(gradcheck((t) => mul(t, t), [leaf([0.5, -1.5])]).ok);
  assertThrowsWith(() => gradcheck((t) => t, [tensor([1], { requiresGrad: true })]), DTypeError, 'gradcheck', 'float64');
});

test('a backward rule that returns the wrong shape is reported with the op name', () => {
  const bad = (t: Tensor) => record('badOp', unary('neg', t), [t], () => [tensor([1, 2, 3], { dtype: 'float64' })]);
  assertThrowsWith(() => sum(bad(leaf([1, 2]))).backward(), ShapeError, 'backward of badOp', 'input 0 of shape [2]', 'got [3]');
});

test('backward releases the graph: a second backward through it names the op and the way out', () => {
  const x = leaf([1, 2, 3]);
  const h = exp(x);
  const y = sum(mul(h, x));
  y.backward();
  assert.deepEqual(y.gradFn?.inputs, [], 'the root node holds no inputs after backward');
  assert.deepEqual(h.gradFn?.inputs, [], 'inner nodes are released too');
  assertThrowsWith(() => y.backward(), ReceptiveError, 'graph through sum', 'already released', 'retainGraph: true');
  // A new op on a released inner tensor reaches its released node: the same error, naming that op.
  assertThrowsWith(() => sum(h).backward(), ReceptiveError, 'graph through exp', 'already released');
  // The leaf's gradient from the first pass is intact: d/dx Σ x·eˣ = eˣ(1 + x).
  x.grad!.toFlatArray().forEach((g, i) => assert.ok(Math.abs(g - Math.exp(i + 1) * (i + 2)) < 1e-12));
});

test('backward(grad, { retainGraph: true }) keeps the graph for another pass with the same result', () => {
  const x = leaf([1, -2]);
  const y = mul(x, x);
  const g = tensor([1, 3], { dtype: 'float64' });
  y.backward(g, { retainGraph: true });
  const first = x.grad!.toFlatArray();
  assert.deepEqual(first, [2 * 1 * 1, 2 * -2 * 3]);
  backward(y, g, { retainGraph: true });
  assert.deepEqual(x.grad!.toFlatArray(), first.map((v) => 2 * v));
  y.backward(g);
  assert.throws(() => y.backward(g), /graph through mul was already released/);
});
