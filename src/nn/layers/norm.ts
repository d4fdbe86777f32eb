import { ArgumentError, globalRNG, ones, tensor, zeros, type RNG, type Tensor } from '../../tensor/index.js';
import { batchNorm, dropout, interpolate, localResponseNorm } from '../../ops/index.js';
import { pair } from '../../ops/util.js';
import { Module, type Parameter } from '../module.js';
import { jsonConfig, layerConfig, optionalBool, optionalNumber, positiveInt, type WithRNG } from './config.js';

export interface BatchNormConfig {
  numFeatures: number;
  eps?: number;
  /** Weight of the new batch in the running statistics; null: a cumulative average over num_batches_tracked (PyTorch's None). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

const BN_KEYS = ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats'] as const;

/**
 * Batch normalisation over the channel axis 1. The running statistics for eval
 * mode are buffers under PyTorch's names (running_mean, running_var,
 * num_batches_tracked), so torchvision state dicts load as they are.
 */
abstract class BatchNormBase extends Module {
  readonly config: Readonly<BatchNormConfig>;
  declare readonly weight: Parameter | null;
  declare readonly bias: Parameter | null;
  constructor(config: BatchNormConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<BatchNormConfig>(this.typeName, config, BN_KEYS, '{ numFeatures: 64 }', rest[0]);
    const n = positiveInt(this.typeName, 'numFeatures', c.numFeatures);
    optionalNumber(this.typeName, 'eps', c.eps, (v) => v > 0, 'a number > 0');
    if (c.momentum !== null) optionalNumber(this.typeName, 'momentum', c.momentum, (v) => v >= 0 && v <= 1, 'a number in [0, 1] or null');
    optionalBool(this.typeName, 'affine', c.affine);
    optionalBool(this.typeName, 'trackRunningStats', c.trackRunningStats);
    this.config = { ...c };
    const affine = c.affine ?? true;
    this.registerParameter('weight', affine ? ones([n]) : null);
    this.registerParameter('bias', affine ? zeros([n]) : null);
    const track = c.trackRunningStats ?? true;
    this.registerBuffer('running_mean', track ? zeros([n]) : null);
    this.registerBuffer('running_var', track ? ones([n]) : null);
    this.registerBuffer('num_batches_tracked', track ? tensor(0, { dtype: 'int32' }) : null);
  }
  get numFeatures(): number {
    return this.config.numFeatures;
  }
  protected abstract pattern(x: Tensor): (number | string)[];
  forward(x: Tensor): Tensor {
    this.expectShape(x, this.pattern(x));
    const rm = this.getBuffer('running_mean');
    const rv = this.getBuffer('running_var');
    const tracked = this.getBuffer('num_batches_tracked');
    const training = this.training || rm === null;
    let momentum = this.config.momentum ?? 0.1;
    if (this.training && tracked) {
      tracked.data[0]++;
      tracked.markModified();
      if (this.config.momentum === null) momentum = 1 / tracked.data[0];
    }
    return batchNorm(x, rm, rv, { weight: this.weight, bias: this.bias, training, momentum, eps: this.config.eps ?? 1e-5 });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `${this.numFeatures}`;
  }
}

/** For [N, C] or [N, C, L] inputs (after dense or 1-D conv layers). */
export class BatchNorm1d extends BatchNormBase {
  static override readonly typeName = 'BatchNorm1d';
  protected pattern(x: Tensor): (number | string)[] {
    return x.rank === 3 ? ['N', this.numFeatures, 'L'] : ['N', this.numFeatures];
  }
}

/** For [N, C, H, W] feature maps. */
export class BatchNorm2d extends BatchNormBase {
  static override readonly typeName = 'BatchNorm2d';
  protected pattern(): (number | string)[] {
    return ['N', this.numFeatures, 'H', 'W'];
  }
}

export interface DropoutConfig extends WithRNG {
  p?: number;
}

/** Inverted dropout: zeroes each value with probability p while training, identity in eval. */
export class Dropout extends Module {
  static override readonly typeName = 'Dropout';
  readonly config: Readonly<DropoutConfig>;
  readonly rng: RNG;
  constructor(config: DropoutConfig = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<DropoutConfig>('Dropout', config, ['p', 'rng'], '{ p: 0.5 }', rest[0]);
    optionalNumber('Dropout', 'p', c.p, (v) => v >= 0 && v < 1, 'in [0, 1)');
    this.config = { ...c };
    this.rng = c.rng ?? globalRNG;
  }
  get p(): number {
    return this.config.p ?? 0.5;
  }
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training, rng: this.rng });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}

export interface LocalResponseNormConfig {
  size: number;
  alpha?: number;
  beta?: number;
  k?: number;
}

/** AlexNet's local response normalisation across neighbouring channels (defaults as torch.nn.LocalResponseNorm). */
export class LocalResponseNorm extends Module {
  static override readonly typeName = 'LocalResponseNorm';
  readonly config: Readonly<LocalResponseNormConfig>;
  constructor(config: LocalResponseNormConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<LocalResponseNormConfig>('LocalResponseNorm', config, ['size', 'alpha', 'beta', 'k'], '{ size: 5, alpha: 1e-4, beta: 0.75, k: 2 }', rest[0]);
    positiveInt('LocalResponseNorm', 'size', c.size);
    for (const n of ['alpha', 'beta', 'k'] as const) optionalNumber('LocalResponseNorm', n, c[n], Number.isFinite, 'a finite number');
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    const { size, alpha = 1e-4, beta = 0.75, k = 1 } = this.config;
    return localResponseNorm(x, { size, alpha, beta, k });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    const { size, alpha = 1e-4, beta = 0.75, k = 1 } = this.config;
    return `size=${size}, alpha=${alpha}, beta=${beta}, k=${k}`;
  }
}

export interface UpsampleConfig {
  size?: number | [number, number];
  scaleFactor?: number | [number, number];
  mode?: 'nearest' | 'bilinear' | 'bicubic';
  alignCorners?: boolean;
}

/** Fixed (unlearned) upsampling: nearest repeats values, bilinear interpolates. */
export class Upsample extends Module {
  static override readonly typeName = 'Upsample';
  readonly config: Readonly<UpsampleConfig>;
  constructor(config: UpsampleConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<UpsampleConfig>('Upsample', config, ['size', 'scaleFactor', 'mode', 'alignCorners'], '{ scaleFactor: 2 }', rest[0]);
    if ((c.size === undefined) === (c.scaleFactor === undefined)) throw new ArgumentError('Upsample', 'give exactly one of size and scaleFactor');
    if (c.size !== undefined) pair('Upsample', 'size', c.size, 1);
    if (c.mode !== undefined && c.mode !== 'nearest' && c.mode !== 'bilinear' && c.mode !== 'bicubic') throw new ArgumentError('Upsample', `mode must be 'nearest', 'bilinear' or 'bicubic', got ${JSON.stringify(c.mode)}`);
    optionalBool('Upsample', 'alignCorners', c.alignCorners);
    this.config = { ...c };
  }
  forward(x: Tensor): Tensor {
    return interpolate(x, { ...this.config, mode: this.config.mode ?? 'nearest' });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return JSON.stringify(this.config);
  }
}
