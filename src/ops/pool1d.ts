import { ArgumentError, ShapeError, type Tensor } from '../tensor/index.js';
import { avgPool2d, maxPool2d } from './pool.js';
import { max } from './reduce.js';
import { concat, reshape, slice } from './shape.js';
import { checkFloat, checkInt, checkOptions, checkTensor, describe } from './util.js';

/*
 * Pooling along the one axis of [N, C, L] (text: positions; speech: frames),
 * as the 2-D pooling of [N, C, 1, L] with 1 × k windows, so the kernels and
 * gradients are the 2-D ones.
 */

export interface Pool1dOptions {
  kernelSize: number;
  /** Defaults to kernelSize. */
  stride?: number;
  padding?: number;
  ceilMode?: boolean;
}

function as4d(op: string, x: Tensor): Tensor {
  checkTensor(op, 'input', x);
  checkFloat(op, 'input', x);
  if (x.rank !== 3) throw new ShapeError(op, 'input [N, C, L]', x.shape);
  return reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]);
}

function opts2d(op: string, o: Pool1dOptions) {
  if (typeof o !== 'object' || o === null) throw new ArgumentError(op, `takes options { kernelSize, stride?, padding? }, got ${describe(o)}`);
  const k = checkInt(op, 'kernelSize', o.kernelSize, 1);
  const s = checkInt(op, 'stride', o.stride ?? k, 1);
  const p = checkInt(op, 'padding', o.padding ?? 0, 0);
  return { kernelSize: [1, k] as [number, number], stride: [1, s] as [number, number], padding: [0, p] as [number, number], ceilMode: o.ceilMode };
}

const back = (y: Tensor) => reshape(y, [y.shape[0], y.shape[1], y.shape[3]]);

export function maxPool1d(x: Tensor, opts: Pool1dOptions & { dilation?: number }): Tensor {
  const op = 'maxPool1d';
  const o = checkOptions(op, opts);
  const x4 = as4d(op, x);
  const d = checkInt(op, 'dilation', o.dilation ?? 1, 1);
  return back(maxPool2d(x4, { ...opts2d(op, o), dilation: [1, d] }));
}

export function avgPool1d(x: Tensor, opts: Pool1dOptions & { countIncludePad?: boolean }): Tensor {
  const op = 'avgPool1d';
  const o = checkOptions(op, opts);
  return back(avgPool2d(as4d(op, x), { ...opts2d(op, o), countIncludePad: o.countIncludePad }));
}

/**
 * Adaptive max pooling to `outputSize` positions (torch.nn.AdaptiveMaxPool1d):
 * window i covers [⌊iL/n⌋, ⌈(i+1)L/n⌉). outputSize 1 is Kim 2014's
 * max-over-time pooling, which makes the output independent of the length.
 */
export function adaptiveMaxPool1d(x: Tensor, outputSize: number): Tensor {
  const op = 'adaptiveMaxPool1d';
  checkTensor(op, 'input', x);
  checkFloat(op, 'input', x);
  if (x.rank !== 3) throw new ShapeError(op, 'input [N, C, L]', x.shape);
  const n = checkInt(op, 'outputSize', outputSize, 1);
  const L = x.shape[2];
  if (L < 1) throw new ShapeError(op, 'input with at least one position', x.shape);
  if (n === 1) return max(x, { axis: 2, keepdims: true });
  const parts: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor((i * L) / n);
    const b = Math.ceil(((i + 1) * L) / n);
    parts.push(max(slice(x, [0, 0, a], [null, null, b]), { axis: 2, keepdims: true }));
  }
  return concat(parts, 2);
}
