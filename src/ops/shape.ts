import { kernel } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { traceOp } from '../autograd/trace.js';
import { ArgumentError, DTypeError, ShapeError, broadcastShapes, checkShape, formatShape, isDType, normAxis, shapesEqual, sizeOf, Tensor, type DType } from '../tensor/index.js';
import { checkInt, checkNumber, checkTensor, describe, sumToShape, view } from './util.js';

/** Same data in a new shape; one entry may be −1 and is inferred. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', 'x', x);
  if (!Array.isArray(shape)) throw new ArgumentError('reshape', `shape must be an array, got ${describe(shape)}`);
  const s = shape.slice();
  const infer = s.indexOf(-1);
  if (s.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== infer))) {
    throw new ArgumentError('reshape', `shape ${formatShape(s)} must hold non-negative integers and at most one -1`);
  }
  if (infer >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== infer));
    if (rest === 0 || x.size % rest !== 0) throw new ShapeError('reshape', `a shape compatible with ${x.size} elements`, s);
    s[infer] = x.size / rest;
  }
  if (sizeOf(s) !== x.size) throw new ShapeError('reshape', `${sizeOf(s)} elements for shape ${formatShape(s)}`, x.shape, `${x.size} elements`);
  const out = view(x, s);
  return record('reshape', out, [x], (g) => [view(g, x.shape)], { shape: s });
}

/** Merge axes startDim..endDim into one (default: all but the batch axis). */
export function flatten(x: Tensor, startDim = 1, endDim = -1): Tensor {
  checkTensor('flatten', 'x', x);
  if (x.rank === 0) return reshape(x, [1]);
  const a = normAxis('flatten', startDim, x.rank);
  const b = normAxis('flatten', endDim, x.rank);
  if (a > b) throw new ArgumentError('flatten', `startDim ${startDim} comes after endDim ${endDim}`);
  const s = [...x.shape.slice(0, a), sizeOf(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)];
  return reshape(x, s);
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkTensor('permute', 'x', x);
  if (!Array.isArray(perm) || perm.length !== x.rank) {
    throw new ArgumentError('permute', `perm must list ${x.rank} axes for a tensor of shape ${formatShape(x.shape)}, got ${describe(perm)}`);
  }
  const p = perm.map((a) => normAxis('permute', a, x.rank));
  if (new Set(p).size !== p.length) throw new ArgumentError('permute', `perm ${describe(perm)} repeats an axis`);
  const out = kernel('Transpose')(x, { perm: p });
  const inv = new Array<number>(p.length);
  p.forEach((a, i) => (inv[a] = i));
  return record('permute', out, [x], (g) => [kernel('Transpose')(g, { perm: inv })], { perm: p });
}

/** Swap two axes (the last two by default). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  checkTensor('transpose', 'x', x);
  if (x.rank < 2) return x;
  const a = normAxis('transpose', dim0, x.rank);
  const b = normAxis('transpose', dim1, x.rank);
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  checkTensor('squeeze', 'x', x);
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normAxis('squeeze', axis, x.rank);
  if (x.shape[a] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor('unsqueeze', 'x', x);
  const a = normAxis('unsqueeze', axis, x.rank + 1);
  const s = x.shape.slice();
  s.splice(a, 0, 1);
  return reshape(x, s);
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', 'x', x);
  checkShape('broadcastTo', shape);
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!shapesEqual(target, shape)) throw new ShapeError('broadcastTo', `a shape that broadcasts to ${formatShape(shape)}`, x.shape);
  const out = kernel('BroadcastTo')(x, { shape: target });
  return record('broadcastTo', out, [x], (g) => [sumToShape(g, x.shape)], { shape: [...target] });
}

/** Join tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ArgumentError('concat', 'needs a non-empty array of tensors');
  xs.forEach((t, i) => checkTensor('concat', `tensors[${i}]`, t));
  const first = xs[0];
  const ax = normAxis('concat', axis, first.rank);
  xs.forEach((t: Tensor, i: number) => {
    if (t.dtype !== first.dtype) throw new DTypeError('concat', `${first.dtype} for every tensor`, `${t.dtype} at tensors[${i}]`);
    if (t.rank !== first.rank || t.shape.some((d: number, k: number) => k !== ax && d !== first.shape[k])) {
      const expected = first.shape.map((d: number, k: number) => (k === ax ? '*' : String(d)));
      throw new ShapeError('concat', `tensors[${i}] of shape [${expected.join(', ')}]`, t.shape);
    }
  });
  const out = kernel('Concat')(xs, { axis: ax });
  return record('concat', out, xs, (g) => {
    let start = 0;
    return xs.map((t) => {
      const begin = g.shape.map((_, k) => (k === ax ? start : 0));
      const end = g.shape.map((d, k) => (k === ax ? start + t.shape[ax] : d));
      start += t.shape[ax];
      return kernel('Slice')(g, { begin, end, step: g.shape.map(() => 1) });
    });
  }, { axis: ax });
}

/** Stack equal-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ArgumentError('stack', 'needs a non-empty array of tensors');
  return concat(xs.map((t, i) => unsqueeze(checkTensor('stack', `tensors[${i}]`, t), axis)), axis);
}

/**
 * Take [begin, end) with a step on each axis (missing axes are taken whole;
 * negative indices count from the end, as in Python).
 */
export function slice(x: Tensor, begin: readonly number[], end?: readonly (number | null)[], step?: readonly number[]): Tensor {
  checkTensor('slice', 'x', x);
  if (!Array.isArray(begin) || begin.length > x.rank) throw new ArgumentError('slice', `begin must list at most ${x.rank} indices, got ${describe(begin)}`);
  const b: number[] = [];
  const e: number[] = [];
  const st: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    const d = x.shape[i];
    const s = step?.[i] ?? 1;
    if (!Number.isInteger(s) || s < 1) throw new ArgumentError('slice', `step on axis ${i} must be a positive integer, got ${describe(s)}`);
    const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const bi = begin[i] ?? 0;
    const ei = end?.[i] ?? d;
    if (!Number.isInteger(bi) || !Number.isInteger(ei)) throw new ArgumentError('slice', `indices on axis ${i} must be integers, got ${describe([bi, ei])}`);
    b.push(clampIdx(bi));
    e.push(Math.max(clampIdx(ei), clampIdx(bi)));
    st.push(s);
  }
  const out = kernel('Slice')(x, { begin: b, end: e, step: st });
  return record('slice', out, [x], (g) => [scatterSlice(g, x.shape, b, st)], { begin: b, end: e, step: st });
}

/** The gradient of a slice: g placed back at its positions in a zero tensor of the input's shape. */
function scatterSlice(g: Tensor, shape: readonly number[], begin: number[], step: number[]): Tensor {
  if (step.every((s) => s === 1)) {
    return kernel('Pad')(g, { pads: shape.map((d, i) => [begin[i], d - begin[i] - g.shape[i]] as const), value: 0 });
  }
  const out = new Tensor(new (g.data.constructor as Float64ArrayConstructor)(sizeOf(shape)), shape);
  const strides = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
  const idx = new Array<number>(g.rank).fill(0);
  for (let k = 0; k < g.size; k++) {
    let o = 0;
    for (let i = 0; i < g.rank; i++) o += (begin[i] + idx[i] * step[i]) * strides[i];
    out.data[o] = g.data[k];
    for (let i = g.rank - 1; i >= 0; i--) {
      if (++idx[i] < g.shape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** Split into pieces of the given sizes (or n equal pieces) along an axis. */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  checkTensor('split', 'x', x);
  const ax = normAxis('split', axis, x.rank);
  const d = x.shape[ax];
  let parts: number[];
  if (typeof sizes === 'number') {
    checkInt('split', 'sections', sizes, 1);
    if (d % sizes !== 0) throw new ShapeError('split', `an axis divisible into ${sizes} equal parts`, x.shape, `axis ${ax} has ${d}`);
    parts = new Array<number>(sizes).fill(d / sizes);
  } else {
    if (!Array.isArray(sizes)) throw new ArgumentError('split', `sizes must be a number or an array of numbers, got ${describe(sizes)}`);
    parts = sizes.slice();
    if (parts.some((p) => !Number.isInteger(p) || p < 0) || parts.reduce((a, b) => a + b, 0) !== d) {
      throw new ShapeError('split', `sizes summing to ${d} (axis ${ax})`, describe(sizes));
    }
  }
  let start = 0;
  return parts.map((p) => {
    const begin = x.shape.map((_, i) => (i === ax ? start : 0));
    const end = x.shape.map((dd, i) => (i === ax ? start + p : dd));
    start += p;
    return slice(x, begin, end);
  });
}

/** Change dtype; the gradient is cast back (none flows into int32). */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', 'x', x);
  if (!isDType(dtype)) throw new DTypeError('cast', 'float32, float64 or int32', describe(dtype));
  if (x.dtype === dtype) return x;
  const out = kernel('Cast')(x, { dtype });
  if (dtype === 'int32') {
    traceOp('cast', { dtype }, [x], [out]);
    return out;
  }
  return record('cast', out, [x], (g) => [x.dtype === 'int32' ? null : kernel('Cast')(g, { dtype: x.dtype })], { dtype });
}
