import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fsError, writeFileAtomic } from '../io/atomic.js';
import type { Callback } from '../train/index.js';
import { parseMetricsLog, trainingCurvesSvg, type MetricsRecord } from '../viz/curves.js';

/** The CSV columns; a JSON-lines record has the same fields (those that apply). */
export const METRICS_COLUMNS = ['type', 'epoch', 'step', 'loss', 'accuracy', 'lr', 'images_per_s', 'val_loss', 'val_accuracy', 'seconds'] as const;
type Row = Partial<Record<(typeof METRICS_COLUMNS)[number], string | number>>;

/** Where the curves of a metrics log go: the log's name with .svg (metrics.jsonl → metrics.svg). */
export function curvesPath(log: string): string {
  return log.replace(/\.(jsonl|json|csv|txt)$/i, '') + '.svg';
}

/**
 * `--log metrics.jsonl` (or `.csv`): one record every `every` steps and one per
 * epoch, appended as training runs, so a killed run keeps its log. A fresh run
 * starts the file anew; a resumed one appends. The curves are redrawn beside it
 * (curvesPath) at every epoch end, every 20 records and when training ends.
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
  const records: MetricsRecord[] = [];
  const draw = () => writeFileAtomic(curvesPath(path), new TextEncoder().encode(trainingCurvesSvg(records)));
  const emit = (r: Row) => {
    records.push(r as MetricsRecord);
    if (!csv) put(JSON.stringify(r) + '\n');
    else put(METRICS_COLUMNS.map((c) => (r[c] === undefined ? '' : String(r[c]))).join(',') + '\n');
    if (r.type === 'epoch' || records.length % 20 === 0) draw();
  };
  if (!opts.append || !existsSync(path)) put(csv ? METRICS_COLUMNS.join(',') + '\n' : '', true);
  else records.push(...parseMetricsLog(readFileSync(path, 'utf8'), path));
  // Epochs are 1-based here, as in the progress lines.
  return {
    onTrainEnd() {
      if (records.length) draw();
    },
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
