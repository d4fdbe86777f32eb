import { ArgumentError, type RNG } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { LeNet5 } from './lenet.js';
import { SpeechCNN2014, SpeechCNN2d } from './speech.js';
import { CharCNN, KimCNN } from './textcnn.js';

/** A model the CLI and checkpoints can name: how to build it and what input it takes. */
export interface ModelEntry {
  create(config: Record<string, unknown>, rng?: RNG): Module;
  inputShape: number[];
  description: string;
  /** Configurations to list where the entry has no default one (the paper's VGG columns). */
  listConfigs?: Record<string, unknown>[];
}

const MODELS: Record<string, ModelEntry> = {
  lenet5: {
    create: (c, rng) => new LeNet5({ ...(c as object), rng }),
    inputShape: [1, 1, 28, 28],
    description: 'LeNet-5 (ReLU + max pooling; config {variant: "classic"} for tanh + average pooling)',
  },
  'speech-cnn': {
    create: (c, rng) => new SpeechCNN2014({ numClasses: 10, ...(c as object), rng }),
    inputShape: [1, 3, 40, 100],
    description: 'Abdel-Hamid et al. 2014: convolution and max pooling along frequency over log-mel + Δ + ΔΔ, dense layers',
  },
  'speech-cnn2d': {
    create: (c, rng) => new SpeechCNN2d({ numClasses: 10, ...(c as object), rng }),
    inputShape: [1, 3, 40, 100],
    description: 'a 2-D CNN (3×3 convolutions, 2×2 pooling) over the log-mel spectrogram',
  },
  textcnn: {
    create: (c, rng) => new KimCNN({ vocabSize: 1000, numClasses: 2, ...(c as object), rng }),
    inputShape: [1, 64],
    description: 'Kim 2014: word embeddings, 1-D convolutions of widths 3, 4, 5, max-over-time pooling, dropout',
  },
  charcnn: {
    create: (c, rng) => new CharCNN({ vocabSize: 100, numClasses: 2, ...(c as object), rng }),
    inputShape: [1, 200],
    description: 'a character-level CNN (Zhang et al. 2015 style, with a dilated convolution)',
  },
};

export function registerModel(name: string, entry: ModelEntry): void {
  MODELS[name] = entry;
}

export function listModels(): string[] {
  return Object.keys(MODELS);
}

export function getModelEntry(name: string): ModelEntry {
  const e = MODELS[name];
  if (!e) throw new ArgumentError('models', `unknown model "${name}" (known: ${listModels().join(', ')})`);
  return e;
}

export function createModel(name: string, config: Record<string, unknown> = {}, rng?: RNG): Module {
  return getModelEntry(name).create(config, rng);
}

import { registerClassicModels } from './zoo-classic.js';
registerClassicModels(registerModel);
// The ResNet family (src/models/zoo-resnet.ts).
import { RESNET_MODELS } from './zoo-resnet.js';
for (const [name, entry] of Object.entries(RESNET_MODELS)) registerModel(name, entry);
