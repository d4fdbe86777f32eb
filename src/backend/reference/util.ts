import { allocate, promote, sizeOf, stridesOf, Tensor, type DType } from '../../tensor/index.js';

export function empty(shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape), undefined, shape), shape);
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
 * Merge neighbouring axes that every operand walks contiguously (stride[i] =
 * stride[i+1]·shape[i+1]) so loops run over long rows: [64, 6, 28, 28] + [6, 1, 1]
 * becomes [64, 6, 784] with strides [0, 1, 0] for the bias.
 */
function collapse(shape: readonly number[], strides: number[][]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let ax = 0; ax < shape.length; ax++) {
    if (shape[ax] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[ax] * shape[ax])) {
      outShape[last] *= shape[ax];
      strides.forEach((s, k) => (outStrides[k][last] = s[ax]));
    } else {
      outShape.push(shape[ax]);
      strides.forEach((s, k) => outStrides[k].push(s[ax]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Visit outShape row by row in row-major order: fn(outStart, offsets, n, inner)
 * covers outputs outStart … outStart+n−1; operand k starts at offsets[k] and
 * steps by inner[k]. Rows are as long as the operands' layouts allow.
 */
export function forEachRow(
  outShape: readonly number[],
  strides: number[][],
  fn: (outStart: number, offs: Int32Array, n: number, inner: Int32Array) => void,
): void {
  const total = sizeOf(outShape);
  if (total === 0) return;
  const c = collapse(outShape, strides);
  if (c.shape.length === 0) {
    c.shape.push(1);
    c.strides.forEach((s) => s.push(0));
  }
  const rank = c.shape.length;
  const k = strides.length;
  const n = c.shape[rank - 1];
  const inner = Int32Array.from(c.strides.map((s) => s[rank - 1]));
  const idx = new Int32Array(rank);
  const offs = new Int32Array(k);
  for (let o = 0; o < total; o += n) {
    fn(o, offs, n, inner);
    for (let ax = rank - 2; ax >= 0; ax--) {
      idx[ax]++;
      for (let j = 0; j < k; j++) offs[j] += c.strides[j][ax];
      if (idx[ax] < c.shape[ax]) break;
      for (let j = 0; j < k; j++) offs[j] -= c.strides[j][ax] * c.shape[ax];
      idx[ax] = 0;
    }
  }
}

export { promote };
