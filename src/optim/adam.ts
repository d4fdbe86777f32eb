import { ArgumentError, show } from '../tensor/index.js';
import { kernel } from '../backend/index.js';
import { checkHyper, floats, Optimizer, type ParamGroup, type ParamsInput, type ParamState } from './optimizer.js';

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
    const step = ((s.step as number) ?? 0) + 1;
    s.step = step;
    const { lr, betas: [beta1, beta2], eps, weightDecay } = group;
    const state = vmax ? { expAvg: m, expAvgSq: v, maxExpAvgSq: vmax } : { expAvg: m, expAvgSq: v };
    kernel('OptimizerStep')(w, floats(g), state, { rule: 'adam', lr, beta1, beta2, eps, weightDecay, decoupled: this.decoupled, step });
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); default decay 0.01 as PyTorch. */
export class AdamW extends Adam {
  constructor(params: ParamsInput<AdamHyper>, opts: AdamOptions = {}) {
    super(params, { ...opts, weightDecay: opts.weightDecay ?? 0.01 });
    this.decoupled = true;
  }
}
