import type { FloatArray, KernelSignatures, OptimizerRule, OptimizerState } from '../kernels.js';
import { ArgumentError } from '../../tensor/index.js';

/*
 * Optimiser updates as plain loops over the parameter, its gradient and its state
 * (float32 or float64 arrays: JavaScript computes in float64 and each store
 * rounds to the array's type). These are the formulas of torch.optim 1.13; the
 * wasm kernels (assembly/optim.ts) repeat the same operations in the same order.
 */

/** Adam's bias corrections for step t: lr / (1 − β1ᵗ) and √(1 − β2ᵗ). */
export function adamScalars(r: Extract<OptimizerRule, { rule: 'adam' }>): { stepSize: number; sqrtBc2: number } {
  return { stepSize: r.lr / (1 - Math.pow(r.beta1, r.step)), sqrtBc2: Math.sqrt(1 - Math.pow(r.beta2, r.step)) };
}

/** The buffer `name` of `state`, which the rule needs: checked to have the parameter's length. */
export function need(state: OptimizerState, name: keyof OptimizerState, n: number): FloatArray {
  const b = state[name];
  if (!b || b.length !== n) throw new ArgumentError('OptimizerStep', `state buffer "${name}" must be an array of ${n} values, got ${b ? b.length : 'none'}`);
  return b;
}

function sgd(w: FloatArray, g: FloatArray, s: OptimizerState, r: Extract<OptimizerRule, { rule: 'sgd' }>): void {
  const { lr, momentum: mu, dampening, weightDecay: wd, nesterov, first } = r;
  const v = mu ? need(s, 'momentum', w.length) : null;
  for (let i = 0; i < w.length; i++) {
    let d = g[i] + wd * w[i];
    if (v) {
      v[i] = first ? d : mu * v[i] + (1 - dampening) * d;
      d = nesterov ? d + mu * v[i] : v[i];
    }
    w[i] -= lr * d;
  }
}

function adam(w: FloatArray, g: FloatArray, s: OptimizerState, r: Extract<OptimizerRule, { rule: 'adam' }>): void {
  const m = need(s, 'expAvg', w.length);
  const v = need(s, 'expAvgSq', w.length);
  const vmax = s.maxExpAvgSq ? need(s, 'maxExpAvgSq', w.length) : null;
  const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, decoupled } = r;
  const { stepSize, sqrtBc2 } = adamScalars(r);
  for (let i = 0; i < w.length; i++) {
    let gi = g[i];
    if (wd) {
      if (decoupled) w[i] *= 1 - lr * wd;
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

function rmsprop(w: FloatArray, g: FloatArray, s: OptimizerState, r: Extract<OptimizerRule, { rule: 'rmsprop' }>): void {
  const sq = need(s, 'squareAvg', w.length);
  const ga = s.gradAvg ? need(s, 'gradAvg', w.length) : null;
  const buf = r.momentum ? need(s, 'momentum', w.length) : null;
  const { lr, alpha: a, eps, weightDecay: wd, momentum: mu } = r;
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

export const OptimizerStep: KernelSignatures['OptimizerStep'] = (w, g, state, attrs) => {
  if (g.length !== w.length) throw new ArgumentError('OptimizerStep', `the gradient has ${g.length} values, the parameter ${w.length}`);
  if (attrs.rule === 'sgd') sgd(w, g, state, attrs);
  else if (attrs.rule === 'adam') adam(w, g, state, attrs);
  else if (attrs.rule === 'rmsprop') rmsprop(w, g, state, attrs);
  else throw new ArgumentError('OptimizerStep', `unknown rule ${JSON.stringify((attrs as { rule: unknown }).rule)}`);
};
