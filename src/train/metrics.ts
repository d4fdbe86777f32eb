import { ArgumentError, Tensor } from '../tensor/index.js';

/** Class indices of the largest logits, row by row of [N, C]. */
export function predictions(logits: Tensor): Int32Array {
  if (logits.rank !== 2) throw new ArgumentError('predictions', `expected logits [N, C], got [${logits.shape.join(', ')}]`);
  const [n, c] = logits.shape;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (logits.data[i * c + j] > logits.data[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Number of rows whose target is among the k largest logits. */
export function topKCorrect(logits: Tensor, targets: Tensor, k: number): number {
  const [n, c] = logits.shape;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = targets.data[i];
    const tv = logits.data[i * c + t];
    let above = 0;
    for (let j = 0; j < c; j++) {
      const v = logits.data[i * c + j];
      if (v > tv || (v === tv && j < t)) above++;
    }
    if (above < k) correct++;
  }
  return correct;
}

/** Confusion matrix: rows are true classes, columns predicted classes. */
export class ConfusionMatrix {
  readonly counts: Int32Array;
  constructor(readonly numClasses: number) {
    this.counts = new Int32Array(numClasses * numClasses);
  }
  add(pred: ArrayLike<number>, target: ArrayLike<number>): void {
    for (let i = 0; i < pred.length; i++) this.counts[target[i] * this.numClasses + pred[i]]++;
  }
  get total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }
  get accuracy(): number {
    let d = 0;
    for (let i = 0; i < this.numClasses; i++) d += this.counts[i * this.numClasses + i];
    return this.total ? d / this.total : 0;
  }
  /** Recall of each class: correct / examples of that class (NaN for an absent class). */
  perClassAccuracy(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.numClasses; i++) {
      let row = 0;
      for (let j = 0; j < this.numClasses; j++) row += this.counts[i * this.numClasses + j];
      out.push(row ? this.counts[i * this.numClasses + i] / row : NaN);
    }
    return out;
  }
  rows(): number[][] {
    return Array.from({ length: this.numClasses }, (_, i) => Array.from(this.counts.subarray(i * this.numClasses, (i + 1) * this.numClasses)));
  }
  toString(labels?: readonly string[]): string {
    const names = labels ?? Array.from({ length: this.numClasses }, (_, i) => String(i));
    const w = Math.max(5, ...Array.from(this.counts, (v) => String(v).length + 1), ...names.map((n) => n.length + 1));
    const head = 'true\\pred'.padEnd(10) + names.map((n) => n.padStart(w)).join('');
    const body = this.rows().map((r, i) => names[i].padEnd(10) + r.map((v) => String(v).padStart(w)).join(''));
    return [head, ...body].join('\n');
  }
}
