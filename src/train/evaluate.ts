import { noGrad } from '../autograd/index.js';
import type { Batch } from '../data/index.js';
import type { LossFn } from '../losses/index.js';
import type { Module } from '../nn/index.js';
import { ConfusionMatrix, predictions, topKCorrect } from './metrics.js';

export interface EvalResult {
  loss: number;
  accuracy: number;
  /** Top-k accuracy for each k asked for. */
  topK: Record<number, number>;
  confusion: ConfusionMatrix;
  count: number;
}

/** Loss, accuracy, top-k and the confusion matrix of a classifier over batches, in eval mode and without a graph. */
export function evaluate(model: Module, batches: Iterable<Batch>, loss: LossFn, opts: { numClasses: number; topK?: number[] }): EvalResult {
  const wasTraining = model.training;
  model.eval();
  const confusion = new ConfusionMatrix(opts.numClasses);
  const ks = opts.topK ?? [];
  const topHits: Record<number, number> = Object.fromEntries(ks.map((k) => [k, 0]));
  let lossSum = 0;
  let count = 0;
  try {
    noGrad(() => {
      for (const b of batches) {
        const out = model.call(b.x);
        const n = b.x.shape[0];
        lossSum += loss(out, b.y).item() * n;
        count += n;
        confusion.add(predictions(out), b.y.data);
        for (const k of ks) topHits[k] += topKCorrect(out, b.y, k);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return {
    loss: count ? lossSum / count : NaN,
    accuracy: confusion.accuracy,
    topK: Object.fromEntries(ks.map((k) => [k, count ? topHits[k] / count : 0])),
    confusion,
    count,
  };
}
