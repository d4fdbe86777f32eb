import type { Tensor } from '../tensor/index.js';
import { checkHyper, Optimizer, type ParamState } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

/** Adam (Kingma & Ba) with bias correction; weight decay is L2 added to the gradient, as torch.optim.Adam. */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  /** AdamW decouples the decay from the gradient. */
  protected decoupled = false;
  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params, opts.lr ?? 1e-3);
    const [b1, b2] = opts.betas ?? [0.9, 0.999];
    this.beta1 = checkHyper(this.constructor.name, 'betas[0]', b1, 0, 0.999999);
    this.beta2 = checkHyper(this.constructor.name, 'betas[1]', b2, 0, 0.999999999);
    this.eps = checkHyper(this.constructor.name, 'eps', opts.eps ?? 1e-8, 0);
    this.weightDecay = checkHyper(this.constructor.name, 'weightDecay', opts.weightDecay ?? 0, 0);
    this.amsgrad = opts.amsgrad ?? false;
  }
  protected update(w: Float32Array | Float64Array, g: ArrayLike<number>, s: ParamState): void {
    const m = this.buffer(s, 'expAvg', w);
    const v = this.buffer(s, 'expAvgSq', w);
    const vmax = this.amsgrad ? this.buffer(s, 'maxExpAvgSq', w) : null;
    const t = ((s.step as number) ?? 0) + 1;
    s.step = t;
    const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    const bc1 = 1 - Math.pow(b1, t);
    const bc2 = 1 - Math.pow(b2, t);
    const stepSize = lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    for (let i = 0; i < w.length; i++) {
      let gi = g[i];
      if (wd) {
        if (this.decoupled) w[i] *= 1 - lr * wd;
        else gi += wd * w[i];
      }
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      let vi = v[i];
      if (vmax) {
        if (vi > vmax[i]) vmax[i] = vi;
        vi = vmax[i];
      }
      w[i] -= (stepSize * m[i]) / (Math.sqrt(vi) / sqrtBc2 + eps);
    }
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); default decay 0.01 as PyTorch. */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params, { ...opts, weightDecay: opts.weightDecay ?? 0.01 });
    this.decoupled = true;
  }
}
