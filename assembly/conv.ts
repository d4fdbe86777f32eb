// Convolution layout and gradient kernels around the GEMM: the padded,
// phase-split input layout, the filter gradient and col2im.
import { arg, argf, madd, next } from './common';

/**
 * Pad and phase-split planes. src: P planes of H×W. dst: P planes, each of
 * sh·sw phases of Hq×Wq, plane stride dstStride (floats, >= sh·sw·Hq·Wq; the
 * tail is zero-filled). dst[p][ph][pw][i][j] = src[p][i·sh + ph − padT][j·sw + pw − padL] or 0.
 * args: src, dst, P, H, W, padT, padL, sh, sw, Hq, Wq, dstStride
 */
export function prep(a: usize, tid: i32, nth: i32): void {
  const src = <usize>arg(a, 0), dst = <usize>arg(a, 1), P = arg(a, 2), H = arg(a, 3), W = arg(a, 4);
  const padT = arg(a, 5), padL = arg(a, 6), sh = arg(a, 7), sw = arg(a, 8), Hq = arg(a, 9), Wq = arg(a, 10), ds = arg(a, 11);
  for (let p = next(a); p < P; p = next(a)) {
    const s = src + (<usize>p * H * W << 2);
    const d = dst + (<usize>p * ds << 2);
    let o = d;
    for (let ph = 0; ph < sh; ph++) {
      for (let pw = 0; pw < sw; pw++) {
        for (let i = 0; i < Hq; i++) {
          const ih = i * sh + ph - padT;
          if (ih < 0 || ih >= H) {
            memory.fill(o, 0, <usize>Wq << 2);
          } else {
            const row = s + (<usize>ih * W << 2);
            if (sw == 1) {
              // j - padL in [0, W): j in [padL, padL + W)
              let j0 = padL; if (j0 < 0) j0 = 0;
              let j1 = padL + W; if (j1 > Wq) j1 = Wq;
              if (j0 > Wq) j0 = Wq;
              if (j1 < j0) j1 = j0;
              if (j0 > 0) memory.fill(o, 0, <usize>j0 << 2);
              if (j1 > j0) memory.copy(o + (<usize>j0 << 2), row + (<usize>(j0 - padL) << 2), <usize>(j1 - j0) << 2);
              if (Wq > j1) memory.fill(o + (<usize>j1 << 2), 0, <usize>(Wq - j1) << 2);
            } else {
              for (let j = 0; j < Wq; j++) {
                const iw = j * sw + pw - padL;
                store<f32>(o + (<usize>j << 2), iw >= 0 && iw < W ? load<f32>(row + (<usize>iw << 2)) : 0);
              }
            }
          }
          o += <usize>Wq << 2;
        }
      }
    }
    const used = sh * sw * Hq * Wq;
    if (ds > used) memory.fill(d + (<usize>used << 2), 0, <usize>(ds - used) << 2);
  }
}

/**
 * Filter gradient as dot products over the output points:
 *   dW[g·M + m][k] = Σ_n Σ_{i,j} dY[n][g·M + m][i·outW + j] · X[n][g][i·Wq + j + off[k]]
 * dY in its own layout (rows outW wide, 4 floats of slack after the last plane), X
 * on the input grid (rows Wq wide). Rows are walked 4 points at a time; a row's last
 * vector, past outW, has its δ lanes zeroed. Items are (g, pair of rows m, block
 * of 16 taps); each keeps 4-lane partial sums across n and the points, then sums
 * the lanes, so no item depends on the thread count.
 * args: dY, dySN, dyCh, X, xSN, xSG, off, K, M, G, N, outH, outW, Wq, dW, scratch
 */
export function convdw(a: usize, tid: i32, nth: i32): void {
  const dY = <usize>arg(a, 0), dySN = arg(a, 1), dyCh = arg(a, 2), X = <usize>arg(a, 3), xSN = arg(a, 4), xSG = arg(a, 5);
  const off = <usize>arg(a, 6), K = arg(a, 7), M = arg(a, 8), G = arg(a, 9), N = arg(a, 10);
  const outH = arg(a, 11), outW = arg(a, 12), Wq = arg(a, 13), dW = <usize>arg(a, 14);
  const KB: i32 = 16;
  // Rows per chunk: ~512 points of δ and of each tap's inputs stay in L1 across the taps.
  const RC = outW >= 512 ? 1 : 512 / outW;
  const full = outW & ~3; // points of a row in whole vectors
  const tail = outW - full;
  // Lanes of the last vector of a row that are inside the row.
  const mask = i32x4(tail > 0 ? -1 : 0, tail > 1 ? -1 : 0, tail > 2 ? -1 : 0, 0);
  const nmp = (M + 1) >> 1;
  const nkb = (K + KB - 1) / KB;
  const items = G * nmp * nkb;
  // Per-thread accumulators live in a scratch slice: 2 rows × KB taps × 4 lanes.
  const acc = <usize>arg(a, 15) + (<usize>tid * (2 * 16 * 16));
  for (let it = next(a); it < items; it = next(a)) {
    const kb = it % nkb;
    const t = it / nkb;
    const mp = t % nmp;
    const g = t / nmp;
    const k0 = kb * KB;
    let k1 = k0 + KB; if (k1 > K) k1 = K;
    const m0 = g * M + (mp << 1);
    const two = (mp << 1) + 1 < M;
    memory.fill(acc, 0, 2 * 16 * 16);
    for (let n = 0; n < N; n++) {
      const dn0 = dY + ((<usize>n * dySN + <usize>m0 * dyCh) << 2);
      const dn1 = two ? dn0 + (<usize>dyCh << 2) : dn0;
      const xb = X + ((<usize>n * xSN + <usize>g * xSG) << 2);
      for (let r0 = 0; r0 < outH; r0 += RC) {
        const r1 = r0 + RC < outH ? r0 + RC : outH;
        // Taps 4 at a time; the last group of a block may have 1-3 (a missing tap repeats
        // the first and is not stored: 8 chains still, where one tap alone would run 2).
        for (let k = k0; k < k1; k += 4) {
          const nr = k1 - k;
          const ko = off + (<usize>k << 2);
          const x0p = xb + (<usize>load<i32>(ko) << 2);
          const x1p = nr > 1 ? xb + (<usize>load<i32>(ko, 4) << 2) : x0p;
          const x2p = nr > 2 ? xb + (<usize>load<i32>(ko, 8) << 2) : x0p;
          const x3p = nr > 3 ? xb + (<usize>load<i32>(ko, 12) << 2) : x0p;
          const ap = acc + (<usize>(k - k0) << 4);
          let s00 = v128.load(ap), s01 = v128.load(ap, 16), s02 = v128.load(ap, 32), s03 = v128.load(ap, 48);
          let s10 = v128.load(ap, 256), s11 = v128.load(ap, 272), s12 = v128.load(ap, 288), s13 = v128.load(ap, 304);
          for (let r = r0; r < r1; r++) {
            const dq = <usize>(r * outW) << 2;
            const xq = <usize>(r * Wq) << 2;
            const d0 = dn0 + dq, d1 = dn1 + dq;
            // Whole vectors, then the last one with its δ lanes past outW zeroed.
            let j = 0;
            for (; j < full; j += 4) {
              const jo = <usize>j << 2;
              const y0 = v128.load(d0 + jo);
              const y1 = v128.load(d1 + jo);
              const xo = xq + jo;
              let x = v128.load(x0p + xo);
              s00 = madd(y0, x, s00); s10 = madd(y1, x, s10);
              x = v128.load(x1p + xo);
              s01 = madd(y0, x, s01); s11 = madd(y1, x, s11);
              x = v128.load(x2p + xo);
              s02 = madd(y0, x, s02); s12 = madd(y1, x, s12);
              x = v128.load(x3p + xo);
              s03 = madd(y0, x, s03); s13 = madd(y1, x, s13);
            }
            if (tail > 0) {
              const jo = <usize>j << 2;
              const y0 = v128.and(v128.load(d0 + jo), mask);
              const y1 = v128.and(v128.load(d1 + jo), mask);
              const xo = xq + jo;
              let x = v128.load(x0p + xo);
              s00 = madd(y0, x, s00); s10 = madd(y1, x, s10);
              x = v128.load(x1p + xo);
              s01 = madd(y0, x, s01); s11 = madd(y1, x, s11);
              x = v128.load(x2p + xo);
              s02 = madd(y0, x, s02); s12 = madd(y1, x, s12);
              x = v128.load(x3p + xo);
              s03 = madd(y0, x, s03); s13 = madd(y1, x, s13);
            }
          }
          v128.store(ap, s00); v128.store(ap, s10, 256);
          if (nr > 1) { v128.store(ap, s01, 16); v128.store(ap, s11, 272); }
          if (nr > 2) { v128.store(ap, s02, 32); v128.store(ap, s12, 288); }
          if (nr > 3) { v128.store(ap, s03, 48); v128.store(ap, s13, 304); }
        }
      }
    }
    for (let k = k0; k < k1; k++) {
      const ap = acc + (<usize>(k - k0) << 4);
      const s0 = v128.load(ap);
      store<f32>(dW + ((<usize>m0 * K + k) << 2), (f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1)) + (f32x4.extract_lane(s0, 2) + f32x4.extract_lane(s0, 3)));
      if (two) {
        const s1 = v128.load(ap, 256);
        store<f32>(dW + ((<usize>(m0 + 1) * K + k) << 2), (f32x4.extract_lane(s1, 0) + f32x4.extract_lane(s1, 1)) + (f32x4.extract_lane(s1, 2) + f32x4.extract_lane(s1, 3)));
      }
    }
  }
}

// ---------------------------------------------------------------- pooling
// args (all pooling kernels): x/dy, y/dx, argmax, P (= N·C), inH, inW, outH, outW,
// kH, kW, sH, sW, padT, padL, dH, dW, countIncludePad, padH, padW

/**
 * col2im for the input gradient: dX[p][ih][iw] = Σ_(kh,kw) Z[p][kh·kW + kw][oh][ow] over
 * the taps with ih = oh·sH − pT + kh·dH and iw = ow·sW − pL + kw·dW, summed in tap
 * order. Z comes from a GEMM of the kernel (transposed) with δ. Items are planes p.
 * args: Z, dX, P, outH, outW, inH, inW, kH, kW, sH, sW, pT, pL, dH, dW
 */
export function col2im(a: usize, tid: i32, nth: i32): void {
  const Z = <usize>arg(a, 0), DX = <usize>arg(a, 1), P = arg(a, 2), outH = arg(a, 3), outW = arg(a, 4), inH = arg(a, 5), inW = arg(a, 6);
  const kH = arg(a, 7), kW = arg(a, 8), sH = arg(a, 9), sW = arg(a, 10), pT = arg(a, 11), pL = arg(a, 12), dH = arg(a, 13), dW = arg(a, 14);
  const plane = outH * outW;
  const kk = kH * kW;
  for (let p = next(a); p < P; p = next(a)) {
    const dx = DX + (<usize>p * inH * inW << 2);
    memory.fill(dx, 0, <usize>(inH * inW) << 2);
    const zb = Z + (<usize>p * kk * plane << 2);
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const zt = zb + (<usize>(kh * kW + kw) * plane << 2);
        const shift = pL - kw * dW; // ow·sW = iw + shift
        // Rows ih with oh·sH = ih + pT − kh·dH for some 0 <= oh < outH (no division per row when sH = 1).
        let h0 = kh * dH - pT, h1 = inH;
        if (sH == 1) {
          if (h1 > h0 + outH) h1 = h0 + outH;
          if (h0 < 0) h0 = 0;
        } else {
          h0 = 0;
        }
        for (let ih = h0; ih < h1; ih++) {
          const th = ih + pT - kh * dH;
          let oh = th;
          if (sH != 1) {
            if (th < 0 || th % sH != 0) continue;
            oh = th / sH;
            if (oh >= outH) continue;
          }
          const zrow = zt + (<usize>oh * outW << 2);
          const drow = dx + (<usize>ih * inW << 2);
          if (sW == 1) {
            let i0 = -shift; if (i0 < 0) i0 = 0;
            let i1 = outW - shift; if (i1 > inW) i1 = inW;
            let iw = i0;
            for (; iw + 4 <= i1; iw += 4) {
              const d = drow + (<usize>iw << 2);
              v128.store(d, f32x4.add(v128.load(d), v128.load(zrow + (<usize>(iw + shift) << 2))));
            }
            for (; iw < i1; iw++) {
              const d = drow + (<usize>iw << 2);
              store<f32>(d, load<f32>(d) + load<f32>(zrow + (<usize>(iw + shift) << 2)));
            }
          } else {
            for (let iw = 0; iw < inW; iw++) {
              const tw = iw + shift;
              if (tw < 0 || tw % sW != 0) continue;
              const ow = tw / sW;
              if (ow >= outW) continue;
              const d = drow + (<usize>iw << 2);
              store<f32>(d, load<f32>(d) + load<f32>(zrow + (<usize>ow << 2)));
            }
          }
        }
      }
    }
  }
}
