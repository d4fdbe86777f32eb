import { ArgumentError, NonFiniteError, type Tensor } from '../tensor/index.js';
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
  /** Images in this step (all accumulated batches). */
  batchSize: number;
  lr: number;
  /** Training throughput since the epoch began. */
  imagesPerSecond: number;
}

export interface EpochLogs {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  val?: EvalResult;
  seconds: number;
  /** Training images per second over the epoch (validation excluded). */
  imagesPerSecond: number;
}

export interface TrainContext {
  model: Module;
  optimizer: Optimizer;
  loader: DataLoader;
  scheduler?: LRScheduler;
  /** Steps taken (optimizer updates, including those of a resumed run). */
  step: number;
  epochs: number;
  /** The step limit of the run, if any. */
  maxSteps?: number;
  /** Batches per optimiser step (gradient accumulation). */
  accumulateSteps: number;
  history: EpochLogs[];
  /** Running sums of the current epoch (loss × images, correct, images), saved with a mid-epoch checkpoint so a resumed epoch reports the whole epoch. */
  epochTotals: EpochTotals;
  /** Ask the loop to stop after the current batch. */
  stop(reason: string): void;
  stopReason: string | null;
}

export interface EpochTotals {
  lossSum: number;
  correct: number;
  seen: number;
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
  /**
   * Gradient accumulation: add the gradients of this many batches, then take one
   * optimiser step (an effective batch this many times larger). Each batch's loss
   * is divided by the batches in its group, so a mean loss gives the same update
   * as one large batch. Groups start at each epoch's first batch; the last group
   * of an epoch may be shorter. Default 1.
   */
  accumulateSteps?: number;
  /** Steps already taken, when resuming from a checkpoint. */
  startStep?: number;
  history?: EpochLogs[];
  /** The interrupted epoch's running sums, when resuming mid-epoch (TrainContext.epochTotals at the save). */
  epochTotals?: EpochTotals;
  /** Called after every optimiser step (progress for library users). */
  onStep?: (logs: StepLogs) => void;
  /** Called after every epoch, validation included. */
  onEpochEnd?: (logs: EpochLogs) => void;
}

export interface FitAsyncOptions extends FitOptions {
  /** Yield to the event loop once this many milliseconds have passed since the last yield (default 16: a page stays responsive). */
  yieldEveryMs?: number;
  /** Stop after the current step when this signal aborts (the result's stopReason says so). */
  signal?: AbortSignal;
}

export interface FitResult {
  step: number;
  epochTotals: EpochTotals;
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
 * Written as a generator that pauses after each step, so `fit` and `fitAsync`
 * run the same code.
 */
function* steps(opts: FitOptions, signal?: AbortSignal): Generator<TrainContext, FitResult> {
  const { model, optimizer, loss, train: loader } = opts;
  const numClasses = opts.numClasses ?? 10;
  const accumulate = opts.accumulateSteps ?? 1;
  if (!Number.isInteger(accumulate) || accumulate < 1) throw new ArgumentError('fit', `accumulateSteps must be an integer >= 1, got ${String(accumulate)}`);
  const user: Callback = { onBatchEnd: opts.onStep && ((_c, l) => opts.onStep!(l)), onEpochEnd: opts.onEpochEnd && ((_c, l) => opts.onEpochEnd!(l)) };
  const callbacks = [...(opts.callbacks ?? []), user];
  const skipped: number[] = [];
  const ctx: TrainContext = {
    model, optimizer, loader, scheduler: opts.scheduler, step: opts.startStep ?? 0, epochs: opts.epochs, maxSteps: opts.maxSteps,
    accumulateSteps: accumulate, history: opts.history ?? [], stopReason: null, epochTotals: { ...(opts.epochTotals ?? { lossSum: 0, correct: 0, seen: 0 }) },
    stop(reason) {
      this.stopReason = reason;
    },
  };
  const interval = opts.schedulerInterval ?? 'epoch';
  callbacks.forEach((c) => c.onTrainBegin?.(ctx));
  // A resumed run that already reached its step limit takes no further step.
  if (opts.maxSteps !== undefined && ctx.step >= opts.maxSteps) ctx.stop('maxSteps');
  if (signal?.aborted) ctx.stop('aborted');
  const s = loader.getState();
  // A loader part-way through an epoch continues that epoch.
  let epoch = s.epoch > 0 && s.batch < loader.length ? s.epoch - 1 : s.epoch;
  let resumedEpoch = false;
  for (; epoch < opts.epochs && !ctx.stopReason; epoch++) {
    const t0 = performance.now();
    callbacks.forEach((c) => c.onEpochBegin?.(ctx, epoch));
    model.train();
    let batchIdx = loader.getState().epoch === epoch + 1 ? loader.getState().batch : 0;
    // A resumed epoch continues the sums of its first part.
    const tot: EpochTotals = batchIdx > 0 && opts.epochTotals && !resumedEpoch ? { ...opts.epochTotals } : { lossSum: 0, correct: 0, seen: 0 };
    resumedEpoch = true;
    ctx.epochTotals = tot;
    let seen = 0;
    // The current accumulation group: its loss, hits, images and whether a batch in it went bad.
    let g = { loss: 0, hits: 0, n: 0, bad: null as string | null };
    for (const b of loader) {
      const inGroup = batchIdx % accumulate;
      if (inGroup === 0) {
        optimizer.zeroGrad();
        g = { loss: 0, hits: 0, n: 0, bad: null };
      }
      const groupSize = Math.min(accumulate, loader.length - (batchIdx - inGroup));
      const out = model.call(b.x);
      const l = loss(out, b.y);
      const lv = l.item();
      const step = ctx.step + 1;
      if (!g.bad && !Number.isFinite(lv)) g.bad = `the loss is ${lv}`;
      if (!g.bad) (groupSize > 1 ? l.mul(1 / groupSize) : l).backward();
      const n = b.x.shape[0];
      let hits = 0;
      if (out.rank === 2 && b.y.dtype === 'int32') {
        const p = predictions(out);
        for (let i = 0; i < n; i++) if (p[i] === b.y.data[i]) hits++;
      }
      if (Number.isFinite(lv)) tot.lossSum += lv * n;
      tot.correct += hits;
      tot.seen += n;
      seen += n;
      g.loss += lv * n;
      g.hits += hits;
      g.n += n;
      batchIdx++;
      if (inGroup + 1 < groupSize) continue;
      if (!g.bad) {
        const where = firstNonFiniteGrad(model);
        if (where) g.bad = `the gradient of ${where} holds NaN or Inf (first layer in backpropagation order)`;
      }
      if (g.bad) {
        if ((opts.nonFinite ?? 'throw') === 'throw') throw new NonFiniteError(`training step ${step} (epoch ${epoch + 1}, batch ${batchIdx}): ${g.bad}`);
        skipped.push(step);
        optimizer.zeroGrad();
      } else {
        if (opts.clipGradNorm) clipGradNorm(model.parameters(), opts.clipGradNorm);
        optimizer.step();
      }
      ctx.step = step;
      if (opts.scheduler && interval === 'step') opts.scheduler.step();
      const ips = seen / Math.max((performance.now() - t0) / 1000, 1e-9);
      const logs: StepLogs = { epoch, batch: batchIdx - 1, step, loss: g.loss / g.n, accuracy: g.hits / g.n, batchSize: g.n, lr: optimizer.lr, imagesPerSecond: ips };
      callbacks.forEach((c) => c.onBatchEnd?.(ctx, logs));
      if (opts.maxSteps !== undefined && ctx.step >= opts.maxSteps) ctx.stop('maxSteps');
      if (signal?.aborted && !ctx.stopReason) ctx.stop('aborted');
      if (ctx.stopReason) break;
      yield ctx;
    }
    if (ctx.stopReason && batchIdx < loader.length) break;
    if (opts.scheduler && interval === 'epoch') opts.scheduler.step();
    const trainSeconds = (performance.now() - t0) / 1000;
    const val = opts.val ? evaluate(model, opts.val, loss, { numClasses, topK: [1, 5].filter((k) => k < numClasses) }) : undefined;
    const logs: EpochLogs = {
      epoch, trainLoss: tot.seen ? tot.lossSum / tot.seen : NaN, trainAccuracy: tot.seen ? tot.correct / tot.seen : NaN, val,
      seconds: (performance.now() - t0) / 1000, imagesPerSecond: seen / Math.max(trainSeconds, 1e-9),
    };
    ctx.history.push(logs);
    callbacks.forEach((c) => c.onEpochEnd?.(ctx, logs));
  }
  callbacks.forEach((c) => c.onTrainEnd?.(ctx));
  return { step: ctx.step, epochTotals: ctx.epochTotals, history: ctx.history, stopReason: ctx.stopReason, skippedSteps: skipped };
}

/** Train synchronously (see `steps` above); `fitAsync` is the same loop yielding to the event loop. */
export function fit(opts: FitOptions): FitResult {
  const it = steps(opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/** One turn of the event loop: setImmediate in Node, a MessageChannel message in browsers (no 4 ms timer clamp). */
function nextTurn(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((res) => setImmediate(res));
  if (typeof MessageChannel === 'function') {
    return new Promise((res) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        res();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((res) => setTimeout(res, 0));
}

/**
 * `fit` that yields to the event loop between steps (at most every
 * `yieldEveryMs`), so a page stays responsive and signal handlers run. The
 * same steps in the same order as `fit`: results are identical.
 */
export async function fitAsync(opts: FitAsyncOptions): Promise<FitResult> {
  const every = opts.yieldEveryMs ?? 16;
  const it = steps(opts, opts.signal);
  let last = performance.now();
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    if (performance.now() - last >= every) {
      await nextTurn();
      last = performance.now();
    }
  }
}
