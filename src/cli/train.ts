import { join, resolve } from 'node:path';
import { ArgumentError, globalRNG } from '../tensor/index.js';
import { CrossEntropyLoss } from '../losses/index.js';
import { evaluate, fitAsync, everyNSteps, earlyStopping, type Callback, type EvalResult, type TrainContext, type CheckpointInput } from '../train/index.js';
import { bestCheckpoint, readCheckpoint, saveCheckpoint } from '../train/checkpoint-node.js';
import { ensureDir } from '../io/atomic.js';
import { FILE_MODEL_CONFIG, buildModel, isModelFile, makeData, makeOptimizer, makeScheduler, seedEverything, type DataSettings, type OptimSettings } from './setup.js';
import { progressCallback } from './progress.js';
import { adaptationOf, cliModelConfig, describeAdaptation } from './zoo-input.js';
import { metricsLog } from './metrics-log.js';

export interface TrainSettings extends DataSettings, OptimSettings {
  /** A registered model name, or a module file exporting a builder. */
  model: string;
  variant: 'modern' | 'classic';
  out: string;
  checkpointEvery: number;
  maxSteps?: number;
  patience?: number;
  /** Batches per optimiser step (gradient accumulation). */
  accumulateSteps: number;
  resume?: string;
  /** Evaluate on the test set after every epoch and log the accuracy with the time elapsed (the benchmark's time to 99%). */
  evalEachEpoch?: boolean;
  /** A metrics log: JSON lines, or CSV for a .csv name. */
  log?: string;
  logEvery: number;
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
  accumulateSteps: 1,
  logEvery: 10,
};

/**
 * The resume rule: a resumed run continues with its saved settings, so it is the
 * same run. Only these may change; any other setting given is ignored, with a
 * warning. maxSteps and epochs are carried over unless given.
 */
export const RESUME_MAY_CHANGE: readonly (keyof TrainSettings)[] = ['epochs', 'maxSteps', 'out', 'checkpointEvery', 'evalEachEpoch', 'testLimit', 'dataDir', 'log', 'logEvery', 'resume'];

const flag = (k: string) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** Settings of a resumed run: the saved ones, with the changeable ones given; a warning for each other one given. */
export function resumeSettings(saved: Partial<TrainSettings>, given: Partial<TrainSettings>): { settings: TrainSettings; warnings: string[] } {
  const warnings: string[] = [];
  const settings: TrainSettings = { ...TRAIN_DEFAULTS, ...saved };
  for (const [k, v] of Object.entries(given) as [keyof TrainSettings, unknown][]) {
    if (v === undefined) continue;
    if (RESUME_MAY_CHANGE.includes(k)) (settings as unknown as Record<string, unknown>)[k] = v;
    else if (v !== saved[k]) warnings.push(`${flag(k)} ${String(v)} is ignored: a resumed run keeps its saved settings (${k} ${String(saved[k] ?? 'unset')}); only ${RESUME_MAY_CHANGE.filter((c) => c !== 'resume').map(flag).join(', ')} may change`);
  }
  return { settings, warnings };
}

export interface TrainReport {
  settings: TrainSettings;
  /** Absent when the run was interrupted. */
  test?: EvalResult;
  classNames: readonly string[];
  /** Steps this invocation took, and the step the run started from (0, or the resumed checkpoint's). */
  steps: number;
  startStep: number;
  seconds: number;
  imagesPerSecond: number;
  checkpoint: string;
  stopReason: string | null;
  interrupted: boolean;
}

export interface TrainIO {
  interactive: boolean;
  /** Named in the first line. */
  backend?: string;
  log: (s: string) => void;
  warn: (s: string) => void;
  /** Stop after the current step when aborted (the CLI aborts on Ctrl-C); the checkpoint is saved. */
  signal?: AbortSignal;
  /** Given the progress display's terminal restore, for the CLI's signal handler. */
  onProgress?: (p: { restoreTerminal(): void }) => void;
}

/**
 * `receptive train`: build the model, data, optimiser and schedule from the
 * settings (or from a checkpoint when resuming), run the loop, save checkpoints
 * and evaluate on the test set.
 */
export async function runTrain(given: Partial<TrainSettings>, io: TrainIO): Promise<TrainReport> {
  let settings: TrainSettings = { ...TRAIN_DEFAULTS, ...given };
  let resumed: ReturnType<typeof readCheckpoint> | null = null;
  if (given.resume) {
    resumed = readCheckpoint(given.resume);
    if (!resumed.info.training) throw new ArgumentError('train', `checkpoint ${given.resume} holds weights only, no training state to resume`);
    const r = resumeSettings((resumed.info.training.settings ?? {}) as Partial<TrainSettings>, given);
    settings = r.settings;
    r.warnings.forEach(io.warn);
  }
  if (settings.patience !== undefined && !(settings.valSize > 0)) throw new ArgumentError('train', '--patience needs --val-size: early stopping watches the validation loss');
  const fromFile = isModelFile(settings.model);
  const spec = fromFile
    ? { name: settings.model, file: resolve(settings.model), config: { ...FILE_MODEL_CONFIG } }
    : { name: settings.model, config: cliModelConfig(settings.model, settings.variant) };
  // Before any data is loaded: an unusable --out fails at once.
  ensureDir(settings.out);
  io.log(`receptive train: ${settings.model} on ${settings.dataset}${io.backend ? `, backend ${io.backend}` : ''}`);
  const modelRng = seedEverything(settings.seed);
  const model = await buildModel(spec, modelRng);
  const adapted = adaptationOf(model);
  if (adapted && settings.model !== 'lenet5') io.log(`${settings.model}: ${JSON.stringify(spec.config)}, ${describeAdaptation(adapted)}`);
  const data = makeData(settings);
  const optimizer = makeOptimizer(model, settings);
  const stepsPerEpoch = Math.ceil(data.train.length / settings.accumulateSteps);
  const scheduler = makeScheduler(optimizer, settings, stepsPerEpoch);
  let startStep = 0;
  let epochTotals: TrainContext['epochTotals'] | undefined;
  if (resumed) {
    const t = resumed.info.training!;
    model.loadStateDict(resumed.tensors);
    optimizer.loadStateDict(t.optimizer);
    if (scheduler && t.scheduler) scheduler.loadStateDict(t.scheduler);
    data.train.setState(t.loader);
    globalRNG.setState(t.rng);
    startStep = t.step;
    epochTotals = t.epochTotals;
    io.log(`resumed from ${given.resume} at step ${startStep}`);
    if (settings.maxSteps !== undefined && startStep >= settings.maxSteps) io.warn(`the run already reached its --max-steps ${settings.maxSteps}: give a larger --max-steps to continue it`);
  }
  const ckptPath = join(settings.out, 'checkpoint.safetensors');
  const dataset = { name: settings.dataset, dir: settings.dataDir === undefined ? undefined : resolve(settings.dataDir), classNames: [...data.classNames] };
  const modelInfo = fromFile ? { name: spec.name, config: spec.config, file: spec.file } : spec;
  const save = (ctx: Pick<TrainContext, 'step' | 'history' | 'epochTotals'>) => {
    const info: CheckpointInput = {
      model: modelInfo,
      dataset,
      training: {
        step: ctx.step,
        optimizer: optimizer.stateDict(),
        scheduler: scheduler ? { type: scheduler.constructor.name, ...scheduler.stateDict() } : undefined,
        loader: data.train.getState(),
        rng: globalRNG.getState(),
        epochTotals: { ...ctx.epochTotals },
        history: ctx.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, trainAccuracy: h.trainAccuracy, valLoss: h.val?.loss, valAccuracy: h.val?.accuracy })),
        settings: { ...settings, resume: undefined },
      },
    };
    saveCheckpoint(ckptPath, model, info);
  };
  const progress = progressCallback({ interactive: io.interactive, write: io.log });
  io.onProgress?.(progress);
  let images = 0;
  const callbacks: Callback[] = [progress, everyNSteps(settings.checkpointEvery, save), { onBatchEnd: (_c, l) => void (images += l.batchSize) }];
  if (settings.patience !== undefined && data.val) callbacks.push(earlyStopping({ patience: settings.patience }));
  // The best model by validation accuracy, weights only (`receptive eval` reads it like the checkpoint).
  if (data.val) {
    const before = (resumed?.info.training?.history ?? []).map((h) => h.valAccuracy ?? -Infinity);
    callbacks.push(bestCheckpoint(join(settings.out, 'best.safetensors'), { monitor: 'valAccuracy', initial: Math.max(-Infinity, ...before), info: () => ({ model: modelInfo, dataset }) }));
  }
  if (settings.log) callbacks.push(metricsLog(settings.log, { every: settings.logEvery, append: resumed !== null }));
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
  const result = await fitAsync({
    model, optimizer, loss: CrossEntropyLoss(), train: data.train, val: data.val, numClasses: data.classNames.length,
    epochs: settings.epochs, maxSteps: settings.maxSteps, scheduler, schedulerInterval: 'step', callbacks, startStep,
    accumulateSteps: settings.accumulateSteps, signal: io.signal, epochTotals,
  });
  const seconds = (performance.now() - t0) / 1000;
  save(result);
  const interrupted = result.stopReason === 'aborted';
  const test = interrupted ? undefined : evaluate(model, data.test, CrossEntropyLoss(), { numClasses: data.classNames.length, topK: [1, 3] });
  return {
    settings, test, classNames: data.classNames, steps: result.step - startStep, startStep, seconds,
    imagesPerSecond: images / seconds, checkpoint: ckptPath, stopReason: interrupted ? null : result.stopReason, interrupted,
  };
}

/** The final summary: test accuracy, per-class accuracy and the confusion matrix. */
export function formatReport(r: TrainReport): string {
  const range = r.startStep > 0 && r.steps > 0 ? ` (steps ${r.startStep + 1}-${r.startStep + r.steps}, resumed)` : '';
  const trained = `Trained ${r.steps} steps${range} in ${r.seconds.toFixed(1)} s (${r.imagesPerSecond.toFixed(0)} images/s)${r.stopReason ? `; stopped: ${r.stopReason}` : ''}`;
  if (!r.test) {
    return ['', trained, `Interrupted: the checkpoint holds step ${r.startStep + r.steps}: ${r.checkpoint}`, `Resume with: receptive train --resume ${r.checkpoint}`].join('\n');
  }
  const per = r.test.confusion.perClassAccuracy();
  const lines = [
    '',
    `Test accuracy: ${(100 * r.test.accuracy).toFixed(2)}% on ${r.test.count} images (loss ${r.test.loss.toFixed(4)}, top-3 ${(100 * (r.test.topK[3] ?? NaN)).toFixed(2)}%)`,
    trained,
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
