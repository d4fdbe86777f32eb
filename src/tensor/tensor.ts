import { allocate, dtypeOf, isDType, type DataArray, type DType } from './dtype.js';
import { ArgumentError, DTypeError, ShapeError, formatShape, show } from './errors.js';
import { sizeOf, checkShape, type Shape } from './shape.js';
import { globalRNG, type RNG } from './rng.js';
import { formatTensor } from './format.js';

/**
 * The node an op leaves on its output so that autograd can walk back to the
 * inputs. Declared structurally here so tensor/ needs nothing from above it.
 */
export interface GradNode {
  readonly name: string;
  /** Emptied, with `backward` replaced by a thrower, once a backward() has released the graph. */
  inputs: readonly Tensor[];
  /** Given dL/d(output), return dL/d(input) for each input (null where none flows). */
  backward(grad: Tensor): (Tensor | null)[];
}

/** A dense, contiguous, row-major n-dimensional array. */
export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: DataArray;
  /** Leaf tensors with requiresGrad collect gradients in `grad` on backward(). */
  requiresGrad: boolean;
  grad: Tensor | null = null;
  /** Set by ops on results that depend on a tensor requiring grad. */
  gradFn: GradNode | null = null;
  /**
   * The data's modification counter, shared by every view of the same data: caches
   * of derived layouts (packed weights) key on it and refresh when `n` moves.
   */
  readonly versionCounter: { n: number };

  constructor(data: DataArray, shape: Shape, requiresGrad = false, versionCounter: { n: number } = { n: 0 }) {
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new ShapeError('Tensor', `${n} elements for shape ${formatShape(shape)}`, `${data.length} elements`);
    }
    this.data = data;
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtypeOf(data);
    this.requiresGrad = requiresGrad;
    this.versionCounter = versionCounter;
  }

  /** Bumped on every in-place change of the data (through this tensor or any view of it). */
  get version(): number {
    return this.versionCounter.n;
  }

  /** A tensor over the same data with another shape (no autograd); it shares the version counter. */
  viewAs(shape: Shape): Tensor {
    return new Tensor(this.data, shape, false, this.versionCounter);
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** True for tensors not produced by a recorded op (parameters, inputs). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new ShapeError('item', 'a tensor with exactly one element', this.shape);
    return this.data[0];
  }

  /** Nested JavaScript arrays (a number for a scalar). */
  toArray(): NestedArray {
    return nest(this.data, this.shape, 0, 0);
  }

  /** A flat copy of the values as a plain array. */
  toFlatArray(): number[] {
    return Array.from(this.data);
  }

  /** Record that the data was changed in place. */
  markModified(): void {
    this.versionCounter.n++;
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export type NestedArray = number | NestedArray[];

function nest(data: DataArray, shape: Shape, axis: number, offset: number): NestedArray {
  if (axis === shape.length) return data[offset];
  const out: NestedArray[] = [];
  const stride = sizeOf(shape.slice(axis + 1));
  for (let i = 0; i < shape[axis]; i++) out.push(nest(data, shape, axis + 1, offset + i * stride));
  return out;
}

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export type TensorLike = NestedArray | boolean | DataArray | readonly number[];

function checkDType(op: string, dtype: unknown): DType {
  if (!isDType(dtype)) throw new DTypeError(op, 'float32, float64 or int32', show(dtype));
  return dtype;
}

function inferShape(value: unknown, op: string): number[] {
  const shape: number[] = [];
  let v: unknown = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return checkShape(op, shape);
}

function fill(value: unknown, shape: number[], axis: number, out: DataArray, pos: { i: number }, op: string): void {
  if (axis === shape.length) {
    const x = typeof value === 'boolean' ? Number(value) : value;
    if (typeof x !== 'number') throw new ArgumentError(op, `expected a number at index ${pos.i}, got ${typeof value}`);
    out[pos.i++] = x;
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[axis]) {
    throw new ShapeError(op, `a rectangular nested array of shape ${formatShape(shape)}`, 'a ragged array', `axis ${axis} length differs`);
  }
  for (const v of value) fill(v, shape, axis + 1, out, pos, op);
}

/** Make a tensor from a number, nested arrays or a typed array (as torch.tensor). */
export function tensor(value: TensorLike | number, opts: TensorOptions & { shape?: Shape } = {}): Tensor {
  const op = 'tensor';
  let dtype: DType | undefined = opts.dtype === undefined ? undefined : checkDType(op, opts.dtype);
  if (ArrayBuffer.isView(value)) {
    const src = value as DataArray;
    const shape = opts.shape ? checkShape(op, opts.shape) : [src.length];
    dtype ??= dtypeOf(src);
    const data = allocate(dtype, src.length, op, shape);
    data.set(src);
    return new Tensor(data, shape, opts.requiresGrad ?? false);
  }
  const shape = typeof value === 'number' || typeof value === 'boolean' ? [] : inferShape(value, op);
  const data = allocate(dtype ?? 'float32', sizeOf(shape), op, shape);
  fill(value, shape, 0, data, { i: 0 }, op);
  const t = new Tensor(data, shape, opts.requiresGrad ?? false);
  if (opts.shape) {
    const target = checkShape(op, opts.shape);
    if (sizeOf(target) !== data.length) throw new ShapeError(op, `${sizeOf(target)} values for shape ${formatShape(target)}`, shape);
    return new Tensor(data, target, t.requiresGrad);
  }
  return t;
}

function filled(op: string, shape: Shape, value: number, opts: TensorOptions): Tensor {
  const s = checkShape(op, shape);
  const data = allocate(checkDType(op, opts.dtype ?? 'float32'), sizeOf(s), op, s);
  if (value !== 0) data.fill(value);
  return new Tensor(data, s, opts.requiresGrad ?? false);
}

export const full = (shape: Shape, value: number, opts: TensorOptions = {}): Tensor => filled('full', shape, value, opts);
export const zeros = (shape: Shape, opts: TensorOptions = {}): Tensor => filled('zeros', shape, 0, opts);
export const ones = (shape: Shape, opts: TensorOptions = {}): Tensor => filled('ones', shape, 1, opts);

export function zerosLike(t: Tensor): Tensor {
  return new Tensor(allocate(t.dtype, t.size), t.shape);
}

/** Values start, start+step, … below end (as torch.arange). */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new ArgumentError('arange', `step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(checkDType('arange', opts.dtype ?? 'float32'), n, 'arange', [n]);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], opts.requiresGrad ?? false);
}

export interface RandomOptions extends TensorOptions {
  rng?: RNG;
}

/** Standard normal samples from the seeded generator. */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  const s = checkShape('randn', shape);
  const rng = opts.rng ?? globalRNG;
  const data = allocate(checkDType('randn', opts.dtype ?? 'float32'), sizeOf(s), 'randn', s);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return new Tensor(data, s, opts.requiresGrad ?? false);
}

/** Uniform samples in [low, high). */
export function rand(shape: Shape, opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const s = checkShape('rand', shape);
  const rng = opts.rng ?? globalRNG;
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  const data = allocate(checkDType('rand', opts.dtype ?? 'float32'), sizeOf(s), 'rand', s);
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.random();
  return new Tensor(data, s, opts.requiresGrad ?? false);
}

/** Uniform integers in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ArgumentError('randint', `needs integers low < high, got low=${low}, high=${high}`);
  }
  const s = checkShape('randint', shape);
  const rng = opts.rng ?? globalRNG;
  const data = allocate(checkDType('randint', opts.dtype ?? 'int32'), sizeOf(s), 'randint', s);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(low, high);
  return new Tensor(data, s, false);
}

/** A one-hot float tensor of shape [...indices.shape, numClasses]. */
export function oneHot(indices: Tensor, numClasses: number, dtype: DType = 'float32'): Tensor {
  if (indices.dtype !== 'int32') throw new DTypeError('oneHot', 'int32 class indices', indices.dtype);
  const out = allocate(dtype, indices.size * numClasses, 'oneHot', [...indices.shape, numClasses]);
  for (let i = 0; i < indices.size; i++) {
    const c = indices.data[i];
    if (c < 0 || c >= numClasses) throw new ArgumentError('oneHot', `class index ${c} at position ${i} is outside [0, ${numClasses})`);
    out[i * numClasses + c] = 1;
  }
  return new Tensor(out, [...indices.shape, numClasses]);
}
