import { ArgumentError, ReceptiveError, globalRNG, RNG, manualSeed } from '../tensor/index.js';
import { setBackend } from '../backend/index.js';
import { DataLoader, compose, randomTranslate, loadFashionMNIST, loadMNIST, normalize, randomSplit, MNIST_MEAN, MNIST_STD, type ImageClassificationData, type Dataset } from '../data/index.js';
import { pathToFileURL } from 'node:url';
import { basename, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Module } from '../nn/index.js';
import { createModel } from '../models/index.js';
import { adaptModelInput } from './zoo-input.js';
import type { CheckpointInfo } from '../train/index.js';
import { Adam, AdamW, CosineAnnealingLR, OneCycleLR, RMSprop, SGD, StepLR, type LRScheduler, type Optimizer } from '../optim/index.js';

export interface DataSettings {
  dataset: 'mnist' | 'fashion-mnist';
  dataDir?: string;
  batchSize: number;
  seed: number;
  /** Use only the first N training images (quick runs and tests). */
  limit?: number;
  /** Hold out this many training images for validation each epoch. */
  valSize: number;
  testLimit?: number;
  /** Training-time augmentation: none, or random shifts of up to 2 pixels (applied before normalising). */
  augment: 'none' | 'shift';
}

export interface RunData {
  train: DataLoader;
  val?: DataLoader;
  test: DataLoader;
  classNames: readonly string[];
  testData: ImageClassificationData;
}

export const DATASETS = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];

export function loadSplit(s: Pick<DataSettings, 'dataset' | 'dataDir'>, split: 'train' | 'test', limit?: number): ImageClassificationData {
  if (s.dataset === 'fashion-mnist') {
    if (!s.dataDir) throw new ArgumentError('data', 'Fashion-MNIST has no embedded copy: pass --data-dir with its four IDX files');
    return loadFashionMNIST({ dir: s.dataDir, split, limit });
  }
  return loadMNIST({ dir: s.dataDir, split, limit });
}

/** Training, validation and test loaders; every batch is normalised with MNIST's mean and std. */
export function makeData(s: DataSettings): RunData {
  const trainData = loadSplit(s, 'train', s.limit);
  const testData = loadSplit(s, 'test', s.testLimit);
  const norm = normalize(MNIST_MEAN, MNIST_STD);
  const trainTransform = s.augment === 'shift' ? compose(randomTranslate({ maxShift: 2 }), norm) : norm;
  let trainSet: Dataset = trainData.dataset();
  let val: DataLoader | undefined;
  if (s.valSize > 0) {
    if (s.valSize >= trainSet.length) throw new ArgumentError('data', `--val-size ${s.valSize} leaves no training images (of ${trainSet.length})`);
    const [tr, va] = randomSplit(trainSet, [trainSet.length - s.valSize, s.valSize], new RNG(s.seed + 1));
    trainSet = tr;
    val = new DataLoader(va, { batchSize: 500, transform: norm });
  }
  return {
    train: new DataLoader(trainSet, { batchSize: s.batchSize, shuffle: true, seed: s.seed, transform: trainTransform }),
    val,
    test: new DataLoader(testData.dataset(), { batchSize: 500, transform: norm }),
    classNames: trainData.classNames,
    testData,
  };
}

export interface OptimSettings {
  optimizer: 'adam' | 'adamw' | 'sgd' | 'rmsprop';
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: 'none' | 'cosine' | 'onecycle' | 'step';
  epochs: number;
}

export function makeOptimizer(model: Module, s: OptimSettings): Optimizer {
  const params = model.parameters();
  switch (s.optimizer) {
    case 'adam':
      return new Adam(params, { lr: s.lr, weightDecay: s.weightDecay });
    case 'adamw':
      return new AdamW(params, { lr: s.lr, weightDecay: s.weightDecay });
    case 'sgd':
      return new SGD(params, { lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay, nesterov: s.momentum > 0 });
    case 'rmsprop':
      return new RMSprop(params, { lr: s.lr, weightDecay: s.weightDecay });
    default:
      throw new ArgumentError('optimizer', `unknown optimizer "${String(s.optimizer)}" (adam, adamw, sgd, rmsprop)`);
  }
}

/** A per-step schedule over the whole run, or none. */
export function makeScheduler(opt: Optimizer, s: OptimSettings, stepsPerEpoch: number): LRScheduler | undefined {
  const total = Math.max(1, s.epochs * stepsPerEpoch);
  switch (s.schedule) {
    case 'none':
      return undefined;
    case 'cosine':
      return new CosineAnnealingLR(opt, total, 0);
    case 'onecycle':
      return new OneCycleLR(opt, { maxLr: s.lr, totalSteps: total });
    case 'step':
      return new StepLR(opt, stepsPerEpoch, 0.5);
    default:
      throw new ArgumentError('schedule', `unknown schedule "${String(s.schedule)}" (none, cosine, onecycle, step)`);
  }
}

/** Select the compute backend: 'auto' takes WebAssembly SIMD where it loads, else the reference. */
export async function selectBackend(name: string, threads?: number): Promise<string> {
  if (name === 'reference') {
    await setBackend('reference');
    return 'reference';
  }
  if (name !== 'auto' && name !== 'wasm') throw new ArgumentError('backend', `unknown backend "${name}" (auto, wasm, reference)`);
  try {
    const wasm = await import('../backend/wasm/index.js');
    if (threads !== undefined) wasm.setNumThreads(threads);
    if (await wasm.enableWasmBackend()) return 'wasm';
  } catch (e) {
    if (name === 'wasm') throw new ReceptiveError(`the wasm backend failed to load: ${(e as Error).message}`);
  }
  if (name === 'wasm') throw new ReceptiveError('the wasm backend is not available here (no WebAssembly SIMD)');
  await setBackend('reference');
  return 'reference';
}

/**
 * The data a checkpoint's model was trained on (recorded at save; older
 * checkpoints name it in their run settings), with --dataset / --data-dir from
 * the command line: --data-dir may point elsewhere (the files moved), a
 * different --dataset is refused (another dataset's classes).
 */
export function checkpointData(info: CheckpointInfo, given: { dataset?: string; dataDir?: string }, cmd: string): { dataset: DatasetName; dataDir?: string } {
  const settings = info.training?.settings as { dataset?: string; dataDir?: string } | undefined;
  const recorded = info.dataset?.name ?? settings?.dataset;
  if (given.dataset !== undefined && recorded !== undefined && given.dataset !== recorded) {
    throw new ArgumentError(cmd, `the checkpoint was trained on ${recorded}, not ${given.dataset}: leave --dataset out (or give --dataset ${recorded})`);
  }
  const name = given.dataset ?? recorded ?? 'mnist';
  if (!(DATASETS as readonly string[]).includes(name)) throw new ArgumentError(cmd, `the checkpoint names dataset "${name}", which this CLI cannot load (${DATASETS.join(', ')})`);
  const dir = given.dataDir ?? info.dataset?.dir ?? settings?.dataDir;
  return { dataset: name as DatasetName, dataDir: dir };
}

/** A --model value that names a module file rather than a registered model. */
export function isModelFile(name: string): boolean {
  return /[\\/]/.test(name) || /\.(m?js|cjs|m?ts)$/.test(name);
}

/** What a model file's builder is called with: the shape of the data the CLI feeds it. */
export const FILE_MODEL_CONFIG = { inChannels: 1, height: 28, width: 28, numClasses: 10 };

/**
 * Build a model: a registered one by name, or a user's module file that exports
 * a builder (`export default function build(config)` or `export function createModel(config)`).
 */
export async function buildModel(spec: { name: string; config: Record<string, unknown>; file?: string }, rng?: RNG): Promise<Module> {
  if (spec.file === undefined) {
    const zoo = createModel(spec.name, spec.config, rng);
    adaptModelInput(spec.name, zoo);
    return zoo;
  }
  const file = resolve(spec.file);
  if (!existsSync(file)) throw new ArgumentError('--model', `model file ${spec.file} does not exist`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    // First lines only (a bundler's "Transform failed with 1 error:" needs the next line to say what failed).
    const lines = String((e as Error)?.message ?? e).split('\n').map((l) => l.trim()).filter(Boolean);
    throw new ReceptiveError(`cannot load model file ${spec.file}: ${lines.slice(0, /failed with/i.test(lines[0] ?? '') ? 2 : 1).join(' ')}`);
  }
  const builder = typeof mod.default === 'function' ? mod.default : mod.createModel;
  if (typeof builder !== 'function') throw new ArgumentError('--model', `${spec.file} exports no builder: write "export default function build(config) { return new Sequential(...) }" or "export function createModel(config)"`);
  let model: unknown;
  try {
    model = await (builder as (c: Record<string, unknown>) => unknown)(spec.config);
  } catch (e) {
    if (e instanceof ReceptiveError) throw new ReceptiveError(`${basename(file)}: building the model failed: ${e.message}`);
    throw new ReceptiveError(`${basename(file)}: building the model failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
  }
  const m = model as Partial<Module> | null;
  if (!m || typeof m.parameters !== 'function' || typeof m.call !== 'function' || typeof m.loadStateDict !== 'function') {
    throw new ArgumentError('--model', `the builder of ${spec.file} must return a Module (e.g. a Sequential), got ${m === null ? 'null' : typeof m}`);
  }
  return m as Module;
}

export function seedEverything(seed: number): RNG {
  manualSeed(seed);
  return new RNG(seed);
}

export { globalRNG };
