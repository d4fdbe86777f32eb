import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ArgumentError, tensor } from '../../src/tensor/index.js';
import { SGD, ReduceLROnPlateau, type ReduceLROnPlateauOptions } from '../../src/optim/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

interface Case {
  name: string;
  options: ReduceLROnPlateauOptions;
  lrs: number[];
  metrics: (number | null)[];
  expected: number[][];
}

// lr sequences from PyTorch 1.13 (scripts/torch-plateau-reference.py); null stands for NaN.
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-plateau.json', import.meta.url), 'utf8')) as { cases: Case[] };

const optimizerFor = (lrs: number[]) => new SGD(lrs.map((lr) => ({ params: [tensor([0])], lr })));

for (const c of fixture.cases) {
  test(`ReduceLROnPlateau follows PyTorch: ${c.name}`, () => {
    const opt = optimizerFor(c.lrs);
    const s = new ReduceLROnPlateau(opt, c.options);
    const got = c.metrics.map((m) => {
      s.step(m ?? NaN);
      return opt.paramGroups.map((g) => g.lr);
    });
    assertClose(got.flat(), c.expected.flat(), { atol: 1e-15, rtol: 1e-12 });
  });
}

test('ReduceLROnPlateau by hand: patience 1, factor 0.5 on a stalled loss', () => {
  const opt = optimizerFor([1]);
  const s = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
  const lrs = [3, 2, 2, 2, 2, 2, 1].map((m) => (s.step(m), opt.lr));
  // Bad epochs after 2: 1 (tolerated), 2 (> patience: halve, reset), 1, 2 (halve); 1 improves.
  assert.deepEqual(lrs, [1, 1, 1, 0.5, 0.5, 0.25, 0.25]);
  assert.equal(s.best, 1);
});

test('ReduceLROnPlateau state round-trips through JSON mid-plateau and continues as uninterrupted', () => {
  const metrics = [5, 4, 4, 4, 4.5, 3, 3, 3, 3, 3, 3, 3];
  const opts: ReduceLROnPlateauOptions = { patience: 2, factor: 0.3, cooldown: 1 };
  const ref = optimizerFor([0.1, 0.2]);
  const sRef = new ReduceLROnPlateau(ref, opts);
  const expected = metrics.map((m) => (sRef.step(m), ref.paramGroups.map((g) => g.lr)));
  const a = optimizerFor([0.1, 0.2]);
  const sa = new ReduceLROnPlateau(a, opts);
  metrics.slice(0, 7).forEach((m) => sa.step(m));
  const saved = JSON.parse(JSON.stringify({ opt: a.stateDict(), sched: sa.stateDict() }));
  const b = optimizerFor([0.1, 0.2]);
  const sb = new ReduceLROnPlateau(b, opts);
  b.loadStateDict(saved.opt);
  sb.loadStateDict(saved.sched);
  const rest = metrics.slice(7).map((m) => (sb.step(m), b.paramGroups.map((g) => g.lr)));
  assert.deepEqual(rest, expected.slice(7));
  // Before any metric, best is not a JSON number: it is saved as null and restored as the mode's worst.
  const fresh = new ReduceLROnPlateau(optimizerFor([1]), { mode: 'max' });
  assert.equal(JSON.parse(JSON.stringify(fresh.stateDict())).best, null);
  fresh.loadStateDict({ lastStep: 0, best: null, numBadEpochs: 0, cooldownCounter: 0 });
  assert.equal(fresh.best, -Infinity);
});

test('ReduceLROnPlateau refuses bad options and states', () => {
  const opt = optimizerFor([0.1, 0.2]);
  assertThrowsWith(() => new ReduceLROnPlateau(opt, { factor: 1 }), ArgumentError, 'ReduceLROnPlateau', 'factor must be a number in [0, 1)');
  assertThrowsWith(() => new ReduceLROnPlateau(opt, { mode: 'up' as never }), ArgumentError, 'ReduceLROnPlateau', "mode must be 'min' or 'max'");
  assertThrowsWith(() => new ReduceLROnPlateau(opt, { thresholdMode: 'pct' as never }), ArgumentError, 'thresholdMode');
  assertThrowsWith(() => new ReduceLROnPlateau(opt, { patience: -1 }), ArgumentError, 'patience must be an integer >= 0');
  assertThrowsWith(() => new ReduceLROnPlateau(opt, { cooldown: 1.5 }), ArgumentError, 'cooldown');
  assertThrowsWith(() => new ReduceLROnPlateau(opt, { minLr: [0.1] }), ArgumentError, 'minLr lists 1 values, the optimiser has 2 parameter groups');
  assertThrowsWith(() => new ReduceLROnPlateau(opt, { threshold: -1 }), ArgumentError, 'threshold');
  const s = new ReduceLROnPlateau(opt);
  assertThrowsWith(() => s.step('0.5' as never), ArgumentError, 'ReduceLROnPlateau.step', 'metric must be a number');
  assertThrowsWith(() => s.loadStateDict({ lastStep: 1, best: Infinity, numBadEpochs: 0, cooldownCounter: 0 }), ArgumentError, 'best must be a finite number or null');
  assertThrowsWith(() => s.loadStateDict({ lastStep: -1 } as never), ArgumentError, 'lastStep');
});
