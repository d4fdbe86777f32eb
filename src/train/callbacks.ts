import { ArgumentError } from '../tensor/index.js';
import type { Callback, EpochLogs, TrainContext } from './fit.js';

/** Stop when the monitored validation value has not improved for `patience` epochs. */
export function earlyStopping(opts: { monitor?: 'valLoss' | 'valAccuracy'; patience?: number; minDelta?: number } = {}): Callback {
  const monitor = opts.monitor ?? 'valLoss';
  const patience = opts.patience ?? 3;
  const minDelta = opts.minDelta ?? 0;
  if (!Number.isInteger(patience) || patience < 0) throw new ArgumentError('earlyStopping', `patience must be a non-negative integer, got ${patience}`);
  let best = monitor === 'valLoss' ? Infinity : -Infinity;
  let bad = 0;
  return {
    onEpochEnd(ctx: TrainContext, logs: EpochLogs) {
      if (!logs.val) return;
      const v = monitor === 'valLoss' ? logs.val.loss : logs.val.accuracy;
      const better = monitor === 'valLoss' ? v < best - minDelta : v > best + minDelta;
      if (better) {
        best = v;
        bad = 0;
      } else if (++bad > patience) ctx.stop(`early stopping: ${monitor} did not improve for ${patience} epochs (best ${best.toFixed(4)})`);
    },
  };
}

/** Call fn every `everySteps` steps and at the end of each epoch (e.g. to save a checkpoint). */
export function everyNSteps(everySteps: number, fn: (ctx: TrainContext) => void): Callback {
  return {
    onBatchEnd(ctx) {
      if (everySteps > 0 && ctx.step % everySteps === 0) fn(ctx);
    },
    onEpochEnd(ctx) {
      fn(ctx);
    },
  };
}

export interface BestModelOptions {
  /** The validation value to watch (default valAccuracy: higher is better; valLoss: lower is better). */
  monitor?: 'valLoss' | 'valAccuracy';
  minDelta?: number;
  /** The best value so far, when resuming (so a worse epoch after the resume does not replace the best model). */
  initial?: number;
}

/**
 * Call `onBest` at each epoch end whose validation value beats every earlier
 * one (e.g. to save the best model); `best` is that value. Epochs without
 * validation are skipped.
 */
export function bestModel(opts: BestModelOptions & { onBest: (ctx: TrainContext, logs: EpochLogs, value: number) => void }): Callback & { readonly best: number } {
  const monitor = opts.monitor ?? 'valAccuracy';
  const minDelta = opts.minDelta ?? 0;
  if (monitor !== 'valLoss' && monitor !== 'valAccuracy') throw new ArgumentError('bestModel', `monitor must be "valLoss" or "valAccuracy", got ${String(monitor)}`);
  let best = opts.initial ?? (monitor === 'valLoss' ? Infinity : -Infinity);
  return {
    get best() {
      return best;
    },
    onEpochEnd(ctx: TrainContext, logs: EpochLogs) {
      if (!logs.val) return;
      const v = monitor === 'valLoss' ? logs.val.loss : logs.val.accuracy;
      if (monitor === 'valLoss' ? v < best - minDelta : v > best + minDelta) {
        best = v;
        opts.onBest(ctx, logs, v);
      }
    },
  };
}

/**
 * Step a ReduceLROnPlateau at the end of every epoch with the monitored value:
 * the validation loss or accuracy (`fit`'s `val`), or the training loss without one.
 */
export function reduceLROnPlateau(plateau: { step(metric: number): void }, opts: { monitor?: 'valLoss' | 'valAccuracy' | 'trainLoss' } = {}): Callback {
  const monitor = opts.monitor ?? 'valLoss';
  return {
    onEpochEnd(_ctx: TrainContext, logs: EpochLogs) {
      if (monitor === 'trainLoss') return plateau.step(logs.trainLoss);
      if (!logs.val) throw new ArgumentError('reduceLROnPlateau', `monitor ${monitor} needs fit's val data`);
      plateau.step(monitor === 'valLoss' ? logs.val.loss : logs.val.accuracy);
    },
  };
}
