/*
 * The strong-Wolfe line search of torch.optim.LBFGS (after minFunc): bracket a step
 * that lowers f enough (Armijo, c1) and flattens the slope (curvature, c2), then
 * zoom in by cubic interpolation. Ported step for step so results match PyTorch's.
 */

export type Vec = Float64Array;

export const dot = (a: Vec, b: Vec): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
export const absMax = (a: Vec): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/** The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds. */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2sq);
  const pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(pos, lo), hi);
}

/** f and its gradient at x + t·d (the parameters are put back afterwards). */
export type DirectionalEval = (t: number) => { f: number; g: Vec };

export interface LineSearchResult {
  f: number;
  g: Vec;
  t: number;
  evals: number;
}

/** Strong-Wolfe search along d from f, g (slope gtd = gᵀd < 0), starting at step t. */
export function strongWolfe(evalAt: DirectionalEval, t: number, d: Vec, f: number, g: Vec, gtd: number, c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25): LineSearchResult {
  const dNorm = absMax(d);
  let { f: fNew, g: gNew } = evalAt(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let iter = 0;
  let bracket: number[] = [], bf: number[] = [], bg: Vec[] = [], bgtd: number[] = [];
  while (iter < maxLs) {
    if (fNew > f + c1 * t * gtd || (iter > 1 && fNew >= fPrev)) {
      [bracket, bf, bg, bgtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bf, bg, bgtd] = [[t], [fNew], [gNew], [gtdNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bf, bg, bgtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    const next = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [t + 0.01 * (t - tPrev), t * 10]);
    [tPrev, fPrev, gPrev, gtdPrev] = [t, fNew, gNew, gtdNew];
    t = next;
    ({ f: fNew, g: gNew } = evalAt(t));
    evals++;
    gtdNew = dot(gNew, d);
    iter++;
  }
  if (iter === maxLs) [bracket, bf, bg, bgtd] = [[0, t], [f, fNew], [g, gNew], [gtd, gtdNew]];

  // Zoom: shrink the bracket until a point meets both conditions.
  let insufficientProgress = false;
  let [low, high] = bf[0] <= bf[bf.length - 1] ? [0, 1] : [1, 0];
  while (!done && iter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1]);
    const bMax = Math.max(...bracket), bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      // Too close to an end: move away from it unless the last step already did.
      if (insufficientProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufficientProgress = false;
      } else insufficientProgress = true;
    } else insufficientProgress = false;
    ({ f: fNew, g: gNew } = evalAt(t));
    evals++;
    gtdNew = dot(gNew, d);
    iter++;
    if (fNew > f + c1 * t * gtd || fNew >= bf[low]) {
      [bracket[high], bf[high], bg[high], bgtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bf[0] <= bf[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        [bracket[high], bf[high], bg[high], bgtd[high]] = [bracket[low], bf[low], bg[low], bgtd[low]];
      }
      [bracket[low], bf[low], bg[low], bgtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return { f: bf[low], g: bg[low], t: bracket[low], evals };
}
