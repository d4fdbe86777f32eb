import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { fsError } from '../io/atomic.js';
import type { Callback } from '../train/index.js';

/** The CSV columns; a JSON-lines record has the same fields (those that apply). */
export const METRICS_COLUMNS = ['type', 'epoch', 'step', 'loss', 'accuracy', 'lr', 'images_per_s', 'val_loss', 'val_accuracy', 'seconds'] as const;
type Row = Partial<Record<(typeof METRICS_COLUMNS)[number], string | number>>;

/**
 * `--log metrics.jsonl` (or `.csv`): one record every `every` steps and one per
 * epoch, appended as training runs, so a killed run keeps its log. A fresh run
 * starts the file anew; a resumed one appends.
 */
export function metricsLog(path: string, opts: { every: number; append: boolean }): Callback {
  const csv = /\.csv$/i.test(path);
  const put = (s: string, fresh = false) => {
    try {
      (fresh ? writeFileSync : appendFileSync)(path, s);
    } catch (e) {
      throw fsError(e, path, 'write');
    }
  };
  const emit = (r: Row) => {
    if (!csv) return put(JSON.stringify(r) + '\n');
    put(METRICS_COLUMNS.map((c) => (r[c] === undefined ? '' : String(r[c]))).join(',') + '\n');
  };
  if (!opts.append || !existsSync(path)) put(csv ? METRICS_COLUMNS.join(',') + '\n' : '', true);
  // Epochs are 1-based here, as in the progress lines.
  return {
    onBatchEnd(_ctx, l) {
      if (opts.every > 0 && l.step % opts.every === 0) {
        emit({ type: 'step', epoch: l.epoch + 1, step: l.step, loss: l.loss, accuracy: l.accuracy, lr: l.lr, images_per_s: Math.round(l.imagesPerSecond) });
      }
    },
    onEpochEnd(ctx, e) {
      emit({
        type: 'epoch', epoch: e.epoch + 1, step: ctx.step, loss: e.trainLoss, accuracy: e.trainAccuracy, images_per_s: Math.round(e.imagesPerSecond),
        val_loss: e.val?.loss, val_accuracy: e.val?.accuracy, seconds: Number(e.seconds.toFixed(3)),
      });
    },
  };
}
