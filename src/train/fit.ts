import { NonFiniteError, type Tensor } from '../tensor/index.js';
import type { Batch, DataLoader } from '../data/index.js';
import type { LossFn } from '../losses/index.js';
import type { Module } from '../nn/index.js';
import { clipGradNorm, type LRScheduler, type Optimizer } from '../optim/index.js';
import { evaluate, type EvalResult } from './evaluate.js';
import { predictions } from './metrics.js';

export interface StepLogs {
  epoch: number;
  /** Batch index within the epoch (0-based) and steps taken since training began. */
  batch: number;
  step: number;
  loss: number;
  accuracy: number;
  batchSize: number;
  lr: number;
}

export interface EpochLogs {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  val?: EvalResult;
  seconds: number;
}

export interface TrainContext {
  model: Module;
  optimizer: Optimizer;
  loader: DataLoader;
  scheduler?: LRScheduler;
  /** Steps taken (optimizer updates, including those of a resumed run). */
  step: number;
  epochs: number;
  history: EpochLogs[];
  /** Ask the loop to stop after the current batch. */
  stop(reason: string): void;
  stopReason: string | null;
}

export interface Callback {
  onTrainBegin?(ctx: TrainContext): void;
  onEpochBegin?(ctx: TrainContext, epoch: number): void;
  onBatchEnd?(ctx: TrainContext, logs: StepLogs): void;
  onEpochEnd?(ctx: TrainContext, logs: EpochLogs): void;
  onTrainEnd?(ctx: TrainContext): void;
}

export interface FitOptions {
  model: Module;
  optimizer: Optimizer;
  loss: LossFn;
  train: DataLoader;
  /** Validated after every epoch. */
  val?: Iterable<Batch>;
  numClasses?: number;
  epochs: number;
  /** Stop after this many steps in total (for tests and quick runs). */
  maxSteps?: number;
  scheduler?: LRScheduler;
  /** Step the scheduler per batch ('step') or per epoch ('epoch', default). */
  schedulerInterval?: 'step' | 'epoch';
  clipGradNorm?: number;
  /** On a NaN/Inf loss or gradient: 'throw' (default) or 'skip' the update and go on. */
  nonFinite?: 'throw' | 'skip';
  callbacks?: Callback[];
  /** Steps already taken, when resuming from a checkpoint. */
  startStep?: number;
  history?: EpochLogs[];
}

export interface FitResult {
  step: number;
  history: EpochLogs[];
  stopReason: string | null;
  skippedSteps: number[];
}

function hasNonFinite(t: Tensor): boolean {
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return true;
  return false;
}

/**
 * The name of the first parameter, in backpropagation order (output side first),
 * whose gradient holds a NaN or Inf: where the bad value first appeared.
 */
export function firstNonFiniteGrad(model: Module): string | null {
  const named = model.namedParameters();
  for (let i = named.length - 1; i >= 0; i--) {
    const [name, p] = named[i];
    if (p.grad && hasNonFinite(p.grad)) return name;
  }
  return null;
}

/**
 * The training loop: forward, loss, backward (the decks' backpropagation), an
 * optimiser step, per-step and per-epoch callbacks and validation. It resumes
 * where the loader stands, so a restored loader state continues mid-epoch.
 */
export function fit(opts: FitOptions): FitResult {
  const { model, optimizer, loss, train: loader } = opts;
  const numClasses = opts.numClasses ?? 10;
  const callbacks = opts.callbacks ?? [];
  const skipped: number[] = [];
  const ctx: TrainContext = {
    model, optimizer, loader, scheduler: opts.scheduler, step: opts.startStep ?? 0, epochs: opts.epochs,
    history: opts.history ?? [], stopReason: null,
    stop(reason) {
      this.stopReason = reason;
    },
  };
  const interval = opts.schedulerInterval ?? 'epoch';
  callbacks.forEach((c) => c.onTrainBegin?.(ctx));
  const s = loader.getState();
  // A loader part-way through an epoch continues that epoch.
  let epoch = s.epoch > 0 && s.batch < loader.length ? s.epoch - 1 : s.epoch;
  for (; epoch < opts.epochs && !ctx.stopReason; epoch++) {
    const t0 = performance.now();
    callbacks.forEach((c) => c.onEpochBegin?.(ctx, epoch));
    model.train();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let batchIdx = loader.getState().epoch === epoch + 1 ? loader.getState().batch : 0;
    for (const b of loader) {
      optimizer.zeroGrad();
      const out = model.call(b.x);
      const l = loss(out, b.y);
      const lv = l.item();
      const step = ctx.step + 1;
      let bad: string | null = Number.isFinite(lv) ? null : `the loss is ${lv}`;
      if (!bad) {
        l.backward();
        const where = firstNonFiniteGrad(model);
        if (where) bad = `the gradient of ${where} holds NaN or Inf (first layer in backpropagation order)`;
      }
      if (bad) {
        if ((opts.nonFinite ?? 'throw') === 'throw') throw new NonFiniteError(`training step ${step} (epoch ${epoch + 1}, batch ${batchIdx + 1}): ${bad}`);
        skipped.push(step);
        optimizer.zeroGrad();
      } else {
        if (opts.clipGradNorm) clipGradNorm(model.parameters(), opts.clipGradNorm);
        optimizer.step();
      }
      ctx.step = step;
      if (opts.scheduler && interval === 'step') opts.scheduler.step();
      const n = b.x.shape[0];
      let hits = 0;
      if (out.rank === 2 && b.y.dtype === 'int32') {
        const p = predictions(out);
        for (let i = 0; i < n; i++) if (p[i] === b.y.data[i]) hits++;
      }
      if (Number.isFinite(lv)) lossSum += lv * n;
      correct += hits;
      seen += n;
      callbacks.forEach((c) => c.onBatchEnd?.(ctx, { epoch, batch: batchIdx, step, loss: lv, accuracy: hits / n, batchSize: n, lr: optimizer.lr }));
      batchIdx++;
      if (opts.maxSteps !== undefined && ctx.step >= opts.maxSteps) ctx.stop('maxSteps');
      if (ctx.stopReason) break;
    }
    if (ctx.stopReason && batchIdx < loader.length) break;
    if (opts.scheduler && interval === 'epoch') opts.scheduler.step();
    const val = opts.val ? evaluate(model, opts.val, loss, { numClasses, topK: [1, 5].filter((k) => k < numClasses) }) : undefined;
    const logs: EpochLogs = { epoch, trainLoss: seen ? lossSum / seen : NaN, trainAccuracy: seen ? correct / seen : NaN, val, seconds: (performance.now() - t0) / 1000 };
    ctx.history.push(logs);
    callbacks.forEach((c) => c.onEpochEnd?.(ctx, logs));
  }
  callbacks.forEach((c) => c.onTrainEnd?.(ctx));
  return { step: ctx.step, history: ctx.history, stopReason: ctx.stopReason, skippedSteps: skipped };
}
