/*
 * Training curves from the metrics log that `receptive train --log` writes
 * (JSON lines, or CSV with the same columns): loss, accuracy and learning rate
 * against the optimiser step, per step and per epoch, as SVG.
 */
import { ArgumentError, FormatError } from '../tensor/index.js';
import { composeSvg, lineChartSvg, type Series } from './svg.js';

/** One record of the log; a step record has the running values, an epoch record the epoch's (and validation). */
export interface MetricsRecord {
  type: 'step' | 'epoch';
  epoch: number;
  step: number;
  loss?: number;
  accuracy?: number;
  lr?: number;
  images_per_s?: number;
  val_loss?: number;
  val_accuracy?: number;
  seconds?: number;
}

const NUMERIC = ['epoch', 'step', 'loss', 'accuracy', 'lr', 'images_per_s', 'val_loss', 'val_accuracy', 'seconds'] as const;

/** Parse a metrics log: JSON lines, or CSV whose header names the columns. `source` names it in errors. */
export function parseMetricsLog(text: string, source = 'metrics log'): MetricsRecord[] {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return [];
  const csv = !lines[first].trimStart().startsWith('{');
  const header = csv ? lines[first].split(',').map((h) => h.trim()) : [];
  if (csv && (!header.includes('type') || !header.includes('step'))) throw new FormatError(source, `line ${first + 1}: expected JSON lines or a CSV header with the columns type and step, got ${JSON.stringify(lines[first].slice(0, 60))}`);
  const out: MetricsRecord[] = [];
  for (let i = csv ? first + 1 : first; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let raw: Record<string, unknown>;
    if (csv) {
      const cells = line.split(',');
      if (cells.length !== header.length) throw new FormatError(source, `line ${i + 1}: ${cells.length} fields, the header has ${header.length}`);
      raw = Object.fromEntries(header.map((h, k) => [h, cells[k] === '' ? undefined : h === 'type' ? cells[k] : Number(cells[k])]));
    } else {
      try {
        raw = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new FormatError(source, `line ${i + 1}: not JSON: ${JSON.stringify(line.slice(0, 60))}`);
      }
    }
    if (raw.type !== 'step' && raw.type !== 'epoch') throw new FormatError(source, `line ${i + 1}: type must be "step" or "epoch", got ${JSON.stringify(raw.type)}`);
    const r: MetricsRecord = { type: raw.type, epoch: 0, step: 0 };
    for (const k of NUMERIC) {
      const v = raw[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || Number.isNaN(v)) throw new FormatError(source, `line ${i + 1}: ${k} must be a number, got ${JSON.stringify(v)}`);
      r[k] = v;
    }
    if (raw.step === undefined) throw new FormatError(source, `line ${i + 1}: no step`);
    out.push(r);
  }
  return out;
}

const pointsOf = (rs: readonly MetricsRecord[], key: keyof MetricsRecord): [number, number][] =>
  rs.filter((r) => typeof r[key] === 'number').map((r) => [r.step, r[key] as number]);

/**
 * The curves as one SVG: loss and accuracy (each per step, per epoch, and
 * validation where the log has it) and, when logged, the learning rate.
 */
export function trainingCurvesSvg(records: readonly MetricsRecord[], opts: { title?: string } = {}): string {
  const steps = records.filter((r) => r.type === 'step');
  const epochs = records.filter((r) => r.type === 'epoch');
  const panel = (what: string, key: 'loss' | 'accuracy', valKey: 'val_loss' | 'val_accuracy') => {
    const s: Series[] = [];
    if (steps.some((r) => r[key] !== undefined)) s.push({ name: `train ${what} (step)`, points: pointsOf(steps, key) });
    if (epochs.some((r) => r[key] !== undefined)) s.push({ name: `train ${what} (epoch)`, points: pointsOf(epochs, key), markers: true, colour: '#D55E00' });
    if (epochs.some((r) => r[valKey] !== undefined)) s.push({ name: `val ${what}`, points: pointsOf(epochs, valKey), markers: true, dashed: true, colour: '#009E73' });
    return s;
  };
  const parts: string[] = [];
  const prefix = opts.title ? `${opts.title}: ` : '';
  const loss = panel('loss', 'loss', 'val_loss');
  if (loss.length) parts.push(lineChartSvg(loss, { title: `${prefix}loss`, xLabel: 'step', yLabel: 'cross-entropy' }));
  const acc = panel('acc', 'accuracy', 'val_accuracy');
  if (acc.length) parts.push(lineChartSvg(acc, { title: `${prefix}accuracy`, xLabel: 'step', yLabel: 'accuracy' }));
  if (steps.some((r) => r.lr !== undefined)) parts.push(lineChartSvg([{ name: 'learning rate', points: pointsOf(steps, 'lr') }], { title: `${prefix}learning rate`, xLabel: 'step', yLabel: 'lr' }));
  if (!parts.length) throw new ArgumentError('trainingCurvesSvg', `the log has no loss, accuracy or lr values (${records.length} records)`);
  return composeSvg(parts);
}
