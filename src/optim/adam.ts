import { ArgumentError, show } from '../tensor/index.js';
import { checkHyper, Optimizer, type ParamGroup, type ParamsInput, type ParamState } from './optimizer.js';

export interface AdamHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

export type AdamOptions = Partial<AdamHyper>;

/**
 * Adam (Kingma & Ba) with bias correction; weight decay is L2 added to the
 * gradient, as torch.optim.Adam. Takes a list of parameters or of groups
 * `[{ params, lr, weightDecay, ... }]`; the options are every group's defaults.
 */
export class Adam extends Optimizer<AdamHyper> {
  /** The defaults (each group's own settings are in paramGroups). */
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  /** AdamW decouples the decay from the gradient. */
  protected decoupled = false;
  constructor(params: ParamsInput<AdamHyper>, opts: AdamOptions = {}) {
    const defaults: AdamHyper = { lr: opts.lr ?? 1e-3, betas: opts.betas ?? [0.9, 0.999], eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? 0, amsgrad: opts.amsgrad ?? false };
    super(params, defaults, (h, where) => {
      const op = new.target.name;
      if (!Array.isArray(h.betas) || h.betas.length !== 2) throw new ArgumentError(op, `${where}betas must be a pair [beta1, beta2], got ${show(h.betas)}`);
      checkHyper(op, `${where}betas[0]`, h.betas[0], 0, 0.999999);
      checkHyper(op, `${where}betas[1]`, h.betas[1], 0, 0.999999999);
      checkHyper(op, `${where}eps`, h.eps, 0);
      checkHyper(op, `${where}weightDecay`, h.weightDecay, 0);
      return { ...h, betas: [h.betas[0], h.betas[1]] };
    });
    [this.beta1, this.beta2] = defaults.betas;
    ({ eps: this.eps, weightDecay: this.weightDecay, amsgrad: this.amsgrad } = defaults);
  }
  protected update(w: Float32Array | Float64Array, g: ArrayLike<number>, s: ParamState, group: ParamGroup<AdamHyper>): void {
    const m = this.buffer(s, 'expAvg', w);
    const v = this.buffer(s, 'expAvgSq', w);
    const vmax = group.amsgrad ? this.buffer(s, 'maxExpAvgSq', w) : null;
    const t = ((s.step as number) ?? 0) + 1;
    s.step = t;
    const { lr, betas: [b1, b2], eps, weightDecay: wd } = group;
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
  constructor(params: ParamsInput<AdamHyper>, opts: AdamOptions = {}) {
    super(params, { ...opts, weightDecay: opts.weightDecay ?? 0.01 });
    this.decoupled = true;
  }
}
