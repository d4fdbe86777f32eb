import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, Tensor, ArgumentError } from '../../src/tensor/index.js';
import { SGD, Adam, AdamW, RMSprop, StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup, OneCycleLR, clipGradNorm } from '../../src/optim/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function param(values: number[], grad: number[]): Tensor {
  const p = tensor(values, { dtype: 'float64', requiresGrad: true });
  p.grad = tensor(grad, { dtype: 'float64' });
  return p;
}

test('SGD: w ← w − η·g (the decks\' update), with weight decay', () => {
  const p = param([1, -2], [0.5, 0.25]);
  new SGD([p], { lr: 0.1 }).step();
  assertClose(p, [1 - 0.05, -2 - 0.025], { atol: 1e-15 });
  const q = param([1], [0.5]);
  new SGD([q], { lr: 0.1, weightDecay: 0.2 }).step();
  assertClose(q, [1 - 0.1 * (0.5 + 0.2)], { atol: 1e-15 });
});

test('SGD momentum and Nesterov follow PyTorch over three steps', () => {
  const g = [1, 0.5, -1];
  for (const nesterov of [false, true]) {
    const p = param([0], [g[0]]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov });
    let w = 0;
    let v = 0;
    g.forEach((gi, t) => {
      p.grad = tensor([gi], { dtype: 'float64' });
      opt.step();
      v = t === 0 ? gi : 0.9 * v + gi;
      w -= 0.1 * (nesterov ? gi + 0.9 * v : v);
    });
    assertClose(p, [w], { atol: 1e-15 });
  }
});

test('Adam: bias-corrected moments, step by step against the paper\'s formula', () => {
  const p = param([1], [0.3]);
  const opt = new Adam([p], { lr: 0.01 });
  let w = 1;
  let m = 0;
  let v = 0;
  [0.3, -0.1, 0.2].forEach((g, i) => {
    p.grad = tensor([g], { dtype: 'float64' });
    opt.step();
    const t = i + 1;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    w -= (0.01 * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
  });
  assertClose(p, [w], { atol: 1e-14 });
});

test('AdamW decays the weight directly, Adam adds decay to the gradient', () => {
  const a = param([2], [0]);
  new AdamW([a], { lr: 0.1, weightDecay: 0.5 }).step();
  // g = 0: the Adam part is 0/(0 + eps) = 0, so only w·(1 − lr·wd) remains.
  assertClose(a, [2 * (1 - 0.05)], { atol: 1e-15 });
  const b = param([2], [0]);
  new Adam([b], { lr: 0.1, weightDecay: 0.5 }).step();
  // g' = 0 + 0.5·2 = 1: the first Adam step moves by lr·sign(g').
  assertClose(b, [2 - 0.1], { atol: 1e-7 });
});

test('RMSprop divides by the running RMS of the gradient', () => {
  const p = param([1], [2]);
  new RMSprop([p], { lr: 0.01, alpha: 0.9 }).step();
  const sq = 0.1 * 4;
  assertClose(p, [1 - (0.01 * 2) / (Math.sqrt(sq) + 1e-8)], { atol: 1e-15 });
});

test('optimiser state round-trips through stateDict', () => {
  const mk = () => param([1, 2, 3], [0.1, -0.2, 0.3]);
  const p1 = mk();
  const o1 = new Adam([p1], { lr: 0.01 });
  o1.step();
  const p2 = mk();
  p2.data.set(p1.data);
  const o2 = new Adam([p2], { lr: 0.01 });
  o2.loadStateDict(JSON.parse(JSON.stringify(o1.stateDict())));
  o1.step();
  o2.step();
  assert.deepEqual(p2.data, p1.data);
  assertThrowsWith(() => new SGD([p2]).loadStateDict(o1.stateDict()), ArgumentError, 'state is for Adam');
});

test('learning-rate schedules in closed form', () => {
  const mk = () => new SGD([param([0], [0])], { lr: 1 });
  const st = new StepLR(mk(), 2, 0.5);
  const ex = new ExponentialLR(mk(), 0.9);
  const cos = new CosineAnnealingLR(mk(), 4, 0);
  const warm = new LinearWarmup(mk(), 4, 0.2);
  assert.equal(warm.optimizer.lr, 0.2);
  const lrs: number[][] = [];
  for (let t = 0; t < 5; t++) {
    for (const s of [st, ex, cos, warm]) s.step();
    lrs.push([st.optimizer.lr, ex.optimizer.lr, cos.optimizer.lr, warm.optimizer.lr]);
  }
  assertClose(lrs.map((r) => r[0]), [1, 0.5, 0.5, 0.25, 0.25]);
  assertClose(lrs.map((r) => r[1]), [0.9, 0.81, 0.729, 0.6561, 0.59049]);
  assertClose(lrs.map((r) => r[2]), [(1 + Math.cos(Math.PI / 4)) / 2, 0.5, (1 + Math.cos((3 * Math.PI) / 4)) / 2, 0, 0]);
  assertClose(lrs.map((r) => r[3]), [0.4, 0.6, 0.8, 1, 1]);
  // 10 steps with 30% warm-up: the peak falls on step 2 (0.3·10 − 1) and the floor on step 9.
  const oc = new OneCycleLR(mk(), { maxLr: 1, totalSteps: 10, pctStart: 0.3 });
  assert.ok(Math.abs(oc.optimizer.lr - 1 / 25) < 1e-12, 'starts at maxLr/divFactor');
  let peak = 0;
  for (let t = 0; t < 9; t++) {
    oc.step();
    peak = Math.max(peak, oc.optimizer.lr);
  }
  assert.ok(Math.abs(peak - 1) < 1e-12);
  assert.ok(Math.abs(oc.optimizer.lr - 1 / 25 / 1e4) < 1e-12, 'ends at maxLr/(divFactor·finalDivFactor)');
});

test('clipGradNorm scales all gradients together to the max norm', () => {
  const a = param([0, 0], [3, 0]);
  const b = param([0], [4]);
  const norm = clipGradNorm([a, b], 1);
  assert.equal(norm, 5);
  assertClose(a.grad!, [0.6, 0], { atol: 1e-6 });
  assertClose(b.grad!, [0.8], { atol: 1e-6 });
});

test('bad hyper-parameters are refused with their names', () => {
  assertThrowsWith(() => new SGD([param([0], [0])], { lr: -1 }), ArgumentError, 'SGD: lr must be a finite number >= 0, got -1');
  assertThrowsWith(() => new Adam([param([0], [0])], { betas: [1.5, 0.9] }), ArgumentError, 'betas[0]');
  assertThrowsWith(() => new SGD([]), ArgumentError, 'empty parameter list');
});
