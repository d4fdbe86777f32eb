import { ones, type Tensor } from '../tensor/index.js';
import { avgPool2d, div, maxPool2d, pad } from '../ops/index.js';

/*
 * Pooling with any begin/end padding, as ONNX and TensorFlow ('same') define it.
 * Receptive's pools take symmetric padding of at most half the window (PyTorch's
 * rule); other paddings pad explicitly: with −∞ for max pooling, and for average
 * pooling that excludes padding, by dividing by the share of each window that lies
 * on the input.
 */
export interface PaddedPool {
  kernel: [number, number];
  stride: [number, number];
  dilation?: [number, number];
  /** [top, left] and [bottom, right]. */
  begin: number[];
  end: number[];
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

export function poolWithPads(x: Tensor, kind: 'max' | 'avg', p: PaddedPool): Tensor {
  const { kernel: k, begin, end } = p;
  const opts = { kernelSize: k, stride: p.stride, ceilMode: p.ceilMode ?? false };
  const symmetric = begin[0] === end[0] && begin[1] === end[1] && begin[0] <= k[0] / 2 && begin[1] <= k[1] / 2;
  const pads = [[0, 0], [0, 0], [begin[0], end[0]], [begin[1], end[1]]] as const;
  if (kind === 'max') {
    if (symmetric) return maxPool2d(x, { ...opts, dilation: p.dilation, padding: [begin[0], begin[1]] });
    return maxPool2d(pad(x, pads, -Infinity), { ...opts, dilation: p.dilation });
  }
  const countIncludePad = p.countIncludePad ?? false;
  if (symmetric) return avgPool2d(x, { ...opts, padding: [begin[0], begin[1]], countIncludePad });
  const sumPool = avgPool2d(pad(x, pads), { ...opts, countIncludePad: true });
  if (countIncludePad) return sumPool;
  const share = avgPool2d(pad(ones(x.shape, { dtype: x.dtype }), pads), { ...opts, countIncludePad: true });
  return div(sumPool, share);
}
