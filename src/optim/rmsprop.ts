import { kernel } from '../backend/index.js';
import { checkHyper, floats, Optimizer, type ParamGroup, type ParamsInput, type ParamState } from './optimizer.js';

export interface RMSpropHyper {
  lr: number;
  alpha: number;
  eps: number;
  momentum: number;
  weightDecay: number;
  centered: boolean;
}

export type RMSpropOptions = Partial<RMSpropHyper>;

/**
 * RMSprop as torch.optim.RMSprop: divide by a running root mean square of the
 * gradient. Takes a list of parameters or of groups; the options are every group's defaults.
 */
export class RMSprop extends Optimizer<RMSpropHyper> {
  /** The defaults (each group's own settings are in paramGroups). */
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly centered: boolean;
  constructor(params: ParamsInput<RMSpropHyper>, opts: RMSpropOptions = {}) {
    const defaults: RMSpropHyper = { lr: opts.lr ?? 0.01, alpha: opts.alpha ?? 0.99, eps: opts.eps ?? 1e-8, momentum: opts.momentum ?? 0, weightDecay: opts.weightDecay ?? 0, centered: opts.centered ?? false };
    super(params, defaults, (h, where) => {
      checkHyper('RMSprop', `${where}alpha`, h.alpha, 0, 1);
      checkHyper('RMSprop', `${where}eps`, h.eps, 0);
      checkHyper('RMSprop', `${where}momentum`, h.momentum, 0);
      checkHyper('RMSprop', `${where}weightDecay`, h.weightDecay, 0);
      return h;
    });
    ({ alpha: this.alpha, eps: this.eps, momentum: this.momentum, weightDecay: this.weightDecay, centered: this.centered } = defaults);
  }
  protected update(w: Float32Array | Float64Array, g: ArrayLike<number>, s: ParamState, group: ParamGroup<RMSpropHyper>): void {
    const sq = this.buffer(s, 'squareAvg', w);
    const ga = group.centered ? this.buffer(s, 'gradAvg', w) : null;
    const buf = group.momentum ? this.buffer(s, 'momentum', w) : null;
    const { lr, alpha, eps, weightDecay, momentum } = group;
    const state = { squareAvg: sq, ...(ga ? { gradAvg: ga } : {}), ...(buf ? { momentum: buf } : {}) };
    kernel('OptimizerStep')(w, floats(g), state, { rule: 'rmsprop', lr, alpha, eps, momentum, weightDecay });
  }
}
