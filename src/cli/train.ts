import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, globalRNG } from '../tensor/index.js';
import { createModel } from '../models/index.js';
import { CrossEntropyLoss } from '../losses/index.js';
import { evaluate, fit, everyNSteps, earlyStopping, type Callback, type EvalResult, type TrainContext, type CheckpointInfo, CHECKPOINT_FORMAT } from '../train/index.js';
import { readCheckpoint, saveCheckpoint } from '../train/checkpoint-node.js';
import { makeData, makeOptimizer, makeScheduler, seedEverything, type DataSettings, type OptimSettings } from './setup.js';
import { progressCallback } from './progress.js';

export interface TrainSettings extends DataSettings, OptimSettings {
  model: string;
  variant: 'modern' | 'classic';
  out: string;
  checkpointEvery: number;
  maxSteps?: number;
  patience?: number;
  resume?: string;
  /** Evaluate on the test set after every epoch and log the accuracy with the time elapsed (the benchmark's time to 99%). */
  evalEachEpoch?: boolean;
}

export const TRAIN_DEFAULTS: TrainSettings = {
  model: 'lenet5',
  variant: 'modern',
  dataset: 'mnist',
  epochs: 4,
  batchSize: 64,
  optimizer: 'adam',
  lr: 3e-3,
  momentum: 0.9,
  weightDecay: 0,
  schedule: 'cosine',
  seed: 0,
  valSize: 0,
  augment: 'shift',
  out: 'runs/lenet5',
  checkpointEvery: 0,
};

export interface TrainReport {
  settings: TrainSettings;
  test: EvalResult;
  classNames: readonly string[];
  steps: number;
  seconds: number;
  imagesPerSecond: number;
  checkpoint: string;
  stopReason: string | null;
}

/**
 * `receptive train`: build the model, data, optimiser and schedule from the
 * settings (or from a checkpoint when resuming), run the loop, save checkpoints
 * and evaluate on the test set.
 */
export function runTrain(given: Partial<TrainSettings>, io: { interactive: boolean; log: (s: string) => void }): TrainReport {
  let settings: TrainSettings = { ...TRAIN_DEFAULTS, ...given };
  let resumed: ReturnType<typeof readCheckpoint> | null = null;
  if (settings.resume) {
    resumed = readCheckpoint(settings.resume);
    if (!resumed.info.training) throw new ArgumentError('train', `checkpoint ${settings.resume} holds weights only, no training state to resume`);
    // The run continues with its own settings; only the length of the run and the output may change.
    const saved = resumed.info.training.settings as Partial<TrainSettings> | undefined;
    settings = { ...settings, ...saved, epochs: given.epochs ?? saved?.epochs ?? settings.epochs, maxSteps: given.maxSteps, out: given.out ?? saved?.out ?? settings.out, resume: settings.resume };
  }
  const modelRng = seedEverything(settings.seed);
  const model = createModel(settings.model, { variant: settings.variant }, modelRng);
  const data = makeData(settings);
  const optimizer = makeOptimizer(model, settings);
  const scheduler = makeScheduler(optimizer, settings, data.train.length);
  let startStep = 0;
  if (resumed) {
    const t = resumed.info.training!;
    model.loadStateDict(resumed.tensors);
    optimizer.loadStateDict(t.optimizer);
    if (scheduler && t.scheduler) scheduler.loadStateDict(t.scheduler);
    data.train.setState(t.loader);
    globalRNG.setState(t.rng);
    startStep = t.step;
    io.log(`resumed from ${settings.resume} at step ${startStep}`);
  }
  mkdirSync(settings.out, { recursive: true });
  const ckptPath = join(settings.out, 'checkpoint.safetensors');
  const save = (ctx: Pick<TrainContext, 'step' | 'history'>) => {
    const info: CheckpointInfo = {
      format: CHECKPOINT_FORMAT,
      model: { name: settings.model, config: { variant: settings.variant } },
      training: {
        step: ctx.step,
        optimizer: optimizer.stateDict(),
        scheduler: scheduler ? { type: scheduler.constructor.name, ...scheduler.stateDict() } : undefined,
        loader: data.train.getState(),
        rng: globalRNG.getState(),
        history: ctx.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, trainAccuracy: h.trainAccuracy, valLoss: h.val?.loss, valAccuracy: h.val?.accuracy })),
        settings: { ...settings, resume: undefined },
      },
    };
    saveCheckpoint(ckptPath, model, info);
  };
  const callbacks: Callback[] = [progressCallback({ interactive: io.interactive, write: io.log }), everyNSteps(settings.checkpointEvery, save)];
  if (settings.patience !== undefined && data.val) callbacks.push(earlyStopping({ patience: settings.patience }));
  let t0 = performance.now();
  if (settings.evalEachEpoch) {
    // Evaluation runs in eval mode without a graph and draws no random numbers, so the run trains exactly as without it.
    callbacks.push({
      onEpochEnd: (_ctx, logs) => {
        const r = evaluate(model, data.test, CrossEntropyLoss(), { numClasses: data.classNames.length });
        io.log(`epoch ${logs.epoch + 1}: test accuracy ${(100 * r.accuracy).toFixed(2)}% after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      },
    });
  }
  t0 = performance.now();
  const result = fit({
    model, optimizer, loss: CrossEntropyLoss(), train: data.train, val: data.val, numClasses: data.classNames.length,
    epochs: settings.epochs, maxSteps: settings.maxSteps, scheduler, schedulerInterval: 'step', callbacks, startStep,
  });
  const seconds = (performance.now() - t0) / 1000;
  const trainedImages = (result.step - startStep) * settings.batchSize;
  save(result);
  const test = evaluate(model, data.test, CrossEntropyLoss(), { numClasses: data.classNames.length, topK: [1, 3] });
  return {
    settings, test, classNames: data.classNames, steps: result.step, seconds,
    imagesPerSecond: trainedImages / seconds, checkpoint: ckptPath, stopReason: result.stopReason,
  };
}

/** The final summary: test accuracy, per-class accuracy and the confusion matrix. */
export function formatReport(r: TrainReport): string {
  const per = r.test.confusion.perClassAccuracy();
  const lines = [
    '',
    `Test accuracy: ${(100 * r.test.accuracy).toFixed(2)}% on ${r.test.count} images (loss ${r.test.loss.toFixed(4)}, top-3 ${(100 * (r.test.topK[3] ?? NaN)).toFixed(2)}%)`,
    `Trained ${r.steps} steps in ${r.seconds.toFixed(1)} s (${r.imagesPerSecond.toFixed(0)} images/s)${r.stopReason ? `; stopped: ${r.stopReason}` : ''}`,
    '',
    'Per-class accuracy:',
    ...per.map((a, i) => `  ${r.classNames[i].padEnd(12)} ${(100 * a).toFixed(2)}%`),
    '',
    'Confusion matrix (rows: true class, columns: predicted):',
    r.test.confusion.toString(r.classNames.map((n) => n.slice(0, 6))),
    '',
    `Checkpoint: ${r.checkpoint}`,
  ];
  return lines.join('\n');
}
