import { allocate, ArgumentError, globalRNG, RNG, ShapeError, Tensor } from '../tensor/index.js';
import { mul } from './elementwise.js';
import { checkFloat, checkNumber, checkOptions, checkTensor, describe } from './util.js';
import type { DropoutOptions } from './norm.js';

/**
 * Channel dropout (Tompson et al. 2015; torch.nn.functional.dropout2d): while
 * training, each whole channel plane of x [N, C, H, W] (or an unbatched
 * [C, H, W]) is zeroed with probability p and the others are scaled by
 * 1/(1 − p). Neighbouring pixels of a feature map are correlated, so dropping
 * single pixels barely regularises; dropping planes does. One draw per (n, c),
 * in that order, from the seeded RNG.
 */
export function dropout2d(x: Tensor, opts: DropoutOptions = {}): Tensor {
  const op = 'dropout2d';
  checkFloat(op, 'x', checkTensor(op, 'x', x));
  const o = checkOptions(op, opts);
  const p = checkNumber(op, 'p', o.p ?? 0.5);
  if (!(p >= 0 && p < 1)) throw new ArgumentError(op, `p must be in [0, 1), got ${p}`);
  const training = o.training ?? true;
  if (typeof training !== 'boolean') throw new ArgumentError(op, `training must be a boolean, got ${describe(training)}`);
  const rng = o.rng ?? globalRNG;
  if (!(rng instanceof RNG)) throw new ArgumentError(op, `rng must be an RNG, got ${describe(rng)}`);
  if (x.rank !== 4 && x.rank !== 3) throw new ShapeError(op, 'input [N, C, H, W] or [C, H, W]', x.shape);
  if (!training || p === 0) return x;
  const planes = x.rank === 4 ? x.shape.slice(0, 2) : x.shape.slice(0, 1);
  const n = planes.reduce((a, b) => a * b, 1);
  const scale = 1 / (1 - p);
  const m = allocate(x.dtype, n);
  for (let i = 0; i < n; i++) m[i] = rng.random() < p ? 0 : scale;
  return mul(x, new Tensor(m, [...planes, 1, 1]));
}
