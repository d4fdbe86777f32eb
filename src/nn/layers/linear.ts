import { ArgumentError, zeros, type RNG, type Tensor } from '../../tensor/index.js';
import { flatten, linear } from '../../ops/index.js';
import { Module, type Parameter } from '../module.js';
import { defaultLayerInit } from '../init.js';

export interface LinearConfig {
  bias?: boolean;
  rng?: RNG;
}

/** Fully connected layer y = x·Wᵀ + b, W of shape [outFeatures, inFeatures]. */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearConfig = {}) {
    super();
    for (const [n, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ArgumentError('Linear', `${n} must be a positive integer, got ${String(v)}`);
    }
    this.weight = this.registerParameter('weight', zeros([outFeatures, inFeatures]))!;
    this.bias = this.registerParameter('bias', opts.bias === false ? null : zeros([outFeatures]));
    defaultLayerInit(this.weight, this.bias, opts.rng);
  }
  forward(x: Tensor): Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) this.expectShape(x, ['N', this.inFeatures]);
    return linear(x, this.weight, this.bias);
  }
  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}${this.bias ? '' : ', bias=false'}`;
  }
}

/** Merge all axes after the batch axis (the decks' "vectorization" step, no parameters). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}
