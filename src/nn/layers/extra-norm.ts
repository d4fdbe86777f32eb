import { ArgumentError, ones, zeros, type Tensor } from '../../tensor/index.js';
import { groupNorm, instanceNorm, layerNorm, reshape } from '../../ops/index.js';
import { describe } from '../../ops/util.js';
import { Module, type Parameter } from '../module.js';
import { jsonConfig, layerConfig, optionalBool, optionalNumber, positiveInt } from './config.js';

const eps = (layer: string, v: unknown) => optionalNumber(layer, 'eps', v, (x) => Number.isFinite(x) && x >= 0, 'a finite number >= 0');

export interface LayerNormConfig {
  /** The trailing axes normalised together (a number means one axis). */
  normalizedShape: number | readonly number[];
  eps?: number;
  /** Learn an elementwise weight (ones) and bias (zeros) of normalizedShape. Default true. */
  elementwiseAffine?: boolean;
}

/** Layer normalisation over the trailing normalizedShape axes (as torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  static override readonly typeName = 'LayerNorm';
  readonly config: Readonly<LayerNormConfig>;
  readonly normalizedShape: readonly number[];
  declare readonly weight: Parameter | null;
  declare readonly bias: Parameter | null;
  constructor(config: LayerNormConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<LayerNormConfig>('LayerNorm', config, ['normalizedShape', 'eps', 'elementwiseAffine'], '{ normalizedShape: [64] }', rest[0]);
    const ns = typeof c.normalizedShape === 'number' ? [c.normalizedShape] : c.normalizedShape;
    if (!Array.isArray(ns) || ns.length === 0) {
      throw new ArgumentError('LayerNorm', `normalizedShape must be a positive integer or a non-empty list of them, got ${describe(c.normalizedShape)}`);
    }
    ns.forEach((d, i) => positiveInt('LayerNorm', `normalizedShape[${i}]`, d));
    eps('LayerNorm', c.eps);
    optionalBool('LayerNorm', 'elementwiseAffine', c.elementwiseAffine);
    this.config = { ...c, normalizedShape: typeof c.normalizedShape === 'number' ? c.normalizedShape : [...ns] };
    this.normalizedShape = Object.freeze([...ns]);
    const affine = c.elementwiseAffine ?? true;
    this.registerParameter('weight', affine ? ones([...ns]) : null);
    this.registerParameter('bias', affine ? zeros([...ns]) : null);
  }
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    this.expectShape(x, [...Array<string>(x.rank >= k ? x.rank - k : 1).fill('*'), ...this.normalizedShape]);
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.config.eps ?? 1e-5 });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.config.eps ?? 1e-5}, elementwiseAffine=${this.config.elementwiseAffine ?? true}`;
  }
}

export interface GroupNormConfig {
  numGroups: number;
  /** Channels of the input (axis 1); a multiple of numGroups. */
  numChannels: number;
  eps?: number;
  /** Learn a per-channel weight (ones) and bias (zeros). Default true. */
  affine?: boolean;
}

/** Group normalisation (as torch.nn.GroupNorm): statistics per sample and group of channels, so independent of the batch size. */
export class GroupNorm extends Module {
  static override readonly typeName = 'GroupNorm';
  readonly config: Readonly<GroupNormConfig>;
  declare readonly weight: Parameter | null;
  declare readonly bias: Parameter | null;
  constructor(config: GroupNormConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<GroupNormConfig>('GroupNorm', config, ['numGroups', 'numChannels', 'eps', 'affine'], '{ numGroups: 8, numChannels: 64 }', rest[0]);
    const g = positiveInt('GroupNorm', 'numGroups', c.numGroups);
    const n = positiveInt('GroupNorm', 'numChannels', c.numChannels);
    if (n % g !== 0) throw new ArgumentError('GroupNorm', `numChannels (${n}) must be divisible by numGroups (${g})`);
    eps('GroupNorm', c.eps);
    optionalBool('GroupNorm', 'affine', c.affine);
    this.config = { ...c };
    const affine = c.affine ?? true;
    this.registerParameter('weight', affine ? ones([n]) : null);
    this.registerParameter('bias', affine ? zeros([n]) : null);
  }
  forward(x: Tensor): Tensor {
    const { numGroups, numChannels, eps = 1e-5 } = this.config;
    this.expectShape(x, ['N', numChannels, ...Array<string>(Math.max(x.rank - 2, 0)).fill('*')]);
    return groupNorm(x, numGroups, { weight: this.weight, bias: this.bias, eps });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `${this.config.numGroups}, ${this.config.numChannels}, eps=${this.config.eps ?? 1e-5}, affine=${this.config.affine ?? true}`;
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
  static override readonly typeName = 'InstanceNorm2d';
  readonly config: Readonly<InstanceNorm2dConfig>;
  declare readonly weight: Parameter | null;
  declare readonly bias: Parameter | null;
  constructor(config: InstanceNorm2dConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<InstanceNorm2dConfig>('InstanceNorm2d', config, ['numFeatures', 'eps', 'affine'], '{ numFeatures: 64 }', rest[0]);
    const n = positiveInt('InstanceNorm2d', 'numFeatures', c.numFeatures);
    eps('InstanceNorm2d', c.eps);
    optionalBool('InstanceNorm2d', 'affine', c.affine);
    this.config = { ...c };
    const affine = c.affine ?? false;
    this.registerParameter('weight', affine ? ones([n]) : null);
    this.registerParameter('bias', affine ? zeros([n]) : null);
  }
  get numFeatures(): number {
    return this.config.numFeatures;
  }
  forward(x: Tensor): Tensor {
    const opts = { weight: this.weight, bias: this.bias, eps: this.config.eps ?? 1e-5 };
    if (x.rank === 3) {
      this.expectShape(x, [this.numFeatures, 'H', 'W']);
      return reshape(instanceNorm(reshape(x, [1, ...x.shape]), opts), x.shape);
    }
    this.expectShape(x, ['N', this.numFeatures, 'H', 'W']);
    return instanceNorm(x, opts);
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.config.eps ?? 1e-5}, affine=${this.config.affine ?? false}`;
  }
}
