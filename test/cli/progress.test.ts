import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { progressCallback, runLength, RESTORE_TERMINAL } from '../../src/cli/progress.js';
import type { StepLogs, TrainContext } from '../../src/train/index.js';

/** A fake terminal that records what the progress bar writes. */
function terminal() {
  const chunks: string[] = [];
  const s = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }) as Writable & { isTTY: boolean; columns: number };
  s.isTTY = true;
  s.columns = 120;
  return { stream: s as unknown as NodeJS.WritableStream, text: () => chunks.join('') };
}

const loader = (length: number, batch = 0, epoch = 0) => ({ length, getState: () => ({ epoch, batch, rng: { s: [0, 0, 0, 0], spare: null } }) });
const ctx = (over: Partial<TrainContext>) => ({ epochs: 5, accumulateSteps: 1, step: 0, stopReason: null, history: [], stop() {}, ...over }) as unknown as TrainContext;

test('runLength: --max-steps shortens the run (epochs shown, steps the ETA counts to)', () => {
  assert.deepEqual(runLength(ctx({ loader: loader(200) as never })), { epochs: 5, steps: 1000, stepsPerEpoch: 200 });
  assert.deepEqual(runLength(ctx({ loader: loader(200) as never, maxSteps: 150 })), { epochs: 1, steps: 150, stepsPerEpoch: 200 });
  assert.deepEqual(runLength(ctx({ loader: loader(200) as never, maxSteps: 450 })), { epochs: 3, steps: 450, stepsPerEpoch: 200 });
  assert.deepEqual(runLength(ctx({ loader: loader(200) as never, accumulateSteps: 3 })), { epochs: 5, steps: 335, stepsPerEpoch: 67 });
});

test('plain progress lines: the epoch count and the step total follow --max-steps; the ETA counts down the whole run', () => {
  const lines: string[] = [];
  const p = progressCallback({ interactive: false, logEvery: 50, write: (s) => lines.push(s) });
  const c = ctx({ loader: loader(200) as never, maxSteps: 150 });
  p.onEpochBegin!(c, 0);
  // 100 images/s at 10 images a step: 50 steps left after step 100 take 5 s.
  c.step = 100;
  p.onBatchEnd!(c, { epoch: 0, batch: 99, step: 100, loss: 1, accuracy: 0.5, batchSize: 10, lr: 0.1, imagesPerSecond: 100 } as StepLogs);
  assert.equal(lines[0], 'epoch 1/1 step 100/150 | loss 1.0000 | acc 50.00% | 100 img/s | ETA 5s');
});

test('restoreTerminal: after an interruption the cursor is shown and line wrap is on again', () => {
  const t = terminal();
  const p = progressCallback({ interactive: true, write: () => {}, stream: t.stream });
  p.onEpochBegin!(ctx({ loader: loader(200) as never }), 0);
  const before = t.text();
  assert.ok(before.includes('\x1B[?25l') && before.includes('\x1B[?7l'), 'the live bar hides the cursor and turns line wrap off');
  p.restoreTerminal();
  const after = t.text();
  assert.ok(after.lastIndexOf('\x1B[?25h') > after.lastIndexOf('\x1B[?25l'), 'cursor shown last');
  assert.ok(after.lastIndexOf('\x1B[?7h') > after.lastIndexOf('\x1B[?7l'), 'line wrap on last');
  assert.ok(after.endsWith(RESTORE_TERMINAL));
});
