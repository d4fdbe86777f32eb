import { allocate, ArgumentError, ShapeError, Tensor, type DType } from '../tensor/index.js';
import { checkFloat, checkNumber, checkTensor, describe } from './util.js';

/* Argument checks and coefficient tensors shared by layerNorm, groupNorm and instanceNorm (internal, not in F). */

export function checkEps(op: string, v: unknown): number {
  const eps = checkNumber(op, 'eps', v ?? 1e-5);
  if (eps < 0) throw new ArgumentError(op, `eps must be >= 0, got ${eps}`);
  return eps;
}

/** An optional per-channel tensor ([C], float). */
export function perChannel(op: string, name: string, t: Tensor | null | undefined, C: number): Tensor | null {
  if (t == null) return null;
  checkFloat(op, name, checkTensor(op, name, t));
  if (t.rank !== 1 || t.shape[0] !== C) throw new ShapeError(op, `${name} [${C}]`, t.shape);
  return t;
}

/** A tensor of `dtype` and shape [n] with values f(i): the kernels' per-channel coefficients. */
export function coefs(dtype: DType, n: number, f: (i: number) => number): Tensor {
  const d = allocate(dtype, n);
  for (let i = 0; i < n; i++) d[i] = f(i);
  return new Tensor(d, [n]);
}

/** normalizedShape as a list of positive integers (a number means [n]). */
export function checkNormalizedShape(op: string, s: unknown): number[] {
  const list = typeof s === 'number' ? [s] : s;
  if (!Array.isArray(list) || list.length === 0 || !list.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ArgumentError(op, `normalizedShape must be a positive integer or a non-empty list of them, got ${describe(s)}`);
  }
  return list.slice();
}
