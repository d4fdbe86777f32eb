/** What the page and its training worker share: the model, the data files, the messages. */
import {
  createModel, decodeIdx, imageClassificationFromIdx, MNIST_CLASSES, Tensor, type ImageClassificationData, type Module, type Split,
} from '../src/index.js';

export const MODEL_NAME = 'lenet5';
export const MODEL_CONFIG: Record<string, unknown> = { variant: 'modern' };

export function newModel(config: Record<string, unknown> = MODEL_CONFIG): Module {
  return createModel(MODEL_NAME, config);
}

/** MNIST, from the gzipped IDX files the build puts in data/ (no network beyond this origin). */
export async function loadMnist(split: Split, limit?: number): Promise<ImageClassificationData> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const files = { images: `data/${prefix}-images-idx3-ubyte.gz`, labels: `data/${prefix}-labels-idx1-ubyte.gz` };
  const get = async (f: string) => {
    const r = await fetch(new URL(f, location.href));
    if (!r.ok) throw new Error(`${f}: HTTP ${r.status}`);
    return decodeIdx(new Uint8Array(await r.arrayBuffer()), f);
  };
  const [images, labels] = await Promise.all([get(files.images), get(files.labels)]);
  return imageClassificationFromIdx(images, labels, files, MNIST_CLASSES, limit);
}

/** A state dict as plain arrays that structured clone carries between threads. */
export type Weights = Record<string, { data: Float32Array; shape: number[] }>;

export function exportWeights(model: Module): Weights {
  const out: Weights = {};
  for (const [k, t] of Object.entries(model.stateDict())) out[k] = { data: Float32Array.from(t.data), shape: [...t.shape] };
  return out;
}

export function importWeights(model: Module, w: Weights): void {
  const sd: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(w)) sd[k] = new Tensor(v.data, v.shape);
  model.loadStateDict(sd);
}

export interface TrainSettings {
  optimizer: 'adam' | 'adamw' | 'sgd' | 'rmsprop';
  lr: number;
  batchSize: number;
  augment: 'none' | 'shift' | 'rotate';
  seed: number;
}

export type ToWorker =
  | { type: 'start'; settings: TrainSettings; weights?: Weights }
  | { type: 'pause' }
  | { type: 'resume'; settings: TrainSettings }
  | { type: 'reset'; weights?: Weights; config?: Record<string, unknown> };

export type FromWorker =
  | { type: 'ready'; backend: string; threads: number; isolated: boolean; trainSize: number }
  | { type: 'progress'; step: number; epoch: number; loss: number; accuracy: number; imagesPerSecond: number; lr: number }
  | { type: 'eval'; step: number; accuracy: number; loss: number; count: number }
  | { type: 'weights'; step: number; weights: Weights }
  | { type: 'state'; running: boolean; step: number }
  | { type: 'error'; message: string };
