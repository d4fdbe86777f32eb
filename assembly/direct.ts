// Direct convolution for layers with 5 to 8 output channels (LeNet-5's first layer
// has 6), one group, stride 1.
//
// The offset-table GEMM covers these with a 4-row panel and a second panel of 1-4
// rows; a last panel of 1-2 rows has only 4 independent multiply-add chains, so it
// runs latency-bound at the same cost as a full one, and the per-tile bookkeeping
// of the general kernel is a large share when a tile has only 25 taps. Here a work
// item is a block of output rows: taps are walked as (input channel, kernel row, kernel
// column) with pointer steps instead of an offset table, and a last panel of 1-2
// rows covers 16 points at once (8 chains). Every output is the bias plus its taps
// summed in the same order, with the same multiply-adds, as the GEMM: same bits.

import { arg, madd, next } from './common';

/**
 * Y[n][m][i][j] = bias[m] + Σ_{ic,kh,kw} A[m][(ic·kH + kh)·kW + kw] · X[n][ic·cs + (i + kh·dH)·Wq + j + kw·dW]
 * for m < M (5..8), on the padded input grid of the offset-table GEMM (Wq wide, slack after it).
 * A is packed in two panels of 4 rows, [panel][k][4] (rows past M zero).
 * args: A, X, xSN, cs, Y, ySN, M, C, kH, kW, dH, dW, N, outH, outW, Wq, bias (0 = none), scratch, scratchStride
 */
export function convfew(a: usize, tid: i32, nth: i32): void {
  const A = <usize>arg(a, 0), X = <usize>arg(a, 1), xSN = arg(a, 2), cs = arg(a, 3), Y = <usize>arg(a, 4), ySN = arg(a, 5);
  const M = arg(a, 6), C = arg(a, 7), kH = arg(a, 8), kW = arg(a, 9), dH = arg(a, 10), dW = arg(a, 11);
  const N = arg(a, 12), outH = arg(a, 13), outW = arg(a, 14), Wq = arg(a, 15), bias = <usize>arg(a, 16);
  const spill = <usize>arg(a, 17) + <usize>tid * <usize>arg(a, 18);
  const K = C * kH * kW;
  const A1 = A + (<usize>K << 4); // second panel
  const b1 = bias != 0 ? bias + 16 : 0;
  const plane = outH * outW;
  const step = <usize>plane << 2; // between output channels
  const rest = M - 4; // rows of the second panel
  const cs4 = <usize>cs << 2, rs4 = <usize>(dH * Wq) << 2, ds4 = <usize>dW << 2;
  // Items of RB output rows (>= 256 points): fewer atomic hand-outs, and two threads
  // seldom write to the same cache lines of the output.
  const RB = outW >= 256 ? 1 : (256 + outW - 1) / outW;
  const blocks = (outH + RB - 1) / RB;
  const items = N * blocks;
  for (let it = next(a); it < items; it = next(a)) {
    const n = it / blocks;
    const i0 = (it - n * blocks) * RB;
    const i1 = i0 + RB < outH ? i0 + RB : outH;
    for (let i = i0; i < i1; i++) row(A, A1, X + ((<usize>n * xSN + <usize>i * Wq) << 2), Y + ((<usize>n * ySN + <usize>i * outW) << 2),
      C, kH, kW, cs4, rs4, ds4, bias, b1, outW, step, rest, spill);
  }
}

/** One output row: 8-point tiles of the first panel, then the second panel's 1-4 rows. */
function row(A: usize, A1: usize, xr: usize, yr: usize, C: i32, kH: i32, kW: i32, cs4: usize, rs4: usize, ds4: usize,
  bias: usize, b1: usize, outW: i32, step: usize, rest: i32, spill: usize): void {
  for (let j = 0; j < outW; j += 16) {
    const w0 = outW - j < 8 ? outW - j : 8; // points of the first 8-point tile
    const w1 = outW - j - 8 < 0 ? 0 : outW - j - 8 < 8 ? outW - j - 8 : 8; // of the second
    const xd = xr + (<usize>j << 2);
    const yd = yr + (<usize>j << 2);
    tile(A, xd, C, kH, kW, cs4, rs4, ds4, bias, yd, step, 4, w0, spill);
    if (w1 > 0) tile(A, xd + 32, C, kH, kW, cs4, rs4, ds4, bias, yd + 32, step, 4, w1, spill);
    const y1 = yd + (step << 2);
    if (rest <= 2 && w1 == 8) {
      pair(A1, xd, C, kH, kW, cs4, rs4, ds4, b1, y1, step, rest);
    } else {
      tile(A1, xd, C, kH, kW, cs4, rs4, ds4, b1, y1, step, rest, w0, spill);
      if (w1 > 0) tile(A1, xd + 32, C, kH, kW, cs4, rs4, ds4, b1, y1 + 32, step, rest, w1, spill);
    }
  }
}

/** 4 rows × 8 points (8 chains); stores nr rows of the first `valid` points at dst + r·dstep. */
function tile(ap: usize, xd: usize, C: i32, kH: i32, kW: i32, cs4: usize, rs4: usize, ds4: usize, bias: usize, dst: usize, dstep: usize, nr: i32, valid: i32, spill: usize): void {
  let c00 = f32x4.splat(0), c10 = c00, c20 = c00, c30 = c00;
  if (bias != 0) {
    c00 = v128.load32_splat(bias);
    if (nr > 1) c10 = v128.load32_splat(bias, 4);
    if (nr > 2) c20 = v128.load32_splat(bias, 8);
    if (nr > 3) c30 = v128.load32_splat(bias, 12);
  }
  let c01 = c00, c11 = c10, c21 = c20, c31 = c30;
  for (let ic = 0; ic < C; ic++) {
    for (let kh = 0; kh < kH; kh++) {
      let xp = xd + <usize>ic * cs4 + <usize>kh * rs4;
      for (let kw = 0; kw < kW; kw++) {
        const x0 = v128.load(xp);
        const x1 = v128.load(xp, 16);
        let w = v128.load32_splat(ap);
        c00 = madd(w, x0, c00); c01 = madd(w, x1, c01);
        w = v128.load32_splat(ap, 4);
        c10 = madd(w, x0, c10); c11 = madd(w, x1, c11);
        w = v128.load32_splat(ap, 8);
        c20 = madd(w, x0, c20); c21 = madd(w, x1, c21);
        w = v128.load32_splat(ap, 12);
        c30 = madd(w, x0, c30); c31 = madd(w, x1, c31);
        ap += 16;
        xp += ds4;
      }
    }
  }
  let d = dst, ds = dstep;
  if (valid < 8) { d = spill; ds = 32; }
  v128.store(d, c00); v128.store(d, c01, 16);
  if (nr > 1) { v128.store(d + ds, c10); v128.store(d + ds, c11, 16); }
  if (nr > 2) { v128.store(d + 2 * ds, c20); v128.store(d + 2 * ds, c21, 16); }
  if (nr > 3) { v128.store(d + 3 * ds, c30); v128.store(d + 3 * ds, c31, 16); }
  if (valid < 8) {
    for (let r = 0; r < nr; r++) {
      for (let j = 0; j < valid; j++) store<f32>(dst + <usize>r * dstep + (<usize>j << 2), load<f32>(spill + (<usize>(r * 8 + j) << 2)));
    }
  }
}

/** 1-2 rows × 16 points (8 chains), all points valid; stores nr rows. */
function pair(ap: usize, xd: usize, C: i32, kH: i32, kW: i32, cs4: usize, rs4: usize, ds4: usize, bias: usize, dst: usize, dstep: usize, nr: i32): void {
  let c00 = f32x4.splat(0), c10 = c00;
  if (bias != 0) {
    c00 = v128.load32_splat(bias);
    if (nr > 1) c10 = v128.load32_splat(bias, 4);
  }
  let c01 = c00, c02 = c00, c03 = c00, c11 = c10, c12 = c10, c13 = c10;
  for (let ic = 0; ic < C; ic++) {
    for (let kh = 0; kh < kH; kh++) {
      let xp = xd + <usize>ic * cs4 + <usize>kh * rs4;
      for (let kw = 0; kw < kW; kw++) {
        const x0 = v128.load(xp);
        const x1 = v128.load(xp, 16);
        const x2 = v128.load(xp, 32);
        const x3 = v128.load(xp, 48);
        let w = v128.load32_splat(ap);
        c00 = madd(w, x0, c00); c01 = madd(w, x1, c01); c02 = madd(w, x2, c02); c03 = madd(w, x3, c03);
        w = v128.load32_splat(ap, 4);
        c10 = madd(w, x0, c10); c11 = madd(w, x1, c11); c12 = madd(w, x2, c12); c13 = madd(w, x3, c13);
        ap += 16;
        xp += ds4;
      }
    }
  }
  v128.store(dst, c00); v128.store(dst, c01, 16); v128.store(dst, c02, 32); v128.store(dst, c03, 48);
  if (nr > 1) {
    const d = dst + dstep;
    v128.store(d, c10); v128.store(d, c11, 16); v128.store(d, c12, 32); v128.store(d, c13, 48);
  }
}
