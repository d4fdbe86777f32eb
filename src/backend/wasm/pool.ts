import type { KernelSignatures } from '../kernels.js';
import { referenceBackend } from '../reference/index.js';
import { Arena, out, runtime } from './heap.js';

/*
 * Adaptive (and global) average pooling on the wasm heap (assembly/pool.ts),
 * float32: one plane per work item, the reference's float64 sums, so the same
 * bits as the reference. In a ResNet-18 training step at 32×32 the reference's
 * loops (both directions) were the largest kernels left outside wasm.
 */

const ref = referenceBackend.kernels;

export const AdaptiveAvgPool2D: KernelSignatures['AdaptiveAvgPool2D'] = (x, attrs) => {
  if (x.dtype !== 'float32' || x.shape.length !== 4) return ref.AdaptiveAvgPool2D(x, attrs);
  const [N, C, H, W] = x.shape;
  const { outH, outW } = attrs;
  const rt = runtime();
  const ar = new Arena();
  try {
    const n = N * C * outH * outW;
    const src = ar.put(x.data as Float32Array);
    const y = ar.alloc(n);
    rt.run('adaptavg', [src, y, N * C, H, W, outH, outW], x.size);
    return out(y, n, [N, C, outH, outW]);
  } finally {
    ar.done();
  }
};

export const AdaptiveAvgPool2DGrad: KernelSignatures['AdaptiveAvgPool2DGrad'] = (dy, attrs) => {
  if (dy.dtype !== 'float32' || dy.shape.length !== 4) return ref.AdaptiveAvgPool2DGrad(dy, attrs);
  const [N, C, outH, outW] = dy.shape;
  const { inH, inW } = attrs;
  const rt = runtime();
  const ar = new Arena();
  try {
    const n = N * C * inH * inW;
    const src = ar.put(dy.data as Float32Array);
    const dx = ar.alloc(n);
    rt.run('adaptavggrad', [src, dx, N * C, inH, inW, outH, outW], n);
    return out(dx, n, [N, C, inH, inW]);
  } finally {
    ar.done();
  }
};
