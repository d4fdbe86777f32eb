import cliProgress from 'cli-progress';
import type { Callback, EpochLogs, StepLogs, TrainContext } from '../train/index.js';

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

/**
 * Training progress: a live bar (epoch, step, loss, accuracy, images/s, ETA) on a
 * terminal; on a pipe or in CI, one plain line every `logEvery` steps instead,
 * so logs stay readable.
 */
export function progressCallback(opts: { interactive: boolean; logEvery?: number; write?: (s: string) => void }): Callback {
  const write = opts.write ?? ((s: string) => process.stdout.write(s + '\n'));
  const logEvery = opts.logEvery ?? 100;
  let bar: cliProgress.SingleBar | null = null;
  let epochStart = 0;
  let images = 0;
  let lossAvg = NaN;
  let accAvg = NaN;
  let epochIdx = 0;
  const rate = () => images / Math.max((performance.now() - epochStart) / 1000, 1e-9);
  return {
    onEpochBegin(ctx: TrainContext, epoch: number) {
      epochStart = performance.now();
      images = 0;
      lossAvg = NaN;
      accAvg = NaN;
      epochIdx = epoch;
      const total = ctx.loader.length;
      const start = ctx.loader.getState().epoch === epoch + 1 ? ctx.loader.getState().batch : 0;
      if (opts.interactive) {
        bar = new cliProgress.SingleBar(
          {
            format: `epoch ${epoch + 1}/${ctx.epochs} {bar} {value}/{total} | loss {loss} | acc {acc} | {ips} img/s | ETA {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, start, { loss: '--', acc: '--', ips: '--' });
      }
    },
    onBatchEnd(ctx: TrainContext, l: StepLogs) {
      images += l.batchSize;
      // Exponential moving averages: a readable trend, not one noisy batch.
      lossAvg = Number.isNaN(lossAvg) ? l.loss : 0.95 * lossAvg + 0.05 * l.loss;
      accAvg = Number.isNaN(accAvg) ? l.accuracy : 0.95 * accAvg + 0.05 * l.accuracy;
      if (bar) bar.update(l.batch + 1, { loss: lossAvg.toFixed(4), acc: (100 * accAvg).toFixed(2) + '%', ips: rate().toFixed(0) });
      else if (l.step % logEvery === 0) {
        const left = (ctx.loader.length - l.batch - 1) * l.batchSize / rate();
        write(`epoch ${epochIdx + 1}/${ctx.epochs} step ${l.batch + 1}/${ctx.loader.length} | loss ${lossAvg.toFixed(4)} | acc ${(100 * accAvg).toFixed(2)}% | ${rate().toFixed(0)} img/s | ETA ${fmtTime(left)}`);
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
    },
  };
}
