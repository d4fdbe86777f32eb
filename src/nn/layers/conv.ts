import { ArgumentError, zeros, type Tensor } from '../../tensor/index.js';
import { conv1d, conv2d, convTranspose2d, type Padding } from '../../ops/index.js';
import { pair } from '../../ops/util.js';
import { Module, type Parameter } from '../module.js';
import { defaultLayerInit } from '../init.js';
import { jsonConfig, layerConfig, optionalBool, optionalPair, positiveInt, type WithRNG } from './config.js';

/** Check a conv layer's channel counts and groups (positive integers, groups dividing both); returns groups. */
function checkChannels(layer: string, c: { inChannels: number; outChannels: number; groups?: number }): number {
  positiveInt(layer, 'inChannels', c.inChannels);
  positiveInt(layer, 'outChannels', c.outChannels);
  const groups = c.groups === undefined ? 1 : positiveInt(layer, 'groups', c.groups);
  if (c.inChannels % groups || c.outChannels % groups) {
    throw new ArgumentError(layer, `groups=${groups} must divide inChannels=${c.inChannels} and outChannels=${c.outChannels}`);
  }
  return groups;
}

function checkPadding(layer: string, p: unknown): void {
  if (p === undefined || p === 'valid' || p === 'same') return;
  if (Array.isArray(p) && p.length === 4) {
    if (!p.every((v) => Number.isInteger(v) && v >= 0)) throw new ArgumentError(layer, `padding must hold non-negative integers, got [${p.join(', ')}]`);
    return;
  }
  pair(layer, 'padding', p, 0);
}

export interface Conv2dConfig extends WithRNG {
  inChannels: number;
  outChannels: number;
  kernelSize: number | [number, number];
  stride?: number | [number, number];
  padding?: Padding;
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
}

const CONV2D_KEYS = ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'rng'] as const;

/** A bank of outChannels kernels, each over inChannels/groups input channels. */
export class Conv2d extends Module {
  static override readonly typeName = 'Conv2d';
  readonly config: Readonly<Conv2dConfig>;
  declare readonly weight: Parameter;
  declare readonly bias: Parameter | null;
  constructor(config: Conv2dConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<Conv2dConfig>('Conv2d', config, CONV2D_KEYS, '{ inChannels: 1, outChannels: 6, kernelSize: 5 }', rest[0]);
    const groups = checkChannels('Conv2d', c);
    const [kH, kW] = pair('Conv2d', 'kernelSize', c.kernelSize, 1);
    optionalPair('Conv2d', 'stride', c.stride, 1);
    optionalPair('Conv2d', 'dilation', c.dilation, 1);
    checkPadding('Conv2d', c.padding);
    optionalBool('Conv2d', 'bias', c.bias);
    this.config = { ...c };
    this.registerParameter('weight', zeros([c.outChannels, c.inChannels / groups, kH, kW]));
    this.registerParameter('bias', c.bias === false ? null : zeros([c.outChannels]));
    defaultLayerInit(this.weight, this.bias, c.rng);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 'H', 'W']);
    const { stride, padding, dilation, groups } = this.config;
    return conv2d(x, this.weight, { bias: this.bias, stride, padding, dilation, groups });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    const o = this.config;
    return `${o.inChannels}, ${o.outChannels}, kernelSize=${JSON.stringify(o.kernelSize)}, stride=${JSON.stringify(o.stride ?? 1)}, padding=${JSON.stringify(o.padding ?? 0)}${o.dilation ? `, dilation=${JSON.stringify(o.dilation)}` : ''}${o.groups && o.groups > 1 ? `, groups=${o.groups}` : ''}${this.bias ? '' : ', bias=false'}`;
  }
}

export interface Conv1dConfig extends WithRNG {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  padding?: 'valid' | 'same' | number;
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

/** Convolution along one axis of [N, C, L] (speech frames, text embeddings). */
export class Conv1d extends Module {
  static override readonly typeName = 'Conv1d';
  readonly config: Readonly<Conv1dConfig>;
  declare readonly weight: Parameter;
  declare readonly bias: Parameter | null;
  constructor(config: Conv1dConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<Conv1dConfig>('Conv1d', config, ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'rng'], '{ inChannels: 40, outChannels: 64, kernelSize: 3 }', rest[0]);
    const groups = checkChannels('Conv1d', c);
    const k = positiveInt('Conv1d', 'kernelSize', c.kernelSize);
    if (c.stride !== undefined) positiveInt('Conv1d', 'stride', c.stride);
    if (c.dilation !== undefined) positiveInt('Conv1d', 'dilation', c.dilation);
    checkPadding('Conv1d', c.padding);
    this.config = { ...c };
    this.registerParameter('weight', zeros([c.outChannels, c.inChannels / groups, k]));
    this.registerParameter('bias', c.bias === false ? null : zeros([c.outChannels]));
    defaultLayerInit(this.weight, this.bias, c.rng);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 'L']);
    const { stride, padding, dilation, groups } = this.config;
    return conv1d(x, this.weight, { bias: this.bias, stride, padding, dilation, groups });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `${this.config.inChannels}, ${this.config.outChannels}, kernelSize=${this.config.kernelSize}`;
  }
}

export interface ConvTranspose2dConfig extends WithRNG {
  inChannels: number;
  outChannels: number;
  kernelSize: number | [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number];
  outputPadding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
}

/** Learned upsampling (segmentation decoders): the transpose of a strided convolution. */
export class ConvTranspose2d extends Module {
  static override readonly typeName = 'ConvTranspose2d';
  readonly config: Readonly<ConvTranspose2dConfig>;
  declare readonly weight: Parameter;
  declare readonly bias: Parameter | null;
  constructor(config: ConvTranspose2dConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<ConvTranspose2dConfig>('ConvTranspose2d', config, ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'outputPadding', 'dilation', 'groups', 'bias', 'rng'], '{ inChannels: 64, outChannels: 32, kernelSize: 2, stride: 2 }', rest[0]);
    const groups = checkChannels('ConvTranspose2d', c);
    const [kH, kW] = pair('ConvTranspose2d', 'kernelSize', c.kernelSize, 1);
    optionalPair('ConvTranspose2d', 'stride', c.stride, 1);
    optionalPair('ConvTranspose2d', 'dilation', c.dilation, 1);
    optionalPair('ConvTranspose2d', 'padding', c.padding, 0);
    optionalPair('ConvTranspose2d', 'outputPadding', c.outputPadding, 0);
    this.config = { ...c };
    this.registerParameter('weight', zeros([c.inChannels, c.outChannels / groups, kH, kW]));
    this.registerParameter('bias', c.bias === false ? null : zeros([c.outChannels]));
    // PyTorch computes fan-in from dim 1 of this weight too: same rule.
    defaultLayerInit(this.weight, this.bias, c.rng);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 'H', 'W']);
    const { stride, padding, outputPadding, dilation, groups } = this.config;
    return convTranspose2d(x, this.weight, { bias: this.bias, stride, padding, outputPadding, dilation, groups });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `${this.config.inChannels}, ${this.config.outChannels}, kernelSize=${JSON.stringify(this.config.kernelSize)}, stride=${JSON.stringify(this.config.stride ?? 1)}`;
  }
}
