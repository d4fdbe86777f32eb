import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, randn, randint } from '../../src/tensor/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { SGD } from '../../src/optim/index.js';
import { CrossEntropyLoss } from '../../src/losses/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import { fit, fitAsync, type EpochLogs, type StepLogs } from '../../src/train/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';
import { ArgumentError } from '../../src/tensor/index.js';

// 40 images, unshuffled, so batches of 4 grouped by 3 are exactly the batches of 12 (12, 12, 12, 4).
const rng = new RNG(3);
const x = randn([40, 1, 28, 28], { rng });
const y = randint(0, 10, [40], { rng });

function run(batchSize: number, accumulateSteps?: number, shuffle = false) {
  const model = new LeNet5({ rng: new RNG(1) });
  const optimizer = new SGD(model.parameters(), { lr: 0.05 });
  const train = new DataLoader(new TensorDataset(x, y), { batchSize, shuffle, seed: 4 });
  return { model, optimizer, train, loss: CrossEntropyLoss(), epochs: 2, accumulateSteps };
}

test('fit: accumulating the gradients of 3 batches of 4 is one step on a batch of 12 (the short last group of 1 is a batch of 4)', () => {
  const big = run(12);
  const bigResult = fit(big);
  const acc = run(4, 3);
  const steps: StepLogs[] = [];
  const accResult = fit({ ...acc, onStep: (l) => steps.push(l) });
  assert.equal(bigResult.step, 8);
  assert.equal(accResult.step, 8, '4 optimiser steps per epoch: groups of 3, 3, 3 and 1 batches');
  assert.deepEqual(steps.slice(0, 4).map((s) => s.batchSize), [12, 12, 12, 4]);
  assert.deepEqual(steps.slice(0, 4).map((s) => s.batch), [2, 5, 8, 9]);
  acc.model.parameters().forEach((p, i) => assertClose(p, big.model.parameters()[i], { atol: 1e-6, rtol: 1e-4 }, `parameter ${i}`));
  assertThrowsWith(() => fit(run(4, 0)), ArgumentError, 'accumulateSteps must be an integer >= 1');
});

test('fitAsync: the same weights as fit, bit for bit, and the event loop runs while it trains', async () => {
  const a = run(4, 1, true);
  fit(a);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const b = run(4, 1, true);
  const epochs: EpochLogs[] = [];
  const steps: StepLogs[] = [];
  const r = await fitAsync({ ...b, yieldEveryMs: 0, onStep: (l) => steps.push(l), onEpochEnd: (l) => epochs.push(l) });
  clearInterval(timer);
  a.model.parameters().forEach((p, i) => assert.deepEqual(b.model.parameters()[i].data, p.data, `parameter ${i}`));
  assert.equal(r.step, 20);
  assert.ok(ticks > 3, `a timer fired ${ticks} times during 20 steps`);
  assert.deepEqual(steps.map((s) => s.step), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.ok(steps.every((s) => Number.isFinite(s.loss) && s.accuracy >= 0 && s.accuracy <= 1 && s.imagesPerSecond > 0));
  assert.deepEqual(epochs.map((e) => e.epoch), [0, 1]);
  assert.ok(epochs.every((e) => e.imagesPerSecond > 0 && Number.isFinite(e.imagesPerSecond)));
  // The epoch's loss is the image-weighted mean of its steps' losses.
  assertClose([epochs[0].trainLoss], [steps.slice(0, 10).reduce((s, l) => s + l.loss * l.batchSize, 0) / 40], { atol: 1e-6 });
});

test('fitAsync: an aborted signal stops after the current step', async () => {
  const ac = new AbortController();
  const s = run(4);
  const r = await fitAsync({ ...s, signal: ac.signal, onStep: (l) => l.step === 3 && ac.abort() });
  assert.equal(r.step, 3);
  assert.equal(r.stopReason, 'aborted');
});

test('fit: a run resumed at its step limit takes no step', () => {
  const s = run(4);
  const r = fit({ ...s, startStep: 5, maxSteps: 5 });
  assert.equal(r.step, 5);
  assert.equal(r.stopReason, 'maxSteps');
});

test('fit: an epoch resumed mid-way reports the loss and accuracy of the whole epoch, as an uninterrupted run does', () => {
  const full = run(4, 1, true);
  const whole = fit(full);
  const part = run(4, 1, true);
  const first = fit({ ...part, maxSteps: 13 });
  assert.equal(first.epochTotals.seen, 12, '3 batches of epoch 2 seen at step 13');
  const rest = fit({ ...part, startStep: 13, epochTotals: first.epochTotals, history: first.history });
  assert.equal(rest.history.length, 2);
  assert.equal(rest.history[1].trainLoss, whole.history[1].trainLoss);
  assert.equal(rest.history[1].trainAccuracy, whole.history[1].trainAccuracy);
});

test('fit: a run that takes no step keeps the epoch sums it was given', () => {
  const s = run(4);
  const r = fit({ ...s, startStep: 5, maxSteps: 5, epochTotals: { lossSum: 9, correct: 3, seen: 20 } });
  assert.deepEqual(r.epochTotals, { lossSum: 9, correct: 3, seen: 20 });
});
