import { stridesOf } from '../../tensor/index.js';
import type { KernelSignatures, ReduceOp } from '../kernels.js';
import { empty } from './util.js';

const INIT: Record<ReduceOp, number> = { sum: 0, max: -Infinity, min: Infinity, prod: 1 };

/**
 * Reduce by walking the input once: each input element is folded into the
 * output cell whose index equals its own with the reduced axes set to 0.
 */
export const Reduce: KernelSignatures['Reduce'] = (x, { op, axes }) => {
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const y = empty(outShape, x.dtype);
  const yd = y.data;
  yd.fill(INIT[op]);
  const xd = x.data;
  const rank = x.shape.length;
  const outStrides = stridesOf(outShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const idx = new Int32Array(rank);
  let o = 0;
  for (let i = 0; i < xd.length; i++) {
    const v = xd[i];
    if (op === 'sum') yd[o] += v;
    else if (op === 'max') {
      if (v > yd[o] || Number.isNaN(v)) yd[o] = v;
    } else if (op === 'min') {
      if (v < yd[o] || Number.isNaN(v)) yd[o] = v;
    } else yd[o] *= v;
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      o += outStrides[ax];
      if (idx[ax] < x.shape[ax]) break;
      o -= outStrides[ax] * x.shape[ax];
      idx[ax] = 0;
    }
  }
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
