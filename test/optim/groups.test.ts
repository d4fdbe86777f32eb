import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, Tensor, tensor } from '../../src/tensor/index.js';
import { Module } from '../../src/nn/module.js';
import { SGD, Adam, AdamW, RMSprop, StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup, OneCycleLR, type Optimizer, type OptimizerStateDict } from '../../src/optim/index.js';
import { parseCheckpoint, serializeCheckpoint, CHECKPOINT_FORMAT } from '../../src/train/checkpoint.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

/*
 * The quadratic J(w) = ½·Σ a_i·w_i² has the gradient a_i·w_i; every test sets
 * the gradients from it by hand, so the expected updates follow on paper.
 */
const A = [2, 0.5, 1, 3];
const w64 = (v: number[]) => tensor(v, { dtype: 'float64', requiresGrad: true });
function setQuadGrads(ps: Tensor[]): void {
  let k = 0;
  for (const p of ps) p.grad = tensor(Array.from(p.data, (w) => A[k++ % A.length] * w), { dtype: 'float64' });
}

test('SGD groups by hand: per-group lr, momentum and weight decay', () => {
  const a = w64([1, -2]);
  const b = w64([4, 1]);
  const opt = new SGD([{ params: [a], lr: 0.1, momentum: 0.9 }, { params: [b], weightDecay: 0.5 }], { lr: 0.01 });
  // Group 0 (a = 2, 0.5): v₁ = g₁, w₁ = w₀ − 0.1·g₁; v₂ = 0.9·v₁ + g₂, w₂ = w₁ − 0.1·v₂.
  // Group 1 (a = 1, 3): the default lr 0.01, d = g + 0.5·w, w ← w − 0.01·d.
  const ea = [1, -2];
  const va = [0, 0];
  const eb = [4, 1];
  for (let t = 0; t < 2; t++) {
    setQuadGrads([a, b]);
    opt.step();
    for (let i = 0; i < 2; i++) {
      const g = A[i] * ea[i];
      va[i] = t === 0 ? g : 0.9 * va[i] + g;
      ea[i] -= 0.1 * va[i];
      eb[i] -= 0.01 * (A[i + 2] * eb[i] + 0.5 * eb[i]);
    }
  }
  assertClose(a, ea, { atol: 1e-15 });
  assertClose(b, eb, { atol: 1e-15 });
  assert.equal(opt.paramGroups[1].lr, 0.01);
  assert.equal(opt.paramGroups[1].momentum, 0);
  assert.equal(opt.paramGroups[0].weightDecay, 0);
});

const makers: [string, (p: ConstructorParameters<typeof SGD>[0] | ConstructorParameters<typeof Adam>[0], o: Record<string, unknown>) => Optimizer, Record<string, unknown>, Record<string, unknown>][] = [
  ['SGD', (p, o) => new SGD(p as never, o), { lr: 0.05, momentum: 0.5, nesterov: true }, { lr: 0.2, dampening: 0.1, momentum: 0.8 }],
  ['Adam', (p, o) => new Adam(p as never, o), { lr: 0.01, amsgrad: true }, { lr: 0.003, betas: [0.8, 0.99], weightDecay: 0.1 }],
  ['AdamW', (p, o) => new AdamW(p as never, o), { lr: 0.01 }, { lr: 0.05, weightDecay: 0.3, eps: 1e-6 }],
  ['RMSprop', (p, o) => new RMSprop(p as never, o), { lr: 0.01, centered: true }, { lr: 0.002, alpha: 0.9, momentum: 0.7, weightDecay: 0.05 }],
];

for (const [name, make, defaults, override] of makers) {
  test(`${name}: a group behaves as its own optimiser with its settings; the flat form is one group`, () => {
    const p0 = [w64([1, -2]), w64([0.5])];
    const p1 = [w64([3, 2, -1])];
    const grouped = make([{ params: p0 }, { params: p1, ...override }], defaults);
    const q0 = [w64([1, -2]), w64([0.5])];
    const q1 = [w64([3, 2, -1])];
    const alone0 = make(q0, defaults);
    const alone1 = make(q1, { ...defaults, ...override });
    const r1 = [w64([3, 2, -1])];
    const withDefaults = make(r1, defaults);
    for (let t = 0; t < 4; t++) {
      setQuadGrads([...p0, ...p1]);
      setQuadGrads([...q0, ...q1]);
      setQuadGrads([...q0.map((q) => w64(Array.from(q.data))), ...r1]);
      grouped.step();
      alone0.step();
      alone1.step();
      withDefaults.step();
    }
    [...p0, ...p1].forEach((p, i) => assert.deepEqual(Array.from(p.data), Array.from([...q0, ...q1][i].data), `${name} parameter ${i}`));
    // The groups moved differently: the settings were really applied.
    assert.notDeepEqual(Array.from(p1[0].data), Array.from(r1[0].data));
    assert.equal(grouped.paramGroups.length, 2);
    assert.equal(grouped.paramGroups[1].lr, override.lr);
    assert.equal(grouped.params.length, 3);
  });
}

test('opt.lr reads the first group; setting it sets every group', () => {
  const opt = new Adam([{ params: [w64([1])], lr: 0.1 }, { params: [w64([1])], lr: 0.01 }]);
  assert.equal(opt.lr, 0.1);
  opt.lr = 0.5;
  assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.5, 0.5]);
  assertThrowsWith(() => (opt.lr = -1), ArgumentError, 'Adam', 'lr');
});

test('schedules scale every group from its own initial lr', () => {
  const mk = () => new SGD([{ params: [w64([0])], lr: 1 }, { params: [w64([0])], lr: 0.1 }]);
  const lrs = (o: Optimizer) => o.paramGroups.map((g) => g.lr);
  const st = new StepLR(mk(), 2, 0.5);
  const ex = new ExponentialLR(mk(), 0.9);
  const cos = new CosineAnnealingLR(mk(), 4, 0.01);
  const warm = new LinearWarmup(mk(), 4, 0.2);
  assertClose(lrs(warm.optimizer), [0.2, 0.02]);
  for (let t = 0; t < 3; t++) for (const s of [st, ex, cos, warm]) s.step();
  assertClose(lrs(st.optimizer), [0.5, 0.05], { atol: 1e-15 });
  assertClose(lrs(ex.optimizer), [0.729, 0.0729], { atol: 1e-15 });
  // etaMin is shared, as PyTorch: etaMin + (base − etaMin)·(1 + cos(3π/4))/2.
  const c = (1 + Math.cos((3 * Math.PI) / 4)) / 2;
  assertClose(lrs(cos.optimizer), [0.01 + 0.99 * c, 0.01 + 0.09 * c], { atol: 1e-15 });
  assertClose(lrs(warm.optimizer), [0.8, 0.08], { atol: 1e-15 });
  // OneCycleLR: a single maxLr peaks each group in proportion; a list sets each peak.
  const oc = new OneCycleLR(mk(), { maxLr: 2, totalSteps: 10 });
  assertClose(lrs(oc.optimizer), [2 / 25, 0.2 / 25], { atol: 1e-15 });
  oc.step();
  oc.step();
  assertClose(lrs(oc.optimizer), [2, 0.2], { atol: 1e-15 });
  const ocl = new OneCycleLR(mk(), { maxLr: [1, 3], totalSteps: 10 });
  assertClose(lrs(ocl.optimizer), [1 / 25, 3 / 25], { atol: 1e-15 });
  assertThrowsWith(() => new OneCycleLR(mk(), { maxLr: [1], totalSteps: 10 }), ArgumentError, 'OneCycleLR', 'maxLr lists 1 values', '2 parameter groups');
  // A resumed schedule puts every group back where it was.
  const again = new StepLR(mk(), 2, 0.5);
  again.loadStateDict(st.stateDict());
  assertClose(lrs(again.optimizer), [0.5, 0.05], { atol: 1e-15 });
});

function grouped(): { opt: Adam; ps: Tensor[] } {
  const ps = [w64([1, -2]), w64([0.5]), w64([3, 2])];
  return { opt: new Adam([{ params: ps.slice(0, 2), lr: 0.05 }, { params: ps.slice(2), lr: 0.01, weightDecay: 0.1 }]), ps };
}

test('state dicts carry the groups: a JSON round trip mid-run continues as uninterrupted', () => {
  const ref = grouped();
  const run = grouped();
  for (let t = 0; t < 3; t++) {
    for (const r of [ref, run]) {
      setQuadGrads(r.ps);
      r.opt.step();
    }
  }
  run.opt.paramGroups[1].lr = 0.002;
  ref.opt.paramGroups[1].lr = 0.002;
  const sd = JSON.parse(JSON.stringify(run.opt.stateDict())) as OptimizerStateDict;
  assert.deepEqual(sd.groups!.map((g) => [g.params, g.lr]), [[2, 0.05], [1, 0.002]]);
  const resumed = grouped();
  resumed.ps.forEach((p, i) => p.data.set(run.ps[i].data));
  resumed.opt.loadStateDict(sd);
  assert.deepEqual(resumed.opt.paramGroups.map((g) => g.lr), [0.05, 0.002]);
  for (let t = 0; t < 2; t++) {
    for (const r of [ref, resumed]) {
      setQuadGrads(r.ps);
      r.opt.step();
    }
  }
  resumed.ps.forEach((p, i) => assert.deepEqual(Array.from(p.data), Array.from(ref.ps[i].data)));
  // Group sizes must match.
  const other = new Adam([{ params: [w64([1, -2])] }, { params: [w64([0.5]), w64([3, 2])] }]);
  assertThrowsWith(() => other.loadStateDict(sd), ArgumentError, 'loadStateDict', 'groups of sizes [2, 1]', '[1, 2]');
});

test('a state saved before groups existed (no "groups") loads: its lr goes to every group', () => {
  const { opt, ps } = grouped();
  setQuadGrads(ps);
  opt.step();
  const old = opt.stateDict();
  delete old.groups;
  old.lr = 0.007;
  const fresh = grouped();
  fresh.opt.loadStateDict(old);
  assert.deepEqual(fresh.opt.paramGroups.map((g) => g.lr), [0.007, 0.007]);
  assert.equal(fresh.opt.stepCount, 1);
});

class Tiny extends Module {
  constructor() {
    super();
    this.registerParameter('w', tensor([1, 2, 3]));
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

test('a checkpoint keeps the groups\' learning rates and buffers', () => {
  const m = new Tiny();
  const w = m.getParameter('w')!;
  const extra = tensor([0.5, -0.5], { requiresGrad: true });
  const opt = new SGD([{ params: [w], lr: 0.1, momentum: 0.9 }, { params: [extra], lr: 0.03 }]);
  w.grad = tensor([1, 1, 1]);
  extra.grad = tensor([1, -1]);
  opt.step();
  const bytes = serializeCheckpoint(m, {
    format: CHECKPOINT_FORMAT,
    model: { name: 'tiny', config: {} },
    training: { step: 1, optimizer: opt.stateDict(), loader: { epoch: 0, batch: 0, rng: { s: [1, 2, 3, 4], spare: null } }, rng: { s: [1, 2, 3, 4], spare: null }, history: [] },
  });
  const { info } = parseCheckpoint(bytes, 'mem.safetensors');
  const again = new SGD([{ params: [tensor([0, 0, 0])], lr: 1, momentum: 0.9 }, { params: [tensor([0, 0])], lr: 1 }]);
  again.loadStateDict(info.training!.optimizer);
  assert.deepEqual(again.paramGroups.map((g) => g.lr), [0.1, 0.03]);
  assert.deepEqual(again.stateDict().state, opt.stateDict().state);
});

test('groups are checked: unknown settings, bad values by group, shared or non-tensor parameters, mixed lists', () => {
  const p = w64([1]);
  const q = w64([2]);
  assertThrowsWith(() => new SGD([{ params: [p], weight_decay: 0.1 } as never]), ArgumentError, 'SGD', 'paramGroups[0].weight_decay is not a setting of SGD', 'weightDecay');
  assertThrowsWith(() => new SGD([{ params: [p] }, { params: [q], momentum: -1 }]), ArgumentError, 'SGD', 'paramGroups[1].momentum must be a finite number >= 0');
  assertThrowsWith(() => new Adam([{ params: [p] }, { params: [q], lr: NaN }]), ArgumentError, 'Adam', 'paramGroups[1].lr');
  assertThrowsWith(() => new Adam([{ params: [p], betas: [0.9] as never }]), ArgumentError, 'Adam', 'paramGroups[0].betas must be a pair');
  assertThrowsWith(() => new AdamW([{ params: [p] }, { params: [q], betas: [0.9, 1.5] }]), ArgumentError, 'AdamW', 'paramGroups[1].betas[1]');
  assertThrowsWith(() => new RMSprop([{ params: [p] }, { params: [q], alpha: 2 }]), ArgumentError, 'RMSprop', 'paramGroups[1].alpha');
  assertThrowsWith(() => new SGD([{ params: [p] }, { params: [q, p] }]), ArgumentError, 'SGD', 'paramGroups[1].parameter 1 appears more than once');
  assertThrowsWith(() => new SGD([p, p]), ArgumentError, 'SGD', 'parameter 1 appears more than once');
  assertThrowsWith(() => new SGD([p, { params: [q] }] as never), ArgumentError, 'SGD', 'mixes tensors and groups');
  assertThrowsWith(() => new SGD([{ params: 3 }] as never), ArgumentError, 'SGD', 'paramGroups[0].params must be a list of tensors');
  assertThrowsWith(() => new SGD([{ params: [] }]), ArgumentError, 'SGD', 'empty parameter list');
  assertThrowsWith(() => new SGD(null as never), ArgumentError, 'SGD', 'params must be a list');
  assertThrowsWith(() => new SGD([{ params: [tensor([1], { dtype: 'int32' })] }]), ArgumentError, 'SGD', 'int32');
});
