import { ArgumentError, globalRNG, RNG, type Tensor } from '../../tensor/index.js';
import { dropout2d } from '../../ops/index.js';
import { describe } from '../../ops/util.js';
import { Module } from '../module.js';
import { jsonConfig, layerConfig, optionalNumber, type WithRNG } from './config.js';

export interface Dropout2dConfig extends WithRNG {
  /** Probability of zeroing a whole channel, in [0, 1). Default 0.5. */
  p?: number;
}

/** Channel dropout for [N, C, H, W] (or [C, H, W]) feature maps while training; identity in eval (as torch.nn.Dropout2d). */
export class Dropout2d extends Module {
  static override readonly typeName = 'Dropout2d';
  readonly config: Readonly<Dropout2dConfig>;
  readonly rng: RNG;
  constructor(config: Dropout2dConfig = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<Dropout2dConfig>('Dropout2d', config, ['p', 'rng'], '{ p: 0.2 }', rest[0]);
    optionalNumber('Dropout2d', 'p', c.p, (v) => v >= 0 && v < 1, 'in [0, 1)');
    if (c.rng !== undefined && !(c.rng instanceof RNG)) throw new ArgumentError('Dropout2d', `rng must be an RNG, got ${describe(c.rng)}`);
    this.config = { ...c };
    this.rng = c.rng ?? globalRNG;
  }
  get p(): number {
    return this.config.p ?? 0.5;
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, x.rank === 3 ? ['C', 'H', 'W'] : ['N', 'C', 'H', 'W']);
    return dropout2d(x, { p: this.p, training: this.training, rng: this.rng });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
