import { kernel } from '../backend/index.js';
import { checkHyper, floats, Optimizer, type ParamGroup, type ParamsInput, type ParamState } from './optimizer.js';

export interface SGDHyper {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

export type SGDOptions = Partial<SGDHyper>;

/**
 * Gradient descent, w ← w − η·∂J/∂w (the decks' update rule), with PyTorch's
 * momentum (v ← μ·v + (1 − dampening)·g), Nesterov and L2 weight decay. Takes a
 * list of parameters or of groups `[{ params, lr, momentum, ... }]`; the options
 * are the defaults of every group.
 */
export class SGD extends Optimizer<SGDHyper> {
  /** The defaults (each group's own settings are in paramGroups). */
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  constructor(params: ParamsInput<SGDHyper>, opts: SGDOptions = {}) {
    const defaults: SGDHyper = { lr: opts.lr ?? 0.01, momentum: opts.momentum ?? 0, dampening: opts.dampening ?? 0, nesterov: opts.nesterov ?? false, weightDecay: opts.weightDecay ?? 0 };
    super(params, defaults, (h, where) => {
      checkHyper('SGD', `${where}momentum`, h.momentum, 0);
      checkHyper('SGD', `${where}dampening`, h.dampening, 0, 1);
      checkHyper('SGD', `${where}weightDecay`, h.weightDecay, 0);
      return h;
    });
    ({ momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay } = defaults);
  }
  protected update(w: Float32Array | Float64Array, g: ArrayLike<number>, s: ParamState, group: ParamGroup<SGDHyper>): void {
    const { lr, momentum, dampening, weightDecay, nesterov } = group;
    const v = momentum ? this.buffer(s, 'momentum', w) : null;
    const first = v !== null && s.started !== 1;
    if (v) s.started = 1;
    kernel('OptimizerStep')(w, floats(g), v ? { momentum: v } : {}, { rule: 'sgd', lr, momentum, dampening, nesterov, weightDecay, first });
  }
}
