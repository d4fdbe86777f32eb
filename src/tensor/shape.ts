import { ArgumentError, ResourceError, ShapeError, formatShape, show } from './errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new ArgumentError(op, `shape must be an array of non-negative integers, got ${show(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ArgumentError(op, `shape must hold non-negative integers, got ${show(shape)}`);
    }
  }
  let n = 1;
  for (const d of shape) n *= d;
  // The element limit of dtype.ts (MAX_TENSOR_ELEMENTS; the byte limit needs the dtype and is checked by allocate).
  if (n > 2 ** 31 - 1) {
    throw new ResourceError(op, `shape ${show(shape)} has ${n.toLocaleString('en-US')} elements; a tensor may hold at most 2,147,483,647 (2^31 − 1)`, n * 4, 2 ** 32);
  }
  return shape.slice() as number[];
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting: align from the right, a 1 stretches to the other size. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(op, `shapes that broadcast (equal sizes or 1 on each axis)`, `${formatShape(a)} and ${formatShape(b)}`, `axis ${i - n} has ${da} vs ${db}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalise a possibly negative axis against a rank, with a clear error. */
export function normAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ArgumentError(op, `axis ${show(axis)} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}
