import { kernel, type BinaryOp, type UnaryOp } from '../backend/index.js';
import { ArgumentError, DTypeError, Tensor, allocate, broadcastShapes, shapesEqual, show, type DType } from '../tensor/index.js';

export type TensorOrNumber = Tensor | number;

/** Refuse anything that is not a Tensor, naming the op and the argument. */
export function checkTensor(op: string, name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ArgumentError(op, `${name} must be a Tensor, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
  }
  return x;
}

export function checkFloat(op: string, name: string, x: Tensor): Tensor {
  if (x.dtype === 'int32') throw new DTypeError(op, `float32 or float64 ${name}`, x.dtype);
  return x;
}

/** A number becomes a scalar tensor of the other operand's dtype (as PyTorch's wrapped numbers). */
export function toTensor(op: string, name: string, x: unknown, like?: Tensor): Tensor {
  if (typeof x === 'number') {
    const dtype: DType = like && like.dtype !== 'int32' ? like.dtype : Number.isInteger(x) && like?.dtype === 'int32' ? 'int32' : 'float32';
    const d = allocate(dtype, 1);
    d[0] = x;
    return new Tensor(d, []);
  }
  return checkTensor(op, name, x);
}

export function checkInt(op: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ArgumentError(op, `${name} must be an integer >= ${min}, got ${describe(v)}`);
  }
  return v;
}

export function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ArgumentError(op, `${name} must be a number, got ${describe(v)}`);
  return v;
}

/** An options argument: undefined means defaults; null or a non-object is refused rather than crashing on a property read. */
export function checkOptions<T extends object>(op: string, opts: T | undefined): T {
  if (opts === undefined) return {} as T;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ArgumentError(op, `options must be an object, got ${describe(opts)}`);
  return opts;
}

/** Any argument as text for an error message (never throws). */
export const describe = show;

/** An int or a pair of ints ([h, w]) as a pair, each checked against min. */
export function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  if (typeof v === 'number') {
    checkInt(op, name, v, min);
    return [v, v];
  }
  if (Array.isArray(v) && v.length === 2) {
    checkInt(op, `${name}[0]`, v[0], min);
    checkInt(op, `${name}[1]`, v[1], min);
    return [v[0], v[1]];
  }
  throw new ArgumentError(op, `${name} must be an integer or a pair [h, w] of integers >= ${min}, got ${describe(v)}`);
}

/**
 * Sum a gradient back down to the shape of a broadcast operand: over the leading
 * axes it lacked and over the axes where it had size 1.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const off = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < off || (shape[i - off] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const r = axes.length ? kernel('Reduce')(g, { op: 'sum', axes }) : g;
  return new Tensor(r.data, shape);
}

/** Same data, new shape (contiguous tensors reshape for free); shares x's version counter. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return x.viewAs(shape);
}

/** Raw kernel calls without autograd, for backward rules and internal use. */
export function unary(op: UnaryOp, x: Tensor, attrs: { alpha?: number; beta?: number } = {}): Tensor {
  return kernel('Unary')(x, { op, ...attrs });
}

export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, name: string = op): Tensor {
  const outShape = broadcastShapes(name, a.shape, b.shape);
  return kernel('Binary')(a, b, { op, outShape });
}
