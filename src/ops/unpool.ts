/*
 * Max unpooling (Zeiler & Fergus's "switches"; Hung-yi Lee's unpooling slide):
 * each value goes back to the position its window's max came from, as recorded by
 * maxPool2dWithIndices, and every other position is zero. It is the adjoint of max
 * pooling with those switches, so its backward gathers the gradient at them.
 */
import { record } from '../autograd/index.js';
import { ArgumentError, ShapeError, Tensor, allocate } from '../tensor/index.js';
import { maxPool2dWithIndices, type MaxPool2dOptions } from './pool.js';

export interface MaxUnpool2dOptions {
  /** [H, W] of the unpooled output: the pooled input's size (needed when the pooling dropped rows or columns). */
  outputSize: readonly [number, number];
}

/** Scatter x [N, C, h, w] to [N, C, H, W] at `indices` (int32 flat positions within each H×W plane). */
export function maxUnpool2d(x: Tensor, indices: Tensor, opts: MaxUnpool2dOptions): Tensor {
  const op = 'maxUnpool2d';
  if (!(x instanceof Tensor) || x.rank !== 4) throw new ShapeError(op, 'input [N, C, h, w]', x instanceof Tensor ? x.shape : []);
  if (!(indices instanceof Tensor) || indices.dtype !== 'int32') throw new ArgumentError(op, 'indices must be the int32 tensor maxPool2dWithIndices returns');
  if (indices.shape.join() !== x.shape.join()) throw new ShapeError(op, `indices of the input's shape [${x.shape.join(', ')}]`, indices.shape);
  const [H, W] = opts?.outputSize ?? [];
  if (!Number.isInteger(H) || !Number.isInteger(W) || H < 1 || W < 1) throw new ArgumentError(op, `outputSize must be [H, W] of positive integers, got ${JSON.stringify(opts?.outputSize)}`);
  const [N, C, h, w] = x.shape;
  const plane = H * W;
  const out = allocate(x.dtype, N * C * plane);
  for (let p = 0; p < N * C; p++) {
    for (let i = 0; i < h * w; i++) {
      const k = indices.data[p * h * w + i];
      if (k < 0 || k >= plane) throw new ArgumentError(op, `index ${k} at flat position ${p * h * w + i} is outside the ${H}x${W} output plane`);
      out[p * plane + k] = x.data[p * h * w + i];
    }
  }
  const y = new Tensor(out, [N, C, H, W]);
  return record(op, y, [x], (g) => {
    const gx = allocate(g.dtype, x.size);
    for (let p = 0; p < N * C; p++) for (let i = 0; i < h * w; i++) gx[p * h * w + i] = g.data[p * plane + indices.data[p * h * w + i]];
    return [new Tensor(gx, x.shape)];
  });
}

/** The switches of a max pooling: where each window's max sits (maxPool2dWithIndices' indices). */
export function maxPoolSwitches(x: Tensor, opts: MaxPool2dOptions): Tensor {
  return maxPool2dWithIndices(x, opts).indices;
}
