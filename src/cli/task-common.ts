import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { CrossEntropyLoss } from '../losses/index.js';
import { DataLoader, TensorDataset, type BatchTransform } from '../data/index.js';
import { evaluate, fit, CHECKPOINT_FORMAT, type ConfusionMatrix, type EvalResult } from '../train/index.js';
import { saveCheckpoint } from '../train/checkpoint-node.js';
import { makeOptimizer, makeScheduler, type OptimSettings } from './setup.js';
import { progressCallback } from './progress.js';

/** Shared by `train --task speech` and `train --task text`: fit a classifier on tensors, save, evaluate. */
export interface TaskSettings extends OptimSettings {
  model: string;
  batchSize: number;
  seed: number;
  out: string;
  maxSteps?: number;
}

export interface TaskReport {
  test: EvalResult;
  macroF1: number;
  /** Accuracy of always predicting the most frequent training class. */
  majorityBaseline: number;
  steps: number;
  seconds: number;
  checkpoint: string;
}

/** Mean over classes of F1 = 2PR / (P + R); a class never predicted nor present is skipped. */
export function macroF1(cm: ConfusionMatrix): number {
  const n = cm.numClasses;
  const c = cm.counts;
  let sum = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    let row = 0, col = 0;
    for (let j = 0; j < n; j++) { row += c[i * n + j]; col += c[j * n + i]; }
    if (row + col === 0) continue;
    sum += (2 * c[i * n + i]) / (row + col);
    k++;
  }
  return k ? sum / k : 0;
}

export function majorityBaseline(trainY: Int32Array, testY: Int32Array, numClasses: number): number {
  const counts = new Int32Array(numClasses);
  for (const y of trainY) counts[y]++;
  const top = counts.indexOf(Math.max(...counts));
  return testY.length ? testY.filter((y) => y === top).length / testY.length : 0;
}

export function trainClassifier(
  model: Module, modelConfig: Record<string, unknown>, s: TaskSettings,
  data: { trainX: Tensor; trainY: Int32Array; testX: Tensor; testY: Int32Array; numClasses: number; transform?: BatchTransform },
  io: { interactive: boolean; log: (s: string) => void },
): TaskReport {
  if (data.trainY.length === 0 || data.testY.length === 0) throw new ArgumentError('train', `needs training and test examples, got ${data.trainY.length} and ${data.testY.length}`);
  const train = new DataLoader(new TensorDataset(data.trainX, new Tensor(data.trainY, [data.trainY.length])), { batchSize: s.batchSize, shuffle: true, seed: s.seed, transform: data.transform });
  const test = new DataLoader(new TensorDataset(data.testX, new Tensor(data.testY, [data.testY.length])), { batchSize: 256 });
  const optimizer = makeOptimizer(model, s);
  const scheduler = makeScheduler(optimizer, s, train.length);
  const t0 = performance.now();
  const result = fit({
    model, optimizer, loss: CrossEntropyLoss(), train, numClasses: data.numClasses, epochs: s.epochs, maxSteps: s.maxSteps,
    scheduler, schedulerInterval: 'step', callbacks: [progressCallback({ interactive: io.interactive, write: io.log })],
  });
  const seconds = (performance.now() - t0) / 1000;
  mkdirSync(s.out, { recursive: true });
  const checkpoint = join(s.out, 'checkpoint.safetensors');
  saveCheckpoint(checkpoint, model, { format: CHECKPOINT_FORMAT, model: { name: s.model, config: modelConfig } });
  const r = evaluate(model, test, CrossEntropyLoss(), { numClasses: data.numClasses });
  return { test: r, macroF1: macroF1(r.confusion), majorityBaseline: majorityBaseline(data.trainY, data.testY, data.numClasses), steps: result.step, seconds, checkpoint };
}

export function formatTaskReport(r: TaskReport, labels: readonly string[], what: string): string {
  return [
    '',
    `Test accuracy: ${(100 * r.test.accuracy).toFixed(2)}% on ${r.test.count} ${what} (macro-F1 ${r.macroF1.toFixed(4)}, loss ${r.test.loss.toFixed(4)}; majority-class baseline ${(100 * r.majorityBaseline).toFixed(2)}%)`,
    `Trained ${r.steps} steps in ${r.seconds.toFixed(1)} s`,
    '',
    'Confusion matrix (rows: true class, columns: predicted):',
    r.test.confusion.toString(labels.map((n) => n.slice(0, 6))),
    '',
    `Checkpoint: ${r.checkpoint}`,
  ].join('\n');
}
