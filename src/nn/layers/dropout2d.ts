import { ArgumentError, globalRNG, RNG, show, type Tensor } from '../../tensor/index.js';
import { dropout2d } from '../../ops/index.js';
import { Module } from '../module.js';
import { checkConfig } from './layer-config.js';

export interface Dropout2dConfig {
  /** Probability of zeroing a whole channel, in [0, 1). Default 0.5. */
  p?: number;
  /** The generator the masks are drawn from (default: the library-wide one); not part of toConfig. */
  rng?: RNG;
}

/** Channel dropout for [N, C, H, W] (or [C, H, W]) feature maps while training; identity in eval (as torch.nn.Dropout2d). */
export class Dropout2d extends Module {
  static readonly typeName = 'Dropout2d';
  readonly p: number;
  readonly rng: RNG;
  constructor(config: Dropout2dConfig = {}) {
    super();
    const c = checkConfig('Dropout2d', config, ['p', 'rng']);
    const p = c.p ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ArgumentError('Dropout2d', `p must be a number in [0, 1), got ${show(p)}`);
    if (c.rng !== undefined && !(c.rng instanceof RNG)) throw new ArgumentError('Dropout2d', `rng must be an RNG, got ${show(c.rng)}`);
    this.p = p;
    this.rng = c.rng ?? globalRNG;
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, x.rank === 3 ? ['C', 'H', 'W'] : ['N', 'C', 'H', 'W']);
    return dropout2d(x, { p: this.p, training: this.training, rng: this.rng });
  }
  toConfig(): { p: number } {
    return { p: this.p };
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
