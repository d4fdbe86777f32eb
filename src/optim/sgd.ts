import type { Tensor } from '../tensor/index.js';
import { checkHyper, Optimizer, type ParamState } from './optimizer.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/**
 * Gradient descent, w ← w − η·∂J/∂w (the decks' update rule), with PyTorch's
 * momentum (v ← μ·v + (1 − dampening)·g), Nesterov and L2 weight decay.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  constructor(params: Iterable<Tensor>, opts: SGDOptions = {}) {
    super(params, opts.lr ?? 0.01);
    this.momentum = checkHyper('SGD', 'momentum', opts.momentum ?? 0, 0);
    this.dampening = checkHyper('SGD', 'dampening', opts.dampening ?? 0, 0, 1);
    this.weightDecay = checkHyper('SGD', 'weightDecay', opts.weightDecay ?? 0, 0);
    this.nesterov = opts.nesterov ?? false;
  }
  protected update(w: Float32Array | Float64Array, g: ArrayLike<number>, s: ParamState): void {
    const { lr, momentum: mu, dampening, weightDecay: wd, nesterov } = this;
    const v = mu ? this.buffer(s, 'momentum', w) : null;
    const first = v !== null && s.started !== 1;
    if (v) s.started = 1;
    for (let i = 0; i < w.length; i++) {
      let d = g[i] + wd * w[i];
      if (v) {
        v[i] = first ? d : mu * v[i] + (1 - dampening) * d;
        d = nesterov ? d + mu * v[i] : v[i];
      }
      w[i] -= lr * d;
    }
  }
}
