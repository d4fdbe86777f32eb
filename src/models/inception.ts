import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import { adaptiveAvgPool2d, concat, flatten, relu } from '../ops/index.js';
import { BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module, Sequential, registerModuleType } from '../nn/index.js';
import { jsonConfig, layerConfig, optionalNumber, positiveInt } from '../nn/layers/config.js';

/*
 * GoogLeNet's building blocks (Szegedy et al. 2014, "Going Deeper with
 * Convolutions"), with torchvision's names so that state dicts match.
 */

export interface BasicConv2dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  padding?: number;
  rng?: RNG;
}

/** torchvision's BasicConv2d: convolution without bias, batch norm (eps 0.001), ReLU. */
export class BasicConv2d extends Module {
  static override readonly typeName = 'BasicConv2d';
  conv: Conv2d;
  bn: BatchNorm2d;
  readonly config: Readonly<BasicConv2dConfig>;
  constructor(config: BasicConv2dConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<BasicConv2dConfig>('BasicConv2d', config, ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'rng'], '{ inChannels: 192, outChannels: 64, kernelSize: 1 }', rest[0]);
    this.config = { ...c };
    this.conv = new Conv2d({ inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernelSize, stride: c.stride, padding: c.padding, bias: false, rng: c.rng });
    this.bn = new BatchNorm2d({ numFeatures: c.outChannels, eps: 0.001 });
  }
  forward(x: Tensor): Tensor {
    return relu(this.bn.call(this.conv.call(x)));
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

export interface InceptionConfig {
  inChannels: number;
  ch1x1: number;
  ch3x3red: number;
  ch3x3: number;
  ch5x5red: number;
  ch5x5: number;
  poolProj: number;
  /**
   * Kernel of branch3's second convolution. 3 (default) is torchvision's: its
   * GoogLeNet has a 3×3 there where the paper has 5×5 (pytorch/vision#906, kept
   * for its pretrained weights), and parity with torchvision needs it. 5 is the
   * paper's (padding 2), with 25/9 of that branch's parameters.
   */
  branch3KernelSize?: 3 | 5;
  rng?: RNG;
}

const INCEPTION_KEYS = ['inChannels', 'ch1x1', 'ch3x3red', 'ch3x3', 'ch5x5red', 'ch5x5', 'poolProj', 'branch3KernelSize', 'rng'] as const;

/**
 * The Inception module with dimension reduction (the decks' figure (b)): 1×1;
 * 1×1 → 3×3; 1×1 → 5×5; 3×3 max pool → 1×1, concatenated along channels. The 1×1
 * reductions before the large kernels keep the cost down.
 */
export class Inception extends Module {
  static override readonly typeName = 'Inception';
  branch1: BasicConv2d;
  branch2: Sequential;
  branch3: Sequential;
  branch4: Sequential;
  readonly config: Readonly<InceptionConfig>;
  constructor(config: InceptionConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<InceptionConfig>('Inception', config, INCEPTION_KEYS, '{ inChannels: 192, ch1x1: 64, ch3x3red: 96, ch3x3: 128, ch5x5red: 16, ch5x5: 32, poolProj: 32 }', rest[0]);
    for (const k of INCEPTION_KEYS.slice(0, 7)) positiveInt('Inception', k, c[k]);
    const k3 = c.branch3KernelSize ?? 3;
    if (k3 !== 3 && k3 !== 5) throw new ArgumentError('Inception', `branch3KernelSize must be 3 (torchvision) or 5 (the paper), got ${JSON.stringify(k3)}`);
    this.config = { ...c };
    const rng = c.rng;
    const bc = (i: number, o: number, k: number, padding = 0) => new BasicConv2d({ inChannels: i, outChannels: o, kernelSize: k, padding, rng });
    this.branch1 = bc(c.inChannels, c.ch1x1, 1);
    this.branch2 = new Sequential(bc(c.inChannels, c.ch3x3red, 1), bc(c.ch3x3red, c.ch3x3, 3, 1));
    this.branch3 = new Sequential(bc(c.inChannels, c.ch5x5red, 1), bc(c.ch5x5red, c.ch5x5, k3, (k3 - 1) / 2));
    this.branch4 = new Sequential(new MaxPool2d({ kernelSize: 3, stride: 1, padding: 1, ceilMode: true }), bc(c.inChannels, c.poolProj, 1));
  }
  get outChannels(): number {
    return this.config.ch1x1 + this.config.ch3x3 + this.config.ch5x5 + this.config.poolProj;
  }
  forward(x: Tensor): Tensor {
    return concat([this.branch1.call(x), this.branch2.call(x), this.branch3.call(x), this.branch4.call(x)], 1);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

export interface InceptionNaiveConfig {
  inChannels: number;
  ch1x1: number;
  ch3x3: number;
  ch5x5: number;
  rng?: RNG;
}

/**
 * The naive Inception module (the decks' figure (a)): 1×1, 3×3 and 5×5
 * convolutions (each with its ReLU) and a 3×3 max pool, all on the same input,
 * concatenated. Without reductions the pool branch passes all inChannels on, so
 * the width grows with every module and the 5×5 convolutions see the full
 * depth: the cost that figure (b)'s 1×1 reductions remove.
 */
export class InceptionNaive extends Module {
  static override readonly typeName = 'InceptionNaive';
  branch1: Conv2d;
  branch2: Conv2d;
  branch3: Conv2d;
  branch4: MaxPool2d;
  readonly config: Readonly<InceptionNaiveConfig>;
  constructor(config: InceptionNaiveConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<InceptionNaiveConfig>('InceptionNaive', config, ['inChannels', 'ch1x1', 'ch3x3', 'ch5x5', 'rng'], '{ inChannels: 192, ch1x1: 64, ch3x3: 128, ch5x5: 32 }', rest[0]);
    this.config = { ...c };
    const conv = (o: number, k: number) => new Conv2d({ inChannels: c.inChannels, outChannels: o, kernelSize: k, padding: (k - 1) / 2, rng: c.rng });
    this.branch1 = conv(c.ch1x1, 1);
    this.branch2 = conv(c.ch3x3, 3);
    this.branch3 = conv(c.ch5x5, 5);
    this.branch4 = new MaxPool2d({ kernelSize: 3, stride: 1, padding: 1 });
  }
  get outChannels(): number {
    return this.config.ch1x1 + this.config.ch3x3 + this.config.ch5x5 + this.config.inChannels;
  }
  forward(x: Tensor): Tensor {
    return concat([relu(this.branch1.call(x)), relu(this.branch2.call(x)), relu(this.branch3.call(x)), this.branch4.call(x)], 1);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

export interface InceptionAuxConfig {
  inChannels: number;
  numClasses: number;
  dropout?: number;
  rng?: RNG;
}

/**
 * An auxiliary classifier (after inception4a and 4d): average pool to 4×4, 1×1
 * conv to 128, fc 1024 + ReLU, dropout (0.7), fc to the classes. In training its
 * loss adds gradient in the middle of the network; in eval it is not run.
 */
export class InceptionAux extends Module {
  static override readonly typeName = 'InceptionAux';
  conv: BasicConv2d;
  fc1: Linear;
  fc2: Linear;
  dropout: Dropout;
  readonly config: Readonly<InceptionAuxConfig>;
  constructor(config: InceptionAuxConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<InceptionAuxConfig>('InceptionAux', config, ['inChannels', 'numClasses', 'dropout', 'rng'], '{ inChannels: 512, numClasses: 1000 }', rest[0]);
    optionalNumber('InceptionAux', 'dropout', c.dropout, (v) => v >= 0 && v < 1, 'in [0, 1)');
    this.config = { ...c };
    this.conv = new BasicConv2d({ inChannels: c.inChannels, outChannels: 128, kernelSize: 1, rng: c.rng });
    this.fc1 = new Linear({ inFeatures: 2048, outFeatures: 1024, rng: c.rng });
    this.fc2 = new Linear({ inFeatures: 1024, outFeatures: c.numClasses, rng: c.rng });
    this.dropout = new Dropout({ p: c.dropout ?? 0.7, rng: c.rng });
  }
  forward(x: Tensor): Tensor {
    const h = flatten(this.conv.call(adaptiveAvgPool2d(x, 4)), 1);
    return this.fc2.call(this.dropout.call(relu(this.fc1.call(h))));
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

for (const cls of [BasicConv2d, Inception, InceptionNaive, InceptionAux]) registerModuleType(cls);
