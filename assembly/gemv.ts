// Products with few output points: the 4-rows-of-A kernel for outputs with fewer
// than 8 points, and row dot products for x·Wᵀ at small batch.
import { arg, argf, madd, next } from './common';

/**
 * gemm for outputs with fewer than 8 kept points per (n, g) (deep layers of small
 * images, matrix-vector products): vectorised over 4 rows of A instead of over
 * points. Same args and results as gemm; items are (n, g, panel).
 */
export function gemmn(a: usize, tid: i32, nth: i32): void {
  const A = <usize>arg(a, 0), aSN = arg(a, 1), aSG = arg(a, 2), K = arg(a, 3), off = <usize>arg(a, 4);
  const X = <usize>arg(a, 5), xSN = arg(a, 6), xSG = arg(a, 7), Y = <usize>arg(a, 8), ySN = arg(a, 9), ySG = arg(a, 10);
  const M = arg(a, 11), rows = arg(a, 12), N = arg(a, 13), G = arg(a, 14), bias = <usize>arg(a, 15);
  const Wq = arg(a, 16), outW = arg(a, 17), dR = arg(a, 18), dPm = arg(a, 19), r0 = arg(a, 20), rs = arg(a, 21), c0 = arg(a, 22), cs = arg(a, 23);
  const spill = <usize>arg(a, 24) + <usize>tid * <usize>arg(a, 25);
  const total = rows * outW;
  const panels = (M + 3) >> 2;
  const items = N * G * panels;
  for (let it = next(a); it < items; it = next(a)) {
    const p = it % panels;
    const t = it / panels;
    const g = t % G;
    const n = t / G;
    const m0 = p << 2;
    const Ap = A + ((<usize>n * aSN + <usize>g * aSG + <usize>p * K * 4) << 2);
    const Xb = X + ((<usize>n * xSN + <usize>g * xSG) << 2);
    const Yb = Y + ((<usize>n * ySN + <usize>g * ySG + <usize>m0 * dPm) << 2);
    let b = f32x4.splat(0);
    if (bias != 0) {
      const bb = bias + (<usize>(g * M + m0) << 2);
      b = f32x4.replace_lane(b, 0, load<f32>(bb));
      if (m0 + 1 < M) b = f32x4.replace_lane(b, 1, load<f32>(bb, 4));
      if (m0 + 2 < M) b = f32x4.replace_lane(b, 2, load<f32>(bb, 8));
      if (m0 + 3 < M) b = f32x4.replace_lane(b, 3, load<f32>(bb, 12));
    }
    if (total == 1) {
      // One output point (a 1×1 feature map, a matrix-vector product): 4 partial
      // sums over k, so that no multiply-add is spent on a repeated point.
      const xo = Xb;
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        const ko = off + (<usize>k << 2), ap = Ap + (<usize>k << 4);
        s0 = madd(v128.load(ap), v128.load32_splat(xo + (<usize>load<i32>(ko) << 2)), s0);
        s1 = madd(v128.load(ap, 16), v128.load32_splat(xo + (<usize>load<i32>(ko, 4) << 2)), s1);
        s2 = madd(v128.load(ap, 32), v128.load32_splat(xo + (<usize>load<i32>(ko, 8) << 2)), s2);
        s3 = madd(v128.load(ap, 48), v128.load32_splat(xo + (<usize>load<i32>(ko, 12) << 2)), s3);
      }
      for (; k < K; k++) s0 = madd(v128.load(Ap + (<usize>k << 4)), v128.load32_splat(xo + (<usize>load<i32>(off + (<usize>k << 2)) << 2)), s0);
      v128.store(spill, f32x4.add(b, f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3))));
      const o = (<usize>r0 * dR + c0) << 2;
      for (let r = 0; r < 4; r++) {
        if (m0 + r < M) store<f32>(Yb + <usize>r * (<usize>dPm << 2) + o, load<f32>(spill + (<usize>r << 2)));
      }
      continue;
    }
    for (let v0 = 0; v0 < total; v0 += 4) {
      // Up to 4 points at once; missing ones repeat the first.
      const q0r = v0 / outW, q0c = v0 - q0r * outW;
      const q0 = q0r * Wq + q0c;
      let qv1 = q0, qv2 = q0, qv3 = q0;
      if (v0 + 1 < total) { const r = (v0 + 1) / outW; qv1 = r * Wq + (v0 + 1 - r * outW); }
      if (v0 + 2 < total) { const r = (v0 + 2) / outW; qv2 = r * Wq + (v0 + 2 - r * outW); }
      if (v0 + 3 < total) { const r = (v0 + 3) / outW; qv3 = r * Wq + (v0 + 3 - r * outW); }
      let c0v = b, c1v = b, c2v = b, c3v = b;
      for (let k = 0; k < K; k++) {
        const w = v128.load(Ap + (<usize>k << 4));
        const xo = Xb + (<usize>load<i32>(off + (<usize>k << 2)) << 2);
        c0v = madd(w, v128.load32_splat(xo + (<usize>q0 << 2)), c0v);
        c1v = madd(w, v128.load32_splat(xo + (<usize>qv1 << 2)), c1v);
        c2v = madd(w, v128.load32_splat(xo + (<usize>qv2 << 2)), c2v);
        c3v = madd(w, v128.load32_splat(xo + (<usize>qv3 << 2)), c3v);
      }
      v128.store(spill, c0v); v128.store(spill, c1v, 16); v128.store(spill, c2v, 32); v128.store(spill, c3v, 48);
      for (let j = 0; j < 4 && v0 + j < total; j++) {
        const v = v0 + j;
        const rr = v / outW, cc = v - rr * outW;
        const o = (<usize>(r0 + rr * rs) * dR + c0 + cc * cs) << 2;
        for (let r = 0; r < 4; r++) {
          if (m0 + r < M) store<f32>(Yb + <usize>r * (<usize>dPm << 2) + o, load<f32>(spill + (<usize>(j * 4 + r) << 2)));
        }
      }
    }
  }
}

/**
 * Y[p][b][n] = Σ_k X[p][b][k] · W[p][n][k] for a few rows b (x·Wᵀ, a linear layer at
 * small batch): each output is a dot product of two contiguous rows, so W streams
 * through once at memory speed with no packing. Items are (p, block of 4 n); rows b
 * go in pairs (8 accumulators); each dot is summed over k in 4 lanes, then the lanes
 * in a fixed order, so results do not depend on the thread count.
 * args: X, W, Y, P, B, K, N, xStrideP, wStrideP, scratch (32 bytes per thread)
 */
export function rowdot(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), W = <usize>arg(a, 1), Y = <usize>arg(a, 2), P = arg(a, 3), B = arg(a, 4), K = arg(a, 5), N = arg(a, 6);
  const xSP = arg(a, 7), wSP = arg(a, 8);
  const S = <usize>arg(a, 9) + (<usize>tid << 5);
  const nb = (N + 3) >> 2;
  const K4 = K & ~3;
  const kb = <usize>K << 2;
  for (let it = next(a); it < P * nb; it = next(a)) {
    const p = it / nb, n0 = (it - p * nb) << 2;
    const Wp = W + (<usize>p * wSP << 2);
    // Rows past N repeat the last one (their results are not stored).
    const w0 = Wp + <usize>n0 * kb;
    const w1 = n0 + 1 < N ? w0 + kb : w0, w2 = n0 + 2 < N ? w0 + 2 * kb : w0, w3 = n0 + 3 < N ? w0 + 3 * kb : w0;
    for (let b = 0; b < B; b += 2) {
      const x0 = X + ((<usize>p * xSP + <usize>b * K) << 2);
      const x1 = b + 1 < B ? x0 + kb : x0;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k << 2;
        const u = v128.load(x0 + o), v = v128.load(x1 + o);
        const r0 = v128.load(w0 + o), r1 = v128.load(w1 + o), r2 = v128.load(w2 + o), r3 = v128.load(w3 + o);
        a0 = madd(r0, u, a0); a1 = madd(r1, u, a1); a2 = madd(r2, u, a2); a3 = madd(r3, u, a3);
        c0 = madd(r0, v, c0); c1 = madd(r1, v, c1); c2 = madd(r2, v, c2); c3 = madd(r3, v, c3);
      }
      // Lane sums of the 4 accumulators of row b (then b + 1) as one vector over n.
      const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
      let s = f32x4.add(f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7)),
        f32x4.add(v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), v128.shuffle<f32>(t2, t3, 2, 3, 6, 7)));
      const e0 = v128.shuffle<f32>(c0, c1, 0, 4, 1, 5), e1 = v128.shuffle<f32>(c2, c3, 0, 4, 1, 5);
      const e2 = v128.shuffle<f32>(c0, c1, 2, 6, 3, 7), e3 = v128.shuffle<f32>(c2, c3, 2, 6, 3, 7);
      let z = f32x4.add(f32x4.add(v128.shuffle<f32>(e0, e1, 0, 1, 4, 5), v128.shuffle<f32>(e0, e1, 2, 3, 6, 7)),
        f32x4.add(v128.shuffle<f32>(e2, e3, 0, 1, 4, 5), v128.shuffle<f32>(e2, e3, 2, 3, 6, 7)));
      for (let k = K4; k < K; k++) {
        const o = <usize>k << 2;
        const w = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(w0 + o)), 1, load<f32>(w1 + o)), 2, load<f32>(w2 + o)), 3, load<f32>(w3 + o));
        s = madd(w, v128.load32_splat(x0 + o), s);
        z = madd(w, v128.load32_splat(x1 + o), z);
      }
      const y0 = Y + ((<usize>(p * B + b) * <usize>N + <usize>n0) << 2);
      const y1 = y0 + (<usize>N << 2);
      if (n0 + 4 <= N) {
        v128.store(y0, s);
        if (b + 1 < B) v128.store(y1, z);
      } else {
        v128.store(S, s);
        v128.store(S, z, 16);
        for (let r = 0; n0 + r < N; r++) {
          store<f32>(y0 + (<usize>r << 2), load<f32>(S + (<usize>r << 2)));
          if (b + 1 < B) store<f32>(y1 + (<usize>r << 2), load<f32>(S + 16 + (<usize>r << 2)));
        }
      }
    }
  }
}
