/** What the page and its training worker share: the models, the data files, the messages. */
import {
  adaptModelInput, createModel, decodeIdx, digitModelConfig, FASHION_MNIST_CLASSES, imageClassificationFromIdx, MNIST_CLASSES, Tensor,
  type ImageClassificationData, type Module, type Split,
} from '../src/index.js';

/**
 * The zoo models the lab offers: those whose weights, gradients and Adam moments
 * fit a tab and that train at a usable speed there. VGG and AlexNet are left out:
 * their 4096-wide classifiers make 128.8M and 57.0M parameters (2.1 GB and 0.9 GB
 * with gradients and moments).
 */
export const LAB_MODELS = [
  { id: 'lenet5', name: 'lenet5', label: 'LeNet-5 (ReLU, max pooling; 62k parameters)', config: digitModelConfig('lenet5', 'modern') },
  { id: 'lenet5-classic', name: 'lenet5', label: 'LeNet-5 classic (tanh, average pooling)', config: digitModelConfig('lenet5', 'classic') },
  { id: 'resnet20', name: 'resnet20', label: 'ResNet-20 (CIFAR ResNet, 0.27M parameters; digits padded to 32×32)', config: digitModelConfig('resnet20') },
  { id: 'googlenet', name: 'googlenet', label: 'GoogLeNet (Inception v1 without auxiliary heads, 5.6M parameters)', config: { ...digitModelConfig('googlenet'), auxLogits: false } },
] as const satisfies readonly { id: string; name: string; label: string; config: Record<string, unknown> }[];
export type LabModelId = (typeof LAB_MODELS)[number]['id'];

export interface ModelSpec {
  name: string;
  config: Record<string, unknown>;
}

export const DEFAULT_MODEL: ModelSpec = { name: LAB_MODELS[0].name, config: LAB_MODELS[0].config };

/** The lab's label for a model spec (a checkpoint's model may be one the menu lacks). */
export function modelLabel(spec: ModelSpec): string {
  const m = LAB_MODELS.find((l) => l.name === spec.name && JSON.stringify(l.config) === JSON.stringify(spec.config));
  return m ? m.label.replace(/ \(.*$/, '') : spec.name;
}

/** A zoo model for 28×28 grey images, its input padded or resized by a pre-hook as `receptive train` does. */
export function newModel(spec: ModelSpec = DEFAULT_MODEL): Module {
  const m = createModel(spec.name, spec.config);
  adaptModelInput(spec.name, m);
  return m;
}

export const DATASETS = {
  mnist: { label: 'MNIST (digits)', classes: MNIST_CLASSES },
  'fashion-mnist': { label: 'Fashion-MNIST (clothing)', classes: FASHION_MNIST_CLASSES },
} as const;
export type DatasetName = keyof typeof DATASETS;

/** One dataset's split from the gzipped IDX files the build puts in data/<dataset>/ (no network beyond this origin). */
export async function loadData(dataset: DatasetName, split: Split, limit?: number): Promise<ImageClassificationData> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const files = { images: `data/${dataset}/${prefix}-images-idx3-ubyte.gz`, labels: `data/${dataset}/${prefix}-labels-idx1-ubyte.gz` };
  const get = async (f: string) => {
    const r = await fetch(new URL(f, location.href));
    if (!r.ok) throw new Error(`${f}: HTTP ${r.status}`);
    return decodeIdx(new Uint8Array(await r.arrayBuffer()), f);
  };
  const [images, labels] = await Promise.all([get(files.images), get(files.labels)]);
  return imageClassificationFromIdx(images, labels, files, DATASETS[dataset].classes, limit);
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
  | { type: 'reset'; model: ModelSpec; dataset: DatasetName; weights?: Weights };

export type FromWorker =
  | { type: 'ready'; backend: string; threads: number; isolated: boolean }
  | { type: 'data'; dataset: DatasetName; trainSize: number; testSize: number }
  | { type: 'progress'; step: number; epoch: number; loss: number; accuracy: number; imagesPerSecond: number; lr: number }
  | { type: 'eval'; step: number; accuracy: number; loss: number; count: number }
  | { type: 'weights'; step: number; weights: Weights }
  | { type: 'state'; running: boolean; step: number }
  | { type: 'error'; message: string };
