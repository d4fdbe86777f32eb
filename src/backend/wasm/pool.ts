import { Tensor } from '../../tensor/index.js';
import type { KernelSignatures, Pool2DInfo } from '../kernels.js';
import { referenceBackend } from '../reference/index.js';
import { Arena, isF32, out, rt } from './heap.js';

/*
 * Pooling on the wasm heap (assembly/pool.ts and the pooling kernels of
 * assembly/kernels.ts), float32; other dtypes go to the reference kernels.
 * Adaptive (and global) average pooling takes one plane per work item with the
 * reference's float64 sums, so the same bits as the reference: in a ResNet-18
 * training step at 32×32 the reference's loops (both directions) were the
 * largest kernels left outside wasm.
 */

const ref = referenceBackend.kernels;

function poolArgs(p: Pool2DInfo, src: number, dst: number, am: number): number[] {
  return [src, dst, am, p.batch * p.channels, p.inH, p.inW, p.outH, p.outW, p.kH, p.kW, p.strideH, p.strideW, p.padTop, p.padLeft, p.dilationH, p.dilationW, p.countIncludePad ? 1 : 0, p.padH, p.padW];
}

export const MaxPool2D: KernelSignatures['MaxPool2D'] = (x, p) => {
  if (!isF32(x)) return ref.MaxPool2D(x, p);
  const ar = new Arena();
  try {
    const n = p.batch * p.channels * p.outH * p.outW;
    const src = ar.put(x.data as Float32Array);
    const y = ar.alloc(n);
    const am = ar.alloc(n);
    rt.run('maxpool', poolArgs(p, src, y, am), n * p.kH * p.kW);
    const shape = [p.batch, p.channels, p.outH, p.outW];
    const idx = new Int32Array(n);
    idx.set(rt.i32().subarray(am >> 2, (am >> 2) + n));
    return { y: out(y, n, shape), argmax: new Tensor(idx, shape) };
  } finally {
    ar.done();
  }
};

export const MaxPool2DGrad: KernelSignatures['MaxPool2DGrad'] = (dy, argmax, p) => {
  if (!isF32(dy)) return ref.MaxPool2DGrad(dy, argmax, p);
  const ar = new Arena();
  try {
    const n = p.batch * p.channels * p.inH * p.inW;
    const src = ar.put(dy.data as Float32Array);
    const am = ar.putInt(argmax.data as Int32Array);
    const dx = ar.alloc(n);
    rt.run('maxpoolgrad', poolArgs(p, src, dx, am), n);
    return out(dx, n, [p.batch, p.channels, p.inH, p.inW]);
  } finally {
    ar.done();
  }
};

export const AvgPool2D: KernelSignatures['AvgPool2D'] = (x, p) => {
  if (!isF32(x)) return ref.AvgPool2D(x, p);
  const ar = new Arena();
  try {
    const n = p.batch * p.channels * p.outH * p.outW;
    const src = ar.put(x.data as Float32Array);
    const y = ar.alloc(n);
    rt.run('avgpool', poolArgs(p, src, y, 0), n * p.kH * p.kW);
    return out(y, n, [p.batch, p.channels, p.outH, p.outW]);
  } finally {
    ar.done();
  }
};

export const AvgPool2DGrad: KernelSignatures['AvgPool2DGrad'] = (dy, p) => {
  if (!isF32(dy)) return ref.AvgPool2DGrad(dy, p);
  const ar = new Arena();
  try {
    const n = p.batch * p.channels * p.inH * p.inW;
    const src = ar.put(dy.data as Float32Array);
    const dx = ar.alloc(n);
    rt.run('avgpoolgrad', poolArgs(p, src, dx, 0), p.batch * p.channels * p.outH * p.outW * p.kH * p.kW);
    return out(dx, n, [p.batch, p.channels, p.inH, p.inW]);
  } finally {
    ar.done();
  }
};


export const AdaptiveAvgPool2D: KernelSignatures['AdaptiveAvgPool2D'] = (x, attrs) => {
  if (x.dtype !== 'float32' || x.shape.length !== 4) return ref.AdaptiveAvgPool2D(x, attrs);
  const [N, C, H, W] = x.shape;
  const { outH, outW } = attrs;
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
