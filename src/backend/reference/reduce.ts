import { stridesOf, type DataArray } from '../../tensor/index.js';
import type { KernelSignatures, ReduceOp } from '../kernels.js';
import { empty, forEachRow } from './util.js';

const INIT: Record<ReduceOp, number> = { sum: 0, max: -Infinity, min: Infinity, prod: 1 };

/** Fold one input row into the output: all into one cell (so = 0) or cell by cell (so = 1). */
function foldRow(op: ReduceOp, yd: DataArray, o: number, so: number, xd: DataArray, i: number, n: number): void {
  if (so === 0) {
    // Accumulate in the output's own precision, one rounding per element, as before rows existed.
    if (op === 'sum') for (let j = 0; j < n; j++) yd[o] += xd[i + j];
    else if (op === 'prod') for (let j = 0; j < n; j++) yd[o] *= xd[i + j];
    else if (op === 'max') for (let j = 0; j < n; j++) yd[o] = xd[i + j] > yd[o] || Number.isNaN(xd[i + j]) ? xd[i + j] : yd[o];
    else for (let j = 0; j < n; j++) yd[o] = xd[i + j] < yd[o] || Number.isNaN(xd[i + j]) ? xd[i + j] : yd[o];
  } else if (op === 'sum') for (let j = 0; j < n; j++) yd[o + j] += xd[i + j];
  else if (op === 'prod') for (let j = 0; j < n; j++) yd[o + j] *= xd[i + j];
  else if (op === 'max') for (let j = 0; j < n; j++) yd[o + j] = xd[i + j] > yd[o + j] || Number.isNaN(xd[i + j]) ? xd[i + j] : yd[o + j];
  else for (let j = 0; j < n; j++) yd[o + j] = xd[i + j] < yd[o + j] || Number.isNaN(xd[i + j]) ? xd[i + j] : yd[o + j];
}

/**
 * Reduce by walking the input once, row by row: each input element is folded
 * into the output cell whose index equals its own with the reduced axes set to
 * 0. Sums run in input order, so results do not depend on anything but the shape.
 */
export const Reduce: KernelSignatures['Reduce'] = (x, { op, axes }) => {
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const y = empty(outShape, x.dtype);
  y.data.fill(INIT[op]);
  const outStrides = stridesOf(outShape).map((s, i) => (axes.includes(i) ? 0 : s));
  forEachRow(x.shape, [outStrides], (i, offs, n, inner) => foldRow(op, y.data, offs[0], inner[0], x.data, i, n));
  return y;
};

export const ArgReduce: KernelSignatures['ArgReduce'] = (x, { op, axis }) => {
  const shape = x.shape;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const y = empty(shape.map((d, i) => (i === axis ? 1 : d)), 'int32');
  const xd = x.data;
  const yd = y.data;
  const better = op === 'argmax' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      let best = 0;
      let bv = xd[base];
      for (let k = 1; k < n && !Number.isNaN(bv); k++) {
        const v = xd[base + k * inner];
        if (better(v, bv) || Number.isNaN(v)) {
          bv = v;
          best = k;
        }
      }
      yd[o * inner + j] = best;
    }
  }
  return y;
};
