import { ArgumentError, zeros, type RNG, type Tensor } from '../../tensor/index.js';
import { conv1d, conv2d, convTranspose2d, type Padding } from '../../ops/index.js';
import { pair } from '../../ops/util.js';
import { Module, type Parameter } from '../module.js';
import { defaultLayerInit } from '../init.js';

/** Check a conv layer's channel counts and groups (positive integers, groups dividing both); returns groups. */
function checkChannels(layer: string, c: { inChannels: number; outChannels: number; groups?: number }): number {
  const groups = c.groups ?? 1;
  for (const [n, v] of [['inChannels', c.inChannels], ['outChannels', c.outChannels], ['groups', groups]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(layer, `${n} must be a positive integer, got ${String(v)}`);
  }
  if (c.inChannels % groups || c.outChannels % groups) {
    throw new ArgumentError(layer, `groups=${groups} must divide inChannels=${c.inChannels} and outChannels=${c.outChannels}`);
  }
  return groups;
}

export interface Conv2dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number | [number, number];
  stride?: number | [number, number];
  padding?: Padding;
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
  rng?: RNG;
}

/** A bank of outChannels kernels, each over inChannels/groups input channels. */
export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  constructor(readonly opts: Conv2dConfig) {
    super();
    const { inChannels, outChannels } = opts;
    const groups = checkChannels('Conv2d', opts);
    const [kH, kW] = pair('Conv2d', 'kernelSize', opts.kernelSize, 1);
    this.weight = this.registerParameter('weight', zeros([outChannels, inChannels / groups, kH, kW]))!;
    this.bias = this.registerParameter('bias', opts.bias === false ? null : zeros([outChannels]));
    defaultLayerInit(this.weight, this.bias, opts.rng);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.opts.inChannels, 'H', 'W']);
    const { stride, padding, dilation, groups } = this.opts;
    return conv2d(x, this.weight, { bias: this.bias, stride, padding, dilation, groups });
  }
  protected override extraRepr(): string {
    const o = this.opts;
    return `${o.inChannels}, ${o.outChannels}, kernelSize=${JSON.stringify(o.kernelSize)}, stride=${JSON.stringify(o.stride ?? 1)}, padding=${JSON.stringify(o.padding ?? 0)}${o.dilation ? `, dilation=${JSON.stringify(o.dilation)}` : ''}${o.groups && o.groups > 1 ? `, groups=${o.groups}` : ''}${this.bias ? '' : ', bias=false'}`;
  }
}

export interface Conv1dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  padding?: 'valid' | 'same' | number;
  dilation?: number;
  groups?: number;
  bias?: boolean;
  rng?: RNG;
}

/** Convolution along one axis of [N, C, L] (speech frames, text embeddings). */
export class Conv1d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  constructor(readonly opts: Conv1dConfig) {
    super();
    const groups = checkChannels('Conv1d', opts);
    const k = pair('Conv1d', 'kernelSize', opts.kernelSize, 1)[0];
    this.weight = this.registerParameter('weight', zeros([opts.outChannels, opts.inChannels / groups, k]))!;
    this.bias = this.registerParameter('bias', opts.bias === false ? null : zeros([opts.outChannels]));
    defaultLayerInit(this.weight, this.bias, opts.rng);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.opts.inChannels, 'L']);
    const { stride, padding, dilation, groups } = this.opts;
    return conv1d(x, this.weight, { bias: this.bias, stride, padding, dilation, groups });
  }
  protected override extraRepr(): string {
    return `${this.opts.inChannels}, ${this.opts.outChannels}, kernelSize=${this.opts.kernelSize}`;
  }
}

export interface ConvTranspose2dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number | [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number];
  outputPadding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
  rng?: RNG;
}

/** Learned upsampling (segmentation decoders): the transpose of a strided convolution. */
export class ConvTranspose2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  constructor(readonly opts: ConvTranspose2dConfig) {
    super();
    const groups = checkChannels('ConvTranspose2d', opts);
    const [kH, kW] = pair('ConvTranspose2d', 'kernelSize', opts.kernelSize, 1);
    this.weight = this.registerParameter('weight', zeros([opts.inChannels, opts.outChannels / groups, kH, kW]))!;
    this.bias = this.registerParameter('bias', opts.bias === false ? null : zeros([opts.outChannels]));
    // PyTorch computes fan-in from dim 1 of this weight too: same rule.
    defaultLayerInit(this.weight, this.bias, opts.rng);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.opts.inChannels, 'H', 'W']);
    const { stride, padding, outputPadding, dilation, groups } = this.opts;
    return convTranspose2d(x, this.weight, { bias: this.bias, stride, padding, outputPadding, dilation, groups });
  }
  protected override extraRepr(): string {
    return `${this.opts.inChannels}, ${this.opts.outChannels}, kernelSize=${JSON.stringify(this.opts.kernelSize)}, stride=${JSON.stringify(this.opts.stride ?? 1)}`;
  }
}
