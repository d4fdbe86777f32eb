import { ArgumentError, ones, show, zeros, type Tensor } from '../../tensor/index.js';
import { groupNorm, instanceNorm, layerNorm, reshape } from '../../ops/index.js';
import { Module, type Parameter } from '../module.js';
import { bool, checkConfig, nonNegative, positiveInt } from './layer-config.js';

export interface LayerNormConfig {
  /** The trailing axes normalised together (a number means one axis). */
  normalizedShape: number | readonly number[];
  eps?: number;
  /** Learn an elementwise weight (ones) and bias (zeros) of normalizedShape. Default true. */
  elementwiseAffine?: boolean;
}

/** Layer normalisation over the trailing normalizedShape axes (as torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  static readonly typeName = 'LayerNorm';
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  constructor(config: LayerNormConfig) {
    super();
    const c = checkConfig('LayerNorm', config, ['normalizedShape', 'eps', 'elementwiseAffine'], ['normalizedShape']);
    const ns = typeof c.normalizedShape === 'number' ? [c.normalizedShape] : c.normalizedShape;
    if (!Array.isArray(ns) || ns.length === 0) throw new ArgumentError('LayerNorm', `normalizedShape must be a positive integer or a non-empty list of them, got ${show(c.normalizedShape)}`);
    ns.forEach((d, i) => positiveInt('LayerNorm', `normalizedShape[${i}]`, d));
    this.normalizedShape = Object.freeze([...ns]);
    this.eps = nonNegative('LayerNorm', 'eps', c.eps ?? 1e-5);
    this.elementwiseAffine = bool('LayerNorm', 'elementwiseAffine', c.elementwiseAffine ?? true);
    this.weight = this.registerParameter('weight', this.elementwiseAffine ? ones([...ns]) : null);
    this.bias = this.registerParameter('bias', this.elementwiseAffine ? zeros([...ns]) : null);
  }
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    this.expectShape(x, [...Array<string>(x.rank >= k ? x.rank - k : 1).fill('*'), ...this.normalizedShape]);
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  toConfig(): { normalizedShape: number[]; eps: number; elementwiseAffine: boolean } {
    return { normalizedShape: [...this.normalizedShape], eps: this.eps, elementwiseAffine: this.elementwiseAffine };
  }
  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

export interface GroupNormConfig {
  numGroups: number;
  /** Channels of the input (axis 1); a multiple of numGroups. */
  numChannels: number;
  eps?: number;
  /** Learn a per-channel weight and bias. Default true. */
  affine?: boolean;
}

/** Group normalisation (as torch.nn.GroupNorm): statistics per sample and group of channels, so independent of the batch size. */
export class GroupNorm extends Module {
  static readonly typeName = 'GroupNorm';
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  constructor(config: GroupNormConfig) {
    super();
    const c = checkConfig('GroupNorm', config, ['numGroups', 'numChannels', 'eps', 'affine'], ['numGroups', 'numChannels']);
    this.numGroups = positiveInt('GroupNorm', 'numGroups', c.numGroups);
    this.numChannels = positiveInt('GroupNorm', 'numChannels', c.numChannels);
    if (this.numChannels % this.numGroups !== 0) {
      throw new ArgumentError('GroupNorm', `numChannels (${this.numChannels}) must be divisible by numGroups (${this.numGroups})`);
    }
    this.eps = nonNegative('GroupNorm', 'eps', c.eps ?? 1e-5);
    this.affine = bool('GroupNorm', 'affine', c.affine ?? true);
    this.weight = this.registerParameter('weight', this.affine ? ones([this.numChannels]) : null);
    this.bias = this.registerParameter('bias', this.affine ? zeros([this.numChannels]) : null);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.numChannels, ...Array<string>(Math.max(x.rank - 2, 0)).fill('*')]);
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  toConfig(): Required<GroupNormConfig> {
    return { numGroups: this.numGroups, numChannels: this.numChannels, eps: this.eps, affine: this.affine };
  }
  protected override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}

export interface InstanceNorm2dConfig {
  numFeatures: number;
  eps?: number;
  /** Learn a per-channel weight and bias. Default false, as PyTorch. */
  affine?: boolean;
}

/**
 * Instance normalisation of [N, C, H, W] (or unbatched [C, H, W]) feature maps,
 * as torch.nn.InstanceNorm2d with its default track_running_stats=False: every
 * plane is normalised with its own statistics, in training and in eval alike.
 * Running statistics are not supported.
 */
export class InstanceNorm2d extends Module {
  static readonly typeName = 'InstanceNorm2d';
  readonly numFeatures: number;
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  constructor(config: InstanceNorm2dConfig) {
    super();
    const c = checkConfig('InstanceNorm2d', config, ['numFeatures', 'eps', 'affine'], ['numFeatures']);
    this.numFeatures = positiveInt('InstanceNorm2d', 'numFeatures', c.numFeatures);
    this.eps = nonNegative('InstanceNorm2d', 'eps', c.eps ?? 1e-5);
    this.affine = bool('InstanceNorm2d', 'affine', c.affine ?? false);
    this.weight = this.registerParameter('weight', this.affine ? ones([this.numFeatures]) : null);
    this.bias = this.registerParameter('bias', this.affine ? zeros([this.numFeatures]) : null);
  }
  forward(x: Tensor): Tensor {
    const opts = { weight: this.weight, bias: this.bias, eps: this.eps };
    if (x.rank === 3) {
      this.expectShape(x, [this.numFeatures, 'H', 'W']);
      return reshape(instanceNorm(reshape(x, [1, ...x.shape]), opts), x.shape);
    }
    this.expectShape(x, ['N', this.numFeatures, 'H', 'W']);
    return instanceNorm(x, opts);
  }
  toConfig(): Required<InstanceNorm2dConfig> {
    return { numFeatures: this.numFeatures, eps: this.eps, affine: this.affine };
  }
  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, affine=${this.affine}`;
  }
}
