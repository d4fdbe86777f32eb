import type { Tensor } from '../tensor/index.js';
import { checkHyper, Optimizer, type ParamState } from './optimizer.js';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  momentum?: number;
  weightDecay?: number;
  centered?: boolean;
}

/** RMSprop as torch.optim.RMSprop: divide by a running root mean square of the gradient. */
export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly centered: boolean;
  constructor(params: Iterable<Tensor>, opts: RMSpropOptions = {}) {
    super(params, opts.lr ?? 0.01);
    this.alpha = checkHyper('RMSprop', 'alpha', opts.alpha ?? 0.99, 0, 1);
    this.eps = checkHyper('RMSprop', 'eps', opts.eps ?? 1e-8, 0);
    this.momentum = checkHyper('RMSprop', 'momentum', opts.momentum ?? 0, 0);
    this.weightDecay = checkHyper('RMSprop', 'weightDecay', opts.weightDecay ?? 0, 0);
    this.centered = opts.centered ?? false;
  }
  protected update(w: Float32Array | Float64Array, g: ArrayLike<number>, s: ParamState): void {
    const sq = this.buffer(s, 'squareAvg', w);
    const ga = this.centered ? this.buffer(s, 'gradAvg', w) : null;
    const buf = this.momentum ? this.buffer(s, 'momentum', w) : null;
    const { lr, alpha: a, eps, weightDecay: wd, momentum: mu } = this;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i] + wd * w[i];
      sq[i] = a * sq[i] + (1 - a) * gi * gi;
      let avg = sq[i];
      if (ga) {
        ga[i] = a * ga[i] + (1 - a) * gi;
        avg -= ga[i] * ga[i];
      }
      const denom = Math.sqrt(avg) + eps;
      if (buf) {
        buf[i] = mu * buf[i] + gi / denom;
        w[i] -= lr * buf[i];
      } else w[i] -= (lr * gi) / denom;
    }
  }
}
