import cliProgress from 'cli-progress';
import type { Callback, EpochLogs, StepLogs, TrainContext } from '../train/index.js';

export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

/** Show the cursor and turn line wrap back on (what the live bar turned off). */
export const RESTORE_TERMINAL = '\x1B[?25h\x1B[?7h';

/**
 * Where the run ends, honouring --max-steps: the last epoch shown as "epoch e/E",
 * and the step the run stops at (ETA counts down to it).
 */
export function runLength(ctx: Pick<TrainContext, 'epochs' | 'maxSteps' | 'accumulateSteps' | 'loader'>): { epochs: number; steps: number; stepsPerEpoch: number } {
  const stepsPerEpoch = Math.ceil(ctx.loader.length / ctx.accumulateSteps);
  const full = ctx.epochs * stepsPerEpoch;
  const steps = ctx.maxSteps === undefined ? full : Math.min(full, ctx.maxSteps);
  return { epochs: Math.min(ctx.epochs, Math.max(1, Math.ceil(steps / stepsPerEpoch))), steps, stepsPerEpoch };
}

export interface ProgressOptions {
  interactive: boolean;
  logEvery?: number;
  write?: (s: string) => void;
  /** The terminal the live bar draws on (default stderr). */
  stream?: NodeJS.WritableStream;
}

/**
 * Training progress: a live bar (epoch, step, loss, accuracy, images/s, ETA of
 * the whole run) on a terminal; on a pipe or in CI, one plain line every
 * `logEvery` steps instead, so logs stay readable. `restoreTerminal()` puts the
 * terminal back (cursor, line wrap) when the run is interrupted.
 */
export function progressCallback(opts: ProgressOptions): Callback & { restoreTerminal(): void } {
  const write = opts.write ?? ((s: string) => process.stdout.write(s + '\n'));
  const stream = opts.stream ?? process.stderr;
  const logEvery = opts.logEvery ?? 100;
  let bar: cliProgress.SingleBar | null = null;
  let lossAvg = NaN;
  let accAvg = NaN;
  let epochIdx = 0;
  let epochBatches = 0;
  const eta = (ctx: TrainContext, l: StepLogs) => fmtTime(((runLength(ctx).steps - ctx.step) * l.batchSize) / l.imagesPerSecond);
  return {
    onEpochBegin(ctx: TrainContext, epoch: number) {
      lossAvg = NaN;
      accAvg = NaN;
      epochIdx = epoch;
      const run = runLength(ctx);
      const st = ctx.loader.getState();
      const start = st.epoch === epoch + 1 ? st.batch : 0;
      // The batches this epoch will run: all of them, or up to the step limit.
      epochBatches = Math.min(ctx.loader.length, start + Math.max(0, run.steps - ctx.step) * ctx.accumulateSteps);
      if (opts.interactive) {
        bar = new cliProgress.SingleBar(
          {
            format: `epoch ${epoch + 1}/${run.epochs} {bar} {value}/{total} | loss {loss} | acc {acc} | {ips} img/s | ETA {runEta}`,
            hideCursor: true,
            clearOnComplete: false,
            stream,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(epochBatches, start, { loss: '--', acc: '--', ips: '--', runEta: '--' });
      }
    },
    onBatchEnd(ctx: TrainContext, l: StepLogs) {
      // Exponential moving averages: a readable trend, not one noisy batch.
      lossAvg = Number.isNaN(lossAvg) ? l.loss : 0.95 * lossAvg + 0.05 * l.loss;
      accAvg = Number.isNaN(accAvg) ? l.accuracy : 0.95 * accAvg + 0.05 * l.accuracy;
      if (bar) bar.update(l.batch + 1, { loss: lossAvg.toFixed(4), acc: (100 * accAvg).toFixed(2) + '%', ips: l.imagesPerSecond.toFixed(0), runEta: eta(ctx, l) });
      else if (l.step % logEvery === 0) {
        const run = runLength(ctx);
        write(`epoch ${epochIdx + 1}/${run.epochs} step ${l.batch + 1}/${epochBatches} | loss ${lossAvg.toFixed(4)} | acc ${(100 * accAvg).toFixed(2)}% | ${l.imagesPerSecond.toFixed(0)} img/s | ETA ${eta(ctx, l)}`);
      }
    },
    onEpochEnd(_ctx: TrainContext, e: EpochLogs) {
      bar?.stop();
      bar = null;
      const val = e.val ? ` | val loss ${e.val.loss.toFixed(4)} | val acc ${(100 * e.val.accuracy).toFixed(2)}%` : '';
      write(`epoch ${e.epoch + 1} done in ${fmtTime(e.seconds)} | train loss ${e.trainLoss.toFixed(4)} | train acc ${(100 * e.trainAccuracy).toFixed(2)}%${val}`);
    },
    onTrainEnd() {
      bar?.stop();
      bar = null;
    },
    restoreTerminal() {
      if (bar) {
        bar.stop();
        bar = null;
      }
      if (opts.interactive) stream.write(RESTORE_TERMINAL);
    },
  };
}
