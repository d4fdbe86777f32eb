import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ArgumentError, Tensor, tensor } from '../../src/tensor/index.js';
import { add, matmul, mul, reshape, slice, sub, sum } from '../../src/ops/index.js';
import { backward } from '../../src/autograd/index.js';
import { LBFGS, type LBFGSOptions } from '../../src/optim/index.js';
import { cubicInterpolate } from '../../src/optim/line-search.js';
import { assertThrowsWith } from '../helpers.js';

// torch.optim.LBFGS's trajectories, written by scripts/lbfgs_reference.py (PyTorch 1.13, float64).
interface Case { problem: string; lr: number; maxIter: number; historySize: number; lineSearch: string | null; steps: number; x0: number[]; trace: { returned: number; params: number[]; loss: number }[]; funcEvals: number; nIter: number }
const ref = JSON.parse(readFileSync(new URL('../fixtures/lbfgs/reference.json', import.meta.url), 'utf8')) as { A: number[][]; b: number[]; cases: Case[] };

const rosenbrock = (p: Tensor): Tensor => {
  const x = slice(p, [0], [1]);
  const y = slice(p, [1], [2]);
  return sum(add(mul(sub(1, x), sub(1, x)), mul(100, mul(sub(y, mul(x, x)), sub(y, mul(x, x))))));
};
const Am = tensor(ref.A.flat(), { dtype: 'float64' }).reshape([4, 4]);
const bv = tensor(ref.b, { dtype: 'float64' }).reshape([4, 1]);
const quadratic = (p: Tensor): Tensor => {
  const col = reshape(p, [4, 1]);
  return sum(sub(mul(0.5, mul(col, matmul(Am, col))), mul(bv, col)));
};
const PROBLEMS: Record<string, (p: Tensor) => Tensor> = { rosenbrock, quadratic };

function run(c: Case): { opt: LBFGS; p: Tensor; trace: { returned: number; params: number[] }[] } {
  const p = tensor(c.x0, { dtype: 'float64', requiresGrad: true });
  const opts: LBFGSOptions = { lr: c.lr, maxIter: c.maxIter, historySize: c.historySize, lineSearch: c.lineSearch ? 'strongWolfe' : null };
  const opt = new LBFGS([p], opts);
  const closure = () => {
    const l = PROBLEMS[c.problem](p);
    backward(l);
    return l.data[0];
  };
  const trace = Array.from({ length: c.steps }, () => ({ returned: opt.step(closure), params: Array.from(p.data) }));
  return { opt, p, trace };
}

for (const c of ref.cases) {
  test(`LBFGS ${c.problem}, lr ${c.lr}, ${c.lineSearch ?? 'no line search'}: the same iterates as torch.optim.LBFGS`, () => {
    const { opt, trace } = run(c);
    trace.forEach((t, k) => {
      t.params.forEach((v, i) => assert.ok(Math.abs(v - c.trace[k].params[i]) <= 1e-9 * Math.max(1, Math.abs(v)), `step ${k} param ${i}: ${v} vs torch ${c.trace[k].params[i]}`));
      assert.ok(Math.abs(t.returned - c.trace[k].returned) <= 1e-9 * Math.max(1, Math.abs(t.returned)), `step ${k} returned loss ${t.returned} vs ${c.trace[k].returned}`);
    });
    assert.equal(opt.funcEvals, c.funcEvals);
    assert.equal(opt.nIter, c.nIter);
  });
}

test('LBFGS with the strong-Wolfe search reaches the quadratic\'s minimiser A⁻¹b (solved here by Gaussian elimination)', () => {
  const n = 4;
  const aug = ref.A.map((row, i) => [...row, ref.b[i]]);
  for (let k = 0; k < n; k++) {
    for (let i = k + 1; i < n; i++) {
      const f = aug[i][k] / aug[k][k];
      for (let j = k; j <= n; j++) aug[i][j] -= f * aug[k][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) x[i] = (aug[i][n] - aug[i].slice(i + 1, n).reduce((s, v, j) => s + v * x[i + 1 + j], 0)) / aug[i][i];
  const p = tensor([0, 0, 0, 0], { dtype: 'float64', requiresGrad: true });
  const opt = new LBFGS([p], { lineSearch: 'strongWolfe', maxIter: 50, toleranceGrad: 1e-12, toleranceChange: 1e-16 });
  opt.step(() => { const l = quadratic(p); backward(l); return l.data[0]; });
  x.forEach((v, i) => assert.ok(Math.abs(p.data[i] - v) < 1e-9, `x[${i}] = ${p.data[i]}, A⁻¹b gives ${v}`));
});

test('cubicInterpolate: the minimiser of a cubic through two points with slopes (by hand)', () => {
  // f(x) = x³ − 3x has f(0) = 0, f'(0) = −3, f(2) = 2, f'(2) = 9; its minimum in [0, 2] is at x = 1.
  assert.ok(Math.abs(cubicInterpolate(0, 0, -3, 2, 2, 9) - 1) < 1e-12);
  // A bound clips it.
  assert.equal(cubicInterpolate(0, 0, -3, 2, 2, 9, [1.5, 2]), 1.5);
});

test('LBFGS refuses bad settings and a closure that does not return a finite loss', () => {
  const p = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  assertThrowsWith(() => new LBFGS([]), ArgumentError, 'empty parameter list');
  assertThrowsWith(() => new LBFGS([p], { lr: -1 }), ArgumentError, 'lr');
  assertThrowsWith(() => new LBFGS([p], { lineSearch: 'armijo' as never }), ArgumentError, 'strongWolfe');
  assertThrowsWith(() => new LBFGS([p]).step(undefined as never), ArgumentError, 'closure');
  assertThrowsWith(() => new LBFGS([p]).step(() => NaN), ArgumentError, 'finite');
});
