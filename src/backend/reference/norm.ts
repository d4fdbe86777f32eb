import type { KernelSignatures } from '../kernels.js';
import { empty } from './util.js';
import type { Tensor } from '../../tensor/index.js';

/*
 * The per-channel kernels batch normalisation is built from. x is [N, C, ...]:
 * channel c owns the planes (n, c), each S = size / (N·C) values long. Sums are
 * accumulated in double, the variance in two passes (mean first), so that the
 * statistics of float32 data are exact to float32 rounding.
 */

function dims(x: Tensor): { N: number; C: number; S: number } {
  const N = x.shape[0];
  const C = x.shape[1];
  return { N, C, S: N * C === 0 ? 0 : x.size / (N * C) };
}

export const ChannelMoments: KernelSignatures['ChannelMoments'] = (x) => {
  const { N, C, S } = dims(x);
  const mean = empty([C], x.dtype);
  const variance = empty([C], x.dtype);
  const d = x.data;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) s += d[i];
    const m = s / (N * S);
    let q = 0;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
        const t = d[i] - m;
        q += t * t;
      }
    }
    mean.data[c] = m;
    variance.data[c] = q / (N * S);
  }
  return { mean, variance };
};

export const ChannelDots: KernelSignatures['ChannelDots'] = (a, b, center) => {
  const { N, C, S } = dims(a);
  const sum = empty([C], a.dtype);
  const dot = empty([C], a.dtype);
  for (let c = 0; c < C; c++) {
    const m = center.data[c];
    let s = 0;
    let p = 0;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
        s += a.data[i];
        p += a.data[i] * (b.data[i] - m);
      }
    }
    sum.data[c] = s;
    dot.data[c] = p;
  }
  return { sum, dot };
};

export const ChannelAffine: KernelSignatures['ChannelAffine'] = (u, v, { scale, vScale, shift }) => {
  const { N, C, S } = dims(u);
  const y = empty(u.shape, u.dtype);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const a = scale.data[c];
      const k = shift.data[c];
      const o = (n * C + c) * S;
      if (v && vScale) {
        const b = vScale.data[c];
        for (let i = o; i < o + S; i++) y.data[i] = a * u.data[i] + b * v.data[i] + k;
      } else {
        for (let i = o; i < o + S; i++) y.data[i] = a * u.data[i] + k;
      }
    }
  }
  return y;
};

/*
 * Local response normalisation (Krizhevsky et al. 2012, as torch.nn.LocalResponseNorm):
 * channel c is normalised by the squares of the channels in its window
 * [c − lo, c + hi], lo = ⌊size/2⌋, hi = ⌊(size − 1)/2⌋. In the gradient, channel c
 * receives from every channel c″ whose window holds c: c″ in [c − hi, c + lo].
 */
export const LocalResponseNorm: KernelSignatures['LocalResponseNorm'] = (x, { size, alpha, beta, k }) => {
  const { N, C, S } = dims(x);
  const y = empty(x.shape, x.dtype);
  const scale = empty(x.shape, x.dtype);
  const lo = size >> 1;
  const hi = (size - 1) >> 1;
  const d = x.data;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const c0 = Math.max(0, c - lo);
      const c1 = Math.min(C - 1, c + hi);
      for (let s = 0; s < S; s++) {
        let q = 0;
        for (let j = c0; j <= c1; j++) {
          const v = d[(n * C + j) * S + s];
          q += v * v;
        }
        const i = (n * C + c) * S + s;
        const sc = k + (alpha / size) * q;
        scale.data[i] = sc;
        y.data[i] = d[i] * Math.pow(sc, -beta);
      }
    }
  }
  return { y, scale };
};

export const LocalResponseNormGrad: KernelSignatures['LocalResponseNormGrad'] = (dy, x, y, scale, { size, alpha, beta }) => {
  const { N, C, S } = dims(x);
  const dx = empty(x.shape, x.dtype);
  const lo = size >> 1;
  const hi = (size - 1) >> 1;
  const f = (2 * alpha * beta) / size;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const c0 = Math.max(0, c - hi);
      const c1 = Math.min(C - 1, c + lo);
      for (let s = 0; s < S; s++) {
        let q = 0;
        for (let j = c0; j <= c1; j++) {
          const o = (n * C + j) * S + s;
          q += (dy.data[o] * y.data[o]) / scale.data[o];
        }
        const i = (n * C + c) * S + s;
        dx.data[i] = dy.data[i] * Math.pow(scale.data[i], -beta) - f * x.data[i] * q;
      }
    }
  }
  return dx;
};
