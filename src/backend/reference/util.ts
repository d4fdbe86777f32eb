import { allocate, promote, sizeOf, stridesOf, Tensor, type DType } from '../../tensor/index.js';

export function empty(shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), shape);
}

/** Strides of `shape` as seen from a broadcast `outShape`: 0 along stretched axes. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const s = stridesOf(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const off = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 ? 0 : s[i];
  return out;
}

/**
 * Visit every index of outShape in row-major order, calling fn(outIndex, offsets)
 * where offsets[k] is the flat offset into the k-th operand under its strides.
 */
export function forEachBroadcast(outShape: readonly number[], strides: number[][], fn: (i: number, offs: Int32Array) => void): void {
  const rank = outShape.length;
  const n = sizeOf(outShape);
  const k = strides.length;
  const idx = new Int32Array(rank);
  const offs = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    fn(i, offs);
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      for (let j = 0; j < k; j++) offs[j] += strides[j][ax];
      if (idx[ax] < outShape[ax]) break;
      for (let j = 0; j < k; j++) offs[j] -= strides[j][ax] * outShape[ax];
      idx[ax] = 0;
    }
  }
}

export { promote };
