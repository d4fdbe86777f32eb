import { kernel } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { traceOp } from '../autograd/trace.js';
import { ArgumentError, normAxis, Tensor } from '../tensor/index.js';
import { div, square, sub } from './elementwise.js';
import { binaryRaw } from './util.js';
import { checkFloat, checkOptions, checkTensor, describe, toTensor, view } from './util.js';

export interface ReduceOptions {
  /** Axis or axes to reduce (negative counts from the end); all axes when omitted. */
  axis?: number | readonly number[];
  /** Keep reduced axes as size 1. */
  keepdims?: boolean;
}

/** Options must be an object (null or a number in their place is a caller's slip, not a crash). */
function checkReduceOptions<T extends ReduceOptions>(op: string, opts: T): T {
  checkOptions(op, opts);
  if (opts.keepdims !== undefined && typeof opts.keepdims !== 'boolean') throw new ArgumentError(op, `keepdims must be a boolean, got ${describe(opts.keepdims)}`);
  return opts;
}

function resolveAxes(op: string, x: Tensor, axis: ReduceOptions['axis']): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list)) throw new ArgumentError(op, `axis must be a number or an array of numbers, got ${describe(axis)}`);
  const axes = list.map((a) => normAxis(op, a, x.rank));
  if (new Set(axes).size !== axes.length) throw new ArgumentError(op, `axis lists ${describe(list)} with a repeat`);
  return axes.sort((a, b) => a - b);
}

function outShape(x: Tensor, axes: number[], keepdims: boolean): number[] {
  return keepdims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

/** The kept-dims shape of a reduction result, to broadcast a gradient back. */
function keptShape(x: Tensor, axes: number[]): number[] {
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function sum(x: Tensor, opts: ReduceOptions = {}): Tensor {
  checkTensor('sum', 'x', x);
  checkReduceOptions('sum', opts);
  const axes = resolveAxes('sum', x, opts.axis);
  const r = kernel('Reduce')(x, { op: 'sum', axes });
  const keepDims = opts.keepdims ?? false;
  const out = view(r, outShape(x, axes, keepDims));
  return record('sum', out, [x], (g) => [kernel('BroadcastTo')(view(g, keptShape(x, axes)), { shape: x.shape })], { axes, keepDims });
}

export function mean(x: Tensor, opts: ReduceOptions = {}): Tensor {
  checkTensor('mean', 'x', x);
  checkFloat('mean', 'x', x);
  checkReduceOptions('mean', opts);
  const axes = resolveAxes('mean', x, opts.axis);
  let n = 1;
  for (const a of axes) n *= x.shape[a];
  const keepDims = opts.keepdims ?? false;
  const count = toTensor('mean', 'count', n, x);
  const out = view(binaryRaw('div', kernel('Reduce')(x, { op: 'sum', axes }), count), outShape(x, axes, keepDims));
  // One op (ONNX ReduceMean): each input receives g/n.
  return record('mean', out, [x], (g) => [binaryRaw('div', kernel('BroadcastTo')(view(g, keptShape(x, axes)), { shape: x.shape }), count)], { axes, keepDims });
}

/** Max or min; the gradient goes to the elements equal to the result, shared evenly on ties. */
function extreme(op: 'max' | 'min', x: Tensor, opts: ReduceOptions): Tensor {
  checkTensor(op, 'x', x);
  checkReduceOptions(op, opts);
  const axes = resolveAxes(op, x, opts.axis);
  if (axes.some((a) => x.shape[a] === 0)) throw new ArgumentError(op, `cannot reduce an empty axis of shape [${x.shape.join(', ')}]`);
  const r = kernel('Reduce')(x, { op, axes });
  const keepDims = opts.keepdims ?? false;
  const out = view(r, outShape(x, axes, keepDims));
  return record(op, out, [x], (g) => {
    const mask = binaryRaw('equal', x, r);
    const count = kernel('Reduce')(mask, { op: 'sum', axes });
    return [binaryRaw('mul', binaryRaw('div', view(g, keptShape(x, axes)), count), mask)];
  }, { axes, keepDims });
}

export const max = (x: Tensor, opts: ReduceOptions = {}): Tensor => extreme('max', x, opts);
export const min = (x: Tensor, opts: ReduceOptions = {}): Tensor => extreme('min', x, opts);

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, axis?: number, keepdims = false): Tensor {
  checkTensor(op, 'x', x);
  // No axis: over the flattened tensor (traced with axis null and the original input).
  const flat = axis === undefined;
  const src = flat ? view(x, [x.size]) : x;
  const ax = flat ? 0 : normAxis(op, axis, x.rank);
  const keepDims = flat ? false : keepdims;
  if (src.shape[ax] === 0) throw new ArgumentError(op, `cannot take ${op} of an empty axis`);
  const r = kernel('ArgReduce')(src, { op, axis: ax });
  const out = view(r, outShape(src, [ax], keepDims));
  traceOp(op, { axis: flat ? null : ax, keepDims }, [x], [out]);
  return out;
}

/** Index of the largest value along an axis (of the flattened tensor when no axis), first on ties; int32. */
export const argmax = (x: Tensor, axis?: number, keepdims = false): Tensor => argExtreme('argmax', x, axis, keepdims);
export const argmin = (x: Tensor, axis?: number, keepdims = false): Tensor => argExtreme('argmin', x, axis, keepdims);

/** Max values and their indices along one axis (as torch.max(x, dim)). */
export function maxWithIndices(x: Tensor, axis: number, keepdims = false): { values: Tensor; indices: Tensor } {
  return { values: max(x, { axis, keepdims }), indices: argmax(x, axis, keepdims) };
}

export interface VarianceOptions extends ReduceOptions {
  /** Divide by n − correction (1: the unbiased estimate, PyTorch's default; 0: the population variance). */
  correction?: number;
}

export function variance(x: Tensor, opts: VarianceOptions = {}): Tensor {
  checkTensor('variance', 'x', x);
  checkFloat('variance', 'x', x);
  checkReduceOptions('variance', opts);
  const correction = opts.correction ?? 1;
  if (typeof correction !== 'number' || !Number.isFinite(correction)) throw new ArgumentError('variance', `correction must be a number, got ${describe(correction)}`);
  const axes = resolveAxes('variance', x, opts.axis);
  let n = 1;
  for (const a of axes) n *= x.shape[a];
  const m = mean(x, { axis: axes, keepdims: true });
  const sq = square(sub(x, m));
  const s = sum(sq, { axis: axes, keepdims: opts.keepdims });
  return div(s, Math.max(n - correction, 0));
}
