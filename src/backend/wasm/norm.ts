import type { Tensor } from '../../tensor/index.js';
import type { KernelSignatures } from '../kernels.js';
import { referenceBackend } from '../reference/index.js';
import { Arena, f32bits, isF32, out, rt } from './heap.js';

/*
 * Batch normalisation's per-channel kernels (assembly/norm.ts): statistics per
 * channel (one work item each), the affine pass per (n, c) plane. Float64
 * tensors go to the reference kernels.
 */

const ref = referenceBackend.kernels;

function dims(x: Tensor): [number, number, number] {
  const N = x.shape[0];
  const C = x.shape[1];
  return [N, C, N * C === 0 ? 0 : x.size / (N * C)];
}

export const ChannelMoments: KernelSignatures['ChannelMoments'] = (x) => {
  if (!isF32(x) || x.size === 0) return ref.ChannelMoments(x);
  const [N, C, S] = dims(x);
  const ar = new Arena();
  try {
    const mean = ar.alloc(C);
    const variance = ar.alloc(C);
    rt.run('chmoments', [ar.put(x.data as Float32Array), N, C, S, mean, variance], 2 * x.size);
    return { mean: out(mean, C, [C]), variance: out(variance, C, [C]) };
  } finally {
    ar.done();
  }
};

export const ChannelDots: KernelSignatures['ChannelDots'] = (a, b, center) => {
  if (!isF32(a, b, center) || a.size === 0) return ref.ChannelDots(a, b, center);
  const [N, C, S] = dims(a);
  const ar = new Arena();
  try {
    const sum = ar.alloc(C);
    const dot = ar.alloc(C);
    rt.run('chdots', [ar.put(a.data as Float32Array), ar.put(b.data as Float32Array), N, C, S, ar.put(center.data as Float32Array), sum, dot], 2 * a.size);
    return { sum: out(sum, C, [C]), dot: out(dot, C, [C]) };
  } finally {
    ar.done();
  }
};

export const ChannelAffine: KernelSignatures['ChannelAffine'] = (u, v, attrs) => {
  const { scale, vScale, shift } = attrs;
  const coefs = vScale ? [scale, vScale, shift] : [scale, shift];
  if (!isF32(u, ...coefs) || (v && !isF32(v)) || u.size === 0) return ref.ChannelAffine(u, v, attrs);
  const [N, C, S] = dims(u);
  const ar = new Arena();
  try {
    const y = ar.alloc(u.size);
    const V = v && vScale ? ar.put(v.data as Float32Array) : 0;
    const put = (t: Tensor) => ar.put(t.data as Float32Array);
    rt.run('chaffine', [put(u), V, y, N, C, S, put(scale), vScale ? put(vScale) : 0, put(shift)], u.size);
    return out(y, u.size, u.shape);
  } finally {
    ar.done();
  }
};

export const LocalResponseNorm: KernelSignatures['LocalResponseNorm'] = (x, info) => {
  if (!isF32(x) || x.size === 0) return ref.LocalResponseNorm(x, info);
  const [N, C, S] = dims(x);
  const ar = new Arena();
  try {
    const y = ar.alloc(x.size);
    const scale = ar.alloc(x.size);
    const scratch = ar.alloc(16 * rt.getThreads());
    rt.run('lrn', [ar.put(x.data as Float32Array), y, scale, N, C, S, info.size, f32bits(info.alpha), f32bits(info.beta), f32bits(info.k), scratch], x.size * info.size);
    return { y: out(y, x.size, x.shape), scale: out(scale, x.size, x.shape) };
  } finally {
    ar.done();
  }
};

export const LocalResponseNormGrad: KernelSignatures['LocalResponseNormGrad'] = (dy, x, y, scale, info) => {
  if (!isF32(dy, x, y, scale) || x.size === 0) return ref.LocalResponseNormGrad(dy, x, y, scale, info);
  const [N, C, S] = dims(x);
  const ar = new Arena();
  try {
    const dx = ar.alloc(x.size);
    const scratch = ar.alloc(16 * rt.getThreads());
    const put = (t: Tensor) => ar.put(t.data as Float32Array);
    rt.run('lrngrad', [put(dy), put(x), put(y), put(scale), dx, N, C, S, info.size, f32bits(info.alpha), f32bits(info.beta), scratch], x.size * info.size);
    return out(dx, x.size, x.shape);
  } finally {
    ar.done();
  }
};
