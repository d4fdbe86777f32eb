import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import {
  AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential,
} from '../nn/index.js';
import { SPEECH_FEATURES, type SpeechFeatureConfig } from '../audio/pipeline.js';

/**
 * Speech models over [N, C, bands, frames] features (log-mel with Δ and ΔΔ as
 * C = 3 channels, src/audio/pipeline.ts). Their configs also carry the class
 * names and the feature settings, so a checkpoint alone is enough to predict.
 */
export interface SpeechModelConfig {
  numClasses: number;
  /** Class names in output order (metadata for predict). */
  labels?: string[];
  features?: SpeechFeatureConfig;
  dropout?: number;
  rng?: RNG;
}

function resolve(name: string, c: SpeechModelConfig): { numClasses: number; f: SpeechFeatureConfig; channels: number } {
  if (!Number.isInteger(c.numClasses) || c.numClasses < 2) throw new ArgumentError(name, `numClasses must be an integer >= 2, got ${String(c.numClasses)}`);
  if (c.labels && c.labels.length !== c.numClasses) throw new ArgumentError(name, `${c.labels.length} labels for ${c.numClasses} classes`);
  const f = c.features ?? SPEECH_FEATURES;
  return { numClasses: c.numClasses, f, channels: f.deltas ? 3 : 1 };
}

export interface SpeechCNN2014Config extends SpeechModelConfig {
  /** Frames averaged into one before the convolution (default 4: 100 frames of 10 ms → 25 of 40 ms). */
  timePool?: number;
  /** Feature maps of the convolution layer (the paper: 84–150). */
  filters?: number;
  /** Filter size along frequency, in bands (paper: 8) and max-pooling size along frequency (paper: 3–6). */
  filterBands?: number;
  poolBands?: number;
  hidden?: number;
}

/**
 * Abdel-Hamid, Mohamed, Jiang, Deng, Penn & Yu 2014, "Convolutional Neural
 * Networks for Speech Recognition", with full weight sharing: each filter
 * spans `filterBands` neighbouring mel bands and the whole (time-pooled)
 * context window over all input maps (static, Δ, ΔΔ); it slides along
 * frequency only, and max pooling is along frequency only, which gives the
 * invariance to small formant shifts across speakers the paper is after. Dense
 * layers and a softmax follow. For whole-word classification the context
 * window is the whole utterance.
 */
export class SpeechCNN2014 extends Module {
  static override readonly typeName = 'SpeechCNN2014';
  readonly config: Readonly<Omit<SpeechCNN2014Config, 'rng'>>;
  readonly net: Sequential;
  constructor(config: SpeechCNN2014Config) {
    super();
    const { numClasses, f, channels } = resolve('SpeechCNN2014', config);
    const timePool = config.timePool ?? 4;
    const filters = config.filters ?? 96;
    const fb = config.filterBands ?? 8;
    const pb = config.poolBands ?? 3;
    const hidden = config.hidden ?? 256;
    const ctx = Math.floor(f.frames / timePool);
    const convBands = f.nMels - fb + 1;
    if (ctx < 1 || convBands < pb) throw new ArgumentError('SpeechCNN2014', `features of ${f.nMels} bands × ${f.frames} frames are too small for filterBands ${fb}, poolBands ${pb}, timePool ${timePool}`);
    const { rng, ...rest } = config;
    this.config = rest;
    this.net = this.registerModule('net', new Sequential(
      new AvgPool2d({ kernelSize: [1, timePool] }),
      new Conv2d({ inChannels: channels, outChannels: filters, kernelSize: [fb, ctx], rng }),
      new BatchNorm2d({ numFeatures: filters }),
      new ReLU(),
      new MaxPool2d({ kernelSize: [pb, 1] }),
      new Flatten(),
      new Linear({ inFeatures: filters * Math.floor(convBands / pb), outFeatures: hidden, rng }),
      new ReLU(),
      new Dropout({ p: config.dropout ?? 0.3, rng }),
      new Linear({ inFeatures: hidden, outFeatures: numClasses, rng }),
    ));
  }
  forward(x: Tensor): Tensor {
    const { f, channels } = resolve('SpeechCNN2014', this.config as SpeechModelConfig);
    this.expectShape(x, ['N', channels, f.nMels, f.frames]);
    return this.net.call(x);
  }
}

/** A small VGG-style 2-D CNN over the spectrogram (3×3 convolutions and 2×2 pooling in time and frequency). */
export class SpeechCNN2d extends Module {
  static override readonly typeName = 'SpeechCNN2d';
  readonly config: Readonly<Omit<SpeechModelConfig, 'rng'> & { width?: number }>;
  readonly net: Sequential;
  constructor(config: SpeechModelConfig & { width?: number }) {
    super();
    const { numClasses, f, channels } = resolve('SpeechCNN2d', config);
    const w = config.width ?? 16;
    const { rng, ...rest } = config;
    this.config = rest;
    const block = (i: number, o: number) => [new Conv2d({ inChannels: i, outChannels: o, kernelSize: 3, padding: 1, rng }), new BatchNorm2d({ numFeatures: o }), new ReLU(), new MaxPool2d({ kernelSize: 2 })];
    let h = f.nMels;
    let t = Math.floor(f.frames / 2);
    for (let k = 0; k < 3; k++) { h = Math.floor(h / 2); t = Math.floor(t / 2); }
    if (h < 1 || t < 1) throw new ArgumentError('SpeechCNN2d', `features of ${f.nMels} × ${f.frames} are too small for three 2×2 poolings after halving time`);
    this.net = this.registerModule('net', new Sequential(
      new AvgPool2d({ kernelSize: [1, 2] }),
      ...block(channels, w), ...block(w, 2 * w), ...block(2 * w, 2 * w),
      new Flatten(),
      new Linear({ inFeatures: 2 * w * h * t, outFeatures: 128, rng }),
      new ReLU(),
      new Dropout({ p: config.dropout ?? 0.3, rng }),
      new Linear({ inFeatures: 128, outFeatures: numClasses, rng }),
    ));
  }
  forward(x: Tensor): Tensor {
    const { f, channels } = resolve('SpeechCNN2d', this.config as SpeechModelConfig);
    this.expectShape(x, ['N', channels, f.nMels, f.frames]);
    return this.net.call(x);
  }
}
