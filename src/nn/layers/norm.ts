import { ArgumentError, globalRNG, ones, zeros, type RNG, type Tensor } from '../../tensor/index.js';
import { batchNorm, dropout, interpolate, localResponseNorm } from '../../ops/index.js';
import { Module, type Parameter } from '../module.js';

export interface BatchNormConfig {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/** Batch normalisation over the channel axis 1; running statistics for eval mode are buffers. */
abstract class BatchNormBase extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  constructor(readonly numFeatures: number, readonly opts: BatchNormConfig = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new ArgumentError(this.constructor.name, `numFeatures must be a positive integer, got ${String(numFeatures)}`);
    const affine = opts.affine ?? true;
    this.weight = this.registerParameter('weight', affine ? ones([numFeatures]) : null);
    this.bias = this.registerParameter('bias', affine ? zeros([numFeatures]) : null);
    const track = opts.trackRunningStats ?? true;
    this.registerBuffer('runningMean', track ? zeros([numFeatures]) : null);
    this.registerBuffer('runningVar', track ? ones([numFeatures]) : null);
  }
  protected abstract pattern(x: Tensor): (number | string)[];
  forward(x: Tensor): Tensor {
    this.expectShape(x, this.pattern(x));
    const rm = this.getBuffer('runningMean');
    const rv = this.getBuffer('runningVar');
    return batchNorm(x, rm, rv, {
      weight: this.weight,
      bias: this.bias,
      training: this.training || rm === null,
      momentum: this.opts.momentum ?? 0.1,
      eps: this.opts.eps ?? 1e-5,
    });
  }
  protected override extraRepr(): string {
    return `${this.numFeatures}`;
  }
}

/** For [N, C] or [N, C, L] inputs (after dense or 1-D conv layers). */
export class BatchNorm1d extends BatchNormBase {
  protected pattern(x: Tensor): (number | string)[] {
    return x.rank === 3 ? ['N', this.numFeatures, 'L'] : ['N', this.numFeatures];
  }
}

/** For [N, C, H, W] feature maps. */
export class BatchNorm2d extends BatchNormBase {
  protected pattern(): (number | string)[] {
    return ['N', this.numFeatures, 'H', 'W'];
  }
}

/** Inverted dropout: zeroes each value with probability p while training, identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5, readonly rng: RNG = globalRNG) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ArgumentError('Dropout', `p must be in [0, 1), got ${String(p)}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training, rng: this.rng });
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** AlexNet's local response normalisation across neighbouring channels. */
export class LocalResponseNorm extends Module {
  constructor(readonly size: number, readonly alpha = 1e-4, readonly beta = 0.75, readonly k = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return localResponseNorm(x, { size: this.size, alpha: this.alpha, beta: this.beta, k: this.k });
  }
  protected override extraRepr(): string {
    return `size=${this.size}, alpha=${this.alpha}, beta=${this.beta}, k=${this.k}`;
  }
}

export interface UpsampleConfig {
  size?: number | [number, number];
  scaleFactor?: number | [number, number];
  mode?: 'nearest' | 'bilinear';
  alignCorners?: boolean;
}

/** Fixed (unlearned) upsampling: nearest repeats values, bilinear interpolates. */
export class Upsample extends Module {
  constructor(readonly opts: UpsampleConfig) {
    super();
  }
  forward(x: Tensor): Tensor {
    return interpolate(x, { ...this.opts, mode: this.opts.mode ?? 'nearest' });
  }
  protected override extraRepr(): string {
    return JSON.stringify(this.opts);
  }
}
