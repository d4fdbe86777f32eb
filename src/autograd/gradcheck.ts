import { ArgumentError, DTypeError, ReceptiveError, RNG, Tensor } from '../tensor/index.js';
import { backward, noGrad } from './tape.js';

export interface GradcheckOptions {
  /** Central-difference step. */
  eps?: number;
  /** Largest accepted relative error, |analytic − numeric| / max(|analytic|, |numeric|, 1). */
  tol?: number;
  /** Seed for the random projection of non-scalar outputs. */
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  maxRelError: number;
  maxAbsError: number;
  /** Where the worst error is: input number, flat element index, and both values. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
  checked: number;
}

/**
 * Compare the gradients autograd computes with central differences, in float64.
 * A non-scalar output is reduced as L = Σ out·v with a fixed random v, so the
 * whole vector–Jacobian product vᵀJ is checked, element by element of each input.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const eps = opts.eps ?? 1e-6;
  const tol = opts.tol ?? 1e-6;
  inputs.forEach((t, i) => {
    if (t.dtype !== 'float64') throw new DTypeError('gradcheck', `float64 inputs (input ${i})`, t.dtype);
  });
  const diff = inputs.filter((t) => t.requiresGrad);
  if (diff.length === 0) throw new ArgumentError('gradcheck', 'no input has requiresGrad: nothing to check');
  const out0 = fn(...inputs);
  if (out0.dtype !== 'float64') throw new DTypeError('gradcheck', 'a float64 output', out0.dtype);
  const rng = new RNG(opts.seed ?? 1234);
  const v = new Float64Array(out0.size);
  for (let i = 0; i < v.length; i++) v[i] = out0.size === 1 ? 1 : rng.normal();
  const vT = new Tensor(v, out0.shape);
  for (const t of diff) t.grad = null;
  if (!out0.requiresGrad) throw new ReceptiveError('gradcheck: the output does not depend on any input with requiresGrad');
  backward(out0, vT);
  const analytic = diff.map((t) => (t.grad ? Float64Array.from(t.grad.data) : new Float64Array(t.size)));
  const project = (): number => {
    const o = noGrad(() => fn(...inputs));
    let s = 0;
    for (let i = 0; i < o.size; i++) s += o.data[i] * v[i];
    return s;
  };
  let maxRel = 0;
  let maxAbs = 0;
  let worst: GradcheckResult['worst'] = null;
  let checked = 0;
  diff.forEach((t, k) => {
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const orig = d[i];
      d[i] = orig + eps;
      const fp = project();
      d[i] = orig - eps;
      const fm = project();
      d[i] = orig;
      const numeric = (fp - fm) / (2 * eps);
      const a = analytic[k][i];
      const abs = Math.abs(a - numeric);
      const rel = abs / Math.max(Math.abs(a), Math.abs(numeric), 1);
      checked++;
      if (Number.isNaN(rel) || rel > maxRel || worst === null) {
        if (Number.isNaN(rel) || rel >= maxRel) worst = { input: inputs.indexOf(t), index: i, analytic: a, numeric };
        maxRel = Number.isNaN(rel) ? NaN : Math.max(maxRel, rel);
      }
      maxAbs = Math.max(maxAbs, abs);
    }
  });
  return { ok: maxRel <= tol, maxRelError: maxRel, maxAbsError: maxAbs, worst, checked };
}
