// Receptive wasm kernels (AssemblyScript, compiled by scripts/build-wasm.mjs).
//
// Every export has the signature (args, tid, nth): `args` points to a block of
// i32/f32 arguments that the JS side wrote into linear memory, `tid` is this
// thread's index and `nth` the number of threads. Each kernel splits its work
// over OUTPUTS with a partition that does not depend on nth for the values it
// computes (fixed tiles, fixed summation order inside a tile), so any thread
// count gives bit-identical results. No allocation happens here: the JS side
// owns the heap and passes pointers.

import { arg, madd, next } from './common';
export { wino_w, wino_in, wino_out, wino_dy, wino_dw } from './winograd';
export { chmoments, chdots, chaffine, lrn, lrngrad } from './norm';
export { convfew } from './direct';
export { sgd, adam, rmsprop } from './optim';
export { adaptavg, adaptavggrad } from './pool';
export { im2row, row2im, swap01, packg } from './rows';

/** Elements per work item of the elementwise kernels. */
const EW_BLOCK = 16384;

/** 1 when relaxed-simd FMA was compiled in (the JS side reports it). */
export function has_relaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

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
 * Offset-table GEMM, the core of every convolution and matrix product:
 *   Y[n][g][m][q] = bias[g·M + m] + Σ_k A[n][g][m][k] · X[n][g][q + off[k]]
 * over a grid of `rows` rows, Wq wide, of which the first outW columns are computed
 * and kept: grid point q = i·Wq + j (j < outW) goes to Y + m·dPm + (r0 + i·rs)·dR + c0 + j·cs.
 * Tiles are 8 consecutive kept points (v = i·outW + j), so narrow outputs waste
 * nothing; a tile inside one row loads its inputs as two vectors, one that
 * crosses rows gathers them.
 * A is packed in panels of 4 rows: Ap[panel][k][4]. For each tile of 8 grid points
 * the 8 inputs of every tap are packed once into a contiguous [kc][8] block (in
 * this thread's scratch), then every 4-row panel runs a 4×8 register-blocked
 * micro-kernel over it. Work items are (n, g, block of PB panels, block of TB
 * tiles). The reduction runs in chunks of KC taps, outermost in an item, so that
 * a chunk of the block's A panels (PB·KC·16 bytes) is read from cache by all TB
 * tiles instead of all of A streaming from memory once per tile (a layer with
 * K = 4096 read 1 MB of A per 8 outputs); the accumulators of every (tile, panel)
 * wait in scratch between chunks. Every output is still summed over k in order by
 * one thread, so chunking changes no bit of the result.
 * args: A, aStrideN, aStrideG, K, off, X, xStrideN, xStrideG, Y, yStrideN, yStrideG,
 *       M, rows, N, G, bias(0 = none), Wq, outW, dR, dPm, r0, rs, c0, cs, scratch, scratchStride, KC
 * (dense = the destination is a plain rows × outW plane: r0 = c0 = 0, rs = cs = 1, dR = outW;
 * scratch per thread: KC·32 bytes of packed block + 320 + TB·PB·128 of accumulators)
 */
const TB: i32 = 16;
const PB: i32 = 16;
export function gemm(a: usize, tid: i32, nth: i32): void {
  const A = <usize>arg(a, 0), aSN = arg(a, 1), aSG = arg(a, 2), K = arg(a, 3), off = <usize>arg(a, 4);
  const X = <usize>arg(a, 5), xSN = arg(a, 6), xSG = arg(a, 7), Y = <usize>arg(a, 8), ySN = arg(a, 9), ySG = arg(a, 10);
  const M = arg(a, 11), rows = arg(a, 12), N = arg(a, 13), G = arg(a, 14), bias = <usize>arg(a, 15);
  const Wq = arg(a, 16), outW = arg(a, 17), dR = arg(a, 18), dPm = arg(a, 19), r0 = arg(a, 20), rs = arg(a, 21), c0 = arg(a, 22), cs = arg(a, 23);
  const bt = <usize>arg(a, 24) + <usize>tid * <usize>arg(a, 25);
  const KC = arg(a, 26);
  const spill = bt + (<usize>KC << 5);
  const total = rows * outW;
  const tiles = (total + 7) >> 3;
  const dense = r0 == 0 && rs == 1 && c0 == 0 && cs == 1 && dR == outW;
  const qs = spill + 256;
  const part = qs + 64; // [TB][PB][8 vectors]
  const nCB = (tiles + TB - 1) / TB;
  const panels = (M + 3) >> 2;
  const nPB = (panels + PB - 1) / PB;
  const items = N * G * nPB * nCB;
  for (let it = next(a); it < items; it = next(a)) {
    const cb = it % nCB;
    let t = it / nCB;
    const pb = t % nPB;
    t = t / nPB;
    const g = t % G;
    const n = t / G;
    const t0 = cb * TB;
    let t1 = t0 + TB; if (t1 > tiles) t1 = tiles;
    let p1 = (pb + 1) * PB; if (p1 > panels) p1 = panels;
    const Ab = A + ((<usize>n * aSN + <usize>g * aSG) << 2);
    const Xb = X + ((<usize>n * xSN + <usize>g * xSG) << 2);
    const Yb = Y + ((<usize>n * ySN + <usize>g * ySG) << 2);
    for (let k0 = 0; k0 == 0 || k0 < K; k0 += KC) { // once at least: K = 0 still writes the bias
      const k1 = K - k0 < KC ? K : k0 + KC;
      const first = k0 == 0, last = k1 == K;
      const ko = off + (<usize>k0 << 2); // this chunk's offsets
      const kn = k1 - k0;
      for (let tt = t0; tt < t1; tt++) {
        const v0 = tt << 3;
        const valid = total - v0 < 8 ? total - v0 : 8;
        const row = v0 / outW;
        const col = v0 - row * outW;
        // An in-row tile is read straight from X when packing would not pay: one or two
        // panels (with 3 or more, packing measured 8-10% faster even for K = 27).
        const direct = p1 - pb * PB <= 2 && col + 8 <= outW;
        const xd = Xb + (<usize>(row * Wq + col) << 2);
        if (direct) {
          // nothing to pack
        } else if (col + 8 <= outW) {
          // Pack the tile: bt[k][0..8] = X[q + off[k0 + k] + 0..8].
          for (let k = 0; k < kn; k++) {
            const xp = xd + (<usize>load<i32>(ko + (<usize>k << 2)) << 2);
            const d = bt + (<usize>k << 5);
            v128.store(d, v128.load(xp));
            v128.store(d, v128.load(xp, 16), 16);
          }
        } else {
          // Gather: the tile's points sit on several rows (points past the end repeat the first).
          let r = row, c = col;
          for (let j = 0; j < 8; j++) {
            store<i32>(qs + (<usize>j << 2), j < valid ? r * Wq + c : row * Wq + col);
            c++;
            if (c == outW) { c = 0; r++; }
          }
          const q0 = load<i32>(qs), q1 = load<i32>(qs, 4), q2 = load<i32>(qs, 8), q3 = load<i32>(qs, 12);
          const q4 = load<i32>(qs, 16), q5 = load<i32>(qs, 20), q6 = load<i32>(qs, 24), q7 = load<i32>(qs, 28);
          for (let k = 0; k < kn; k++) {
            const xo = Xb + (<usize>load<i32>(ko + (<usize>k << 2)) << 2);
            let lo4 = f32x4.splat(load<f32>(xo + (<usize>q0 << 2)));
            lo4 = f32x4.replace_lane(lo4, 1, load<f32>(xo + (<usize>q1 << 2)));
            lo4 = f32x4.replace_lane(lo4, 2, load<f32>(xo + (<usize>q2 << 2)));
            lo4 = f32x4.replace_lane(lo4, 3, load<f32>(xo + (<usize>q3 << 2)));
            let hi4 = f32x4.splat(load<f32>(xo + (<usize>q4 << 2)));
            hi4 = f32x4.replace_lane(hi4, 1, load<f32>(xo + (<usize>q5 << 2)));
            hi4 = f32x4.replace_lane(hi4, 2, load<f32>(xo + (<usize>q6 << 2)));
            hi4 = f32x4.replace_lane(hi4, 3, load<f32>(xo + (<usize>q7 << 2)));
            const d = bt + (<usize>k << 5);
            v128.store(d, lo4);
            v128.store(d, hi4, 16);
          }
        }
        const fast = valid == 8 && (dense || (cs == 1 && col + 8 <= outW));
        let pFrom = pb * PB; // the first panel for the general loop below
        if (fast && first && last && !direct) {
          // The common case in one tight loop (a whole reduction, panels of 4 full
          // rows, a plain destination): the general loop below spends ~15% of a
          // 27-tap layer's time around its multiply-adds, re-reading its flags.
          // A last panel of 1-3 rows is left to the general loop.
          let pFull = M >> 2; if (pFull > p1) pFull = p1;
          const step = <usize>dPm << 2;
          let yp = Yb + ((<usize>(pb * PB * 4) * dPm + (dense ? <usize>v0 : <usize>(r0 + row * rs) * dR + c0 + col)) << 2);
          let ap = Ab + ((<usize>(pb * PB) * K) << 4);
          let bb = bias + (<usize>(g * M + pb * PB * 4) << 2);
          const be = bt + (<usize>kn << 5);
          for (let p = pb * PB; p < pFull; p++) {
            let c00 = f32x4.splat(0), c10 = c00, c20 = c00, c30 = c00;
            if (bias != 0) {
              c00 = v128.load32_splat(bb); c10 = v128.load32_splat(bb, 4);
              c20 = v128.load32_splat(bb, 8); c30 = v128.load32_splat(bb, 12);
            }
            let c01 = c00, c11 = c10, c21 = c20, c31 = c30;
            for (let bp = bt; bp < be; bp += 32) {
              const x0 = v128.load(bp);
              const x1 = v128.load(bp, 16);
              let w = v128.load32_splat(ap);
              c00 = madd(w, x0, c00); c01 = madd(w, x1, c01);
              w = v128.load32_splat(ap, 4);
              c10 = madd(w, x0, c10); c11 = madd(w, x1, c11);
              w = v128.load32_splat(ap, 8);
              c20 = madd(w, x0, c20); c21 = madd(w, x1, c21);
              w = v128.load32_splat(ap, 12);
              c30 = madd(w, x0, c30); c31 = madd(w, x1, c31);
              ap += 16;
            }
            v128.store(yp, c00); v128.store(yp, c01, 16);
            v128.store(yp + step, c10); v128.store(yp + step, c11, 16);
            v128.store(yp + 2 * step, c20); v128.store(yp + 2 * step, c21, 16);
            v128.store(yp + 3 * step, c30); v128.store(yp + 3 * step, c31, 16);
            yp += step << 2;
            bb += 16;
          }
          if (pFull > pFrom) pFrom = pFull;
        }
        for (let p = pFrom; p < p1; p++) {
          const m0 = p << 2;
          const pp = part + (<usize>((tt - t0) * PB + p - pb * PB) << 7);
          let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
          if (first) {
            let b0 = f32x4.splat(0), b1 = b0, b2 = b0, b3 = b0;
            if (bias != 0) {
              const bb = bias + (<usize>(g * M + m0) << 2);
              b0 = v128.load32_splat(bb);
              if (m0 + 1 < M) b1 = v128.load32_splat(bb + 4);
              if (m0 + 2 < M) b2 = v128.load32_splat(bb + 8);
              if (m0 + 3 < M) b3 = v128.load32_splat(bb + 12);
            }
            c00 = b0; c01 = b0; c10 = b1; c11 = b1; c20 = b2; c21 = b2; c30 = b3; c31 = b3;
          } else {
            c00 = v128.load(pp); c01 = v128.load(pp, 16); c10 = v128.load(pp, 32); c11 = v128.load(pp, 48);
            c20 = v128.load(pp, 64); c21 = v128.load(pp, 80); c30 = v128.load(pp, 96); c31 = v128.load(pp, 112);
          }
          let ap = Ab + ((<usize>p * K + k0) << 4);
          if (m0 + 2 >= M) {
            // A last panel with 1 or 2 rows (M = 6 in LeNet's conv1): half the work.
            if (direct) {
              for (let k = 0; k < kn; k++) {
                const xp = xd + (<usize>load<i32>(ko + (<usize>k << 2)) << 2);
                const x0 = v128.load(xp);
                const x1 = v128.load(xp, 16);
                let w = v128.load32_splat(ap);
                c00 = madd(w, x0, c00); c01 = madd(w, x1, c01);
                w = v128.load32_splat(ap, 4);
                c10 = madd(w, x0, c10); c11 = madd(w, x1, c11);
                ap += 16;
              }
            } else {
              let bp = bt;
              const be = bt + (<usize>kn << 5);
              while (bp < be) {
                const x0 = v128.load(bp);
                const x1 = v128.load(bp, 16);
                let w = v128.load32_splat(ap);
                c00 = madd(w, x0, c00); c01 = madd(w, x1, c01);
                w = v128.load32_splat(ap, 4);
                c10 = madd(w, x0, c10); c11 = madd(w, x1, c11);
                ap += 16;
                bp += 32;
              }
            }
          } else if (direct) {
            for (let k = 0; k < kn; k++) {
              const xp = xd + (<usize>load<i32>(ko + (<usize>k << 2)) << 2);
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
            }
          }
          let bp = bt;
          const be = direct || m0 + 2 >= M ? bt : bt + (<usize>kn << 5);
          while (bp < be) {
            const x0 = v128.load(bp);
            const x1 = v128.load(bp, 16);
            let w = v128.load32_splat(ap);
            c00 = madd(w, x0, c00); c01 = madd(w, x1, c01);
            w = v128.load32_splat(ap, 4);
            c10 = madd(w, x0, c10); c11 = madd(w, x1, c11);
            w = v128.load32_splat(ap, 8);
            c20 = madd(w, x0, c20); c21 = madd(w, x1, c21);
            w = v128.load32_splat(ap, 12);
            c30 = madd(w, x0, c30); c31 = madd(w, x1, c31);
            ap += 16;
            bp += 32;
          }
          if (!last) {
            v128.store(pp, c00); v128.store(pp, c01, 16); v128.store(pp, c10, 32); v128.store(pp, c11, 48);
            v128.store(pp, c20, 64); v128.store(pp, c21, 80); v128.store(pp, c30, 96); v128.store(pp, c31, 112);
            continue;
          }
          const yr = Yb + ((<usize>m0 * dPm) << 2);
          const step = <usize>dPm << 2;
          if (fast) {
            const yp = yr + ((dense ? <usize>v0 : <usize>(r0 + row * rs) * dR + c0 + col) << 2);
            v128.store(yp, c00); v128.store(yp, c01, 16);
            if (m0 + 1 < M) { v128.store(yp + step, c10); v128.store(yp + step, c11, 16); }
            if (m0 + 2 < M) { v128.store(yp + 2 * step, c20); v128.store(yp + 2 * step, c21, 16); }
            if (m0 + 3 < M) { v128.store(yp + 3 * step, c30); v128.store(yp + 3 * step, c31, 16); }
          } else {
            v128.store(spill, c00); v128.store(spill, c01, 16);
            v128.store(spill, c10, 32); v128.store(spill, c11, 48);
            v128.store(spill, c20, 64); v128.store(spill, c21, 80);
            v128.store(spill, c30, 96); v128.store(spill, c31, 112);
            let rr = row, cc = col;
            for (let j = 0; j < valid; j++) {
              const o = (<usize>(r0 + rr * rs) * dR + c0 + cc * cs) << 2;
              for (let r = 0; r < 4; r++) {
                if (m0 + r < M) store<f32>(yr + <usize>r * step + o, load<f32>(spill + (<usize>(r * 8 + j) << 2)));
              }
              cc++;
              if (cc == outW) { cc = 0; rr++; }
            }
          }
        }
      }
    }
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

// @ts-ignore: decorator
@inline function gather4(xo: usize, base: i32, sW: i32): v128 {
  const b = xo + (<usize>base << 2);
  if (sW == 1) return v128.load(b);
  if (sW == 2) return v128.shuffle<f32>(v128.load(b), v128.load(b, 16), 0, 2, 4, 6);
  let v = f32x4.splat(load<f32>(b));
  v = f32x4.replace_lane(v, 1, load<f32>(b + (<usize>sW << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(b + (<usize>(2 * sW) << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(b + (<usize>(3 * sW) << 2)));
}

export function maxpool(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), AM = <usize>arg(a, 2), P = arg(a, 3), inH = arg(a, 4), inW = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7), kH = arg(a, 8), kW = arg(a, 9), sH = arg(a, 10), sW = arg(a, 11);
  const pT = arg(a, 12), pL = arg(a, 13), dH = arg(a, 14), dW = arg(a, 15);
  // Columns whose whole window is inside the input: ow in [owA, owB).
  let owA = (pL + sW - 1) / sW;
  let owB = outW;
  while (owB > owA && (owB - 1) * sW - pL + (kW - 1) * dW >= inW) owB--;
  if (owA > owB) owA = owB;
  const lanes = i32x4(0, sW, 2 * sW, 3 * sW);
  for (let p = next(a); p < P; p = next(a)) {
    const xo = X + (<usize>p * inH * inW << 2);
    const yo = <usize>p * outH * outW;
    for (let oh = 0; oh < outH; oh++) {
      // Rows of the window inside the input: kh in [kh0, kh1).
      const ih0 = oh * sH - pT;
      let kh0 = 0;
      while (kh0 < kH && ih0 + kh0 * dH < 0) kh0++;
      let kh1 = kH;
      while (kh1 > kh0 && ih0 + (kh1 - 1) * dH >= inH) kh1--;
      let ow = 0;
      if (kh0 == 0 && kh1 == kH) {
        // SIMD: four outputs at a time over fully-inside windows.
        ow = owA;
        for (; ow + 4 <= owB; ow += 4) {
          const iw0 = ow * sW - pL;
          let base = ih0 * inW + iw0;
          let best = gather4(xo, base, sW);
          let where = i32x4.add(i32x4.splat(base), lanes);
          for (let kh = 0; kh < kH; kh++) {
            for (let kw = 0; kw < kW; kw++) {
              if (kh == 0 && kw == 0) continue;
              base = (ih0 + kh * dH) * inW + iw0 + kw * dW;
              const v = gather4(xo, base, sW);
              const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
              best = v128.bitselect(v, best, take);
              where = v128.bitselect(i32x4.add(i32x4.splat(base), lanes), where, take);
            }
          }
          const o = (yo + <usize>(oh * outW + ow)) << 2;
          v128.store(Y + o, best);
          v128.store(AM + o, where);
        }
        // Scalar for the rest of the row (edges and the last < 4 outputs).
        for (let j = 0; j < owA; j++) maxpool1(xo, Y, AM, yo, oh, j, outW, inW, ih0, kh0, kh1, kW, sW, pL, dH, dW);
        for (let j = ow; j < outW; j++) maxpool1(xo, Y, AM, yo, oh, j, outW, inW, ih0, kh0, kh1, kW, sW, pL, dH, dW);
      } else {
        for (let j = 0; j < outW; j++) maxpool1(xo, Y, AM, yo, oh, j, outW, inW, ih0, kh0, kh1, kW, sW, pL, dH, dW);
      }
    }
  }
}

/** One max-pooling output (any window, clipped to the input). */
function maxpool1(xo: usize, Y: usize, AM: usize, yo: usize, oh: i32, ow: i32, outW: i32, inW: i32, ih0: i32, kh0: i32, kh1: i32, kW: i32, sW: i32, pL: i32, dH: i32, dW: i32): void {
  const iw0 = ow * sW - pL;
  let kw0 = 0;
  while (kw0 < kW && iw0 + kw0 * dW < 0) kw0++;
  let kw1 = kW;
  while (kw1 > kw0 && iw0 + (kw1 - 1) * dW >= inW) kw1--;
  let best: f32 = -Infinity;
  let where = -1;
  // The first in-window value wins ties (strict >); NaN wins over any number.
  for (let kh = kh0; kh < kh1; kh++) {
    const ih = ih0 + kh * dH;
    for (let kw = kw0; kw < kw1; kw++) {
      const idx = ih * inW + iw0 + kw * dW;
      const v = load<f32>(xo + (<usize>idx << 2));
      if (v > best || where < 0 || (v != v && best == best)) {
        best = v;
        where = idx;
      }
    }
  }
  const o = (yo + <usize>(oh * outW + ow)) << 2;
  store<f32>(Y + o, best);
  store<i32>(AM + o, where);
}

export function maxpoolgrad(a: usize, tid: i32, nth: i32): void {
  const DY = <usize>arg(a, 0), DX = <usize>arg(a, 1), AM = <usize>arg(a, 2), P = arg(a, 3), inH = arg(a, 4), inW = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7);
  const ip = inH * inW, op = outH * outW;
  for (let p = next(a); p < P; p = next(a)) {
    const dx = DX + (<usize>p * ip << 2);
    memory.fill(dx, 0, <usize>ip << 2);
    const base = <usize>p * op << 2;
    for (let o = 0; o < op; o++) {
      const w = load<i32>(AM + base + (<usize>o << 2));
      if (w >= 0) {
        const t = dx + (<usize>w << 2);
        store<f32>(t, load<f32>(t) + load<f32>(DY + base + (<usize>o << 2)));
      }
    }
  }
}

// @ts-ignore: decorator
@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }
// @ts-ignore: decorator
@inline function imax(a: i32, b: i32): i32 { return a > b ? a : b; }

export function avgpool(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), P = arg(a, 3), inH = arg(a, 4), inW = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7), kH = arg(a, 8), kW = arg(a, 9), sH = arg(a, 10), sW = arg(a, 11);
  const pT = arg(a, 12), pL = arg(a, 13), cip = arg(a, 16), padH = arg(a, 17), padW = arg(a, 18);
  for (let p = next(a); p < P; p = next(a)) {
    const xo = X + (<usize>p * inH * inW << 2);
    const yo = Y + (<usize>p * outH * outW << 2);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let h0 = oh * sH - pT, w0 = ow * sW - pL;
        let h1 = imin(h0 + kH, padH - pT), w1 = imin(w0 + kW, padW - pL);
        const padded = (h1 - h0) * (w1 - w0);
        h0 = imax(h0, 0); w0 = imax(w0, 0); h1 = imin(h1, inH); w1 = imin(w1, inW);
        const count = cip ? padded : (h1 - h0) * (w1 - w0);
        let s: f64 = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += <f64>load<f32>(xo + (<usize>(ih * inW + iw) << 2));
        store<f32>(yo + (<usize>(oh * outW + ow) << 2), count > 0 ? <f32>(s / <f64>count) : 0);
      }
    }
  }
}

export function avgpoolgrad(a: usize, tid: i32, nth: i32): void {
  const DY = <usize>arg(a, 0), DX = <usize>arg(a, 1), P = arg(a, 3), inH = arg(a, 4), inW = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7), kH = arg(a, 8), kW = arg(a, 9), sH = arg(a, 10), sW = arg(a, 11);
  const pT = arg(a, 12), pL = arg(a, 13), cip = arg(a, 16), padH = arg(a, 17), padW = arg(a, 18);
  for (let p = next(a); p < P; p = next(a)) {
    const dx = DX + (<usize>p * inH * inW << 2);
    const dy = DY + (<usize>p * outH * outW << 2);
    memory.fill(dx, 0, <usize>(inH * inW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let h0 = oh * sH - pT, w0 = ow * sW - pL;
        let h1 = imin(h0 + kH, padH - pT), w1 = imin(w0 + kW, padW - pL);
        const padded = (h1 - h0) * (w1 - w0);
        h0 = imax(h0, 0); w0 = imax(w0, 0); h1 = imin(h1, inH); w1 = imin(w1, inW);
        const count = cip ? padded : (h1 - h0) * (w1 - w0);
        if (count == 0) continue;
        const gv = <f32>(<f64>load<f32>(dy + (<usize>(oh * outW + ow) << 2)) / <f64>count);
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) {
          const t = dx + (<usize>(ih * inW + iw) << 2);
          store<f32>(t, load<f32>(t) + gv);
        }
      }
    }
  }
}

/** Peak probe: `iters` rounds of 12 independent f32x4 multiply-adds. Returns a checksum. */
export function fmapeak(iters: i32): f32 {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  const x = f32x4.splat(1.0000001), y = f32x4.splat(0.9999999);
  for (let i = 0; i < iters; i++) {
    c0 = madd(x, y, c0); c1 = madd(x, y, c1); c2 = madd(x, y, c2); c3 = madd(x, y, c3);
    c4 = madd(x, y, c4); c5 = madd(x, y, c5); c6 = madd(x, y, c6); c7 = madd(x, y, c7);
    c8 = madd(x, y, c8); c9 = madd(x, y, c9); c10 = madd(x, y, c10); c11 = madd(x, y, c11);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)), f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))));
  return f32x4.extract_lane(s, 0);
}

// ---------------------------------------------------------------- elementwise
// Single-threaded (memory bound). Shapes are merged by the JS side into at most 4
// axes d0..d3 (d3 innermost) with per-operand strides; the innermost stride of
// each operand is 0 (broadcast) or 1.

/** y = relu(x) (op 0: x > 0 ? x : 0) or step(x) (op 1: x > 0 ? 1 : 0). args: x, y, n, op */
export function unary(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), n = arg(a, 2), op = arg(a, 3);
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  // Items: fixed blocks of EW_BLOCK elements (a multiple of 4), any thread count.
  const blocks = (n + EW_BLOCK - 1) / EW_BLOCK;
  for (let b = next(a); b < blocks; b = next(a)) {
    let i = b * EW_BLOCK;
    const end = min(n, i + EW_BLOCK);
    if (op == 0) {
      for (; i + 4 <= end; i += 4) v128.store(Y + (<usize>i << 2), f32x4.pmax(zero, v128.load(X + (<usize>i << 2))));
      for (; i < end; i++) { const v = load<f32>(X + (<usize>i << 2)); store<f32>(Y + (<usize>i << 2), v > 0 ? v : 0); }
    } else {
      for (; i + 4 <= end; i += 4) v128.store(Y + (<usize>i << 2), v128.and(f32x4.gt(v128.load(X + (<usize>i << 2)), zero), one));
      for (; i < end; i++) { const v = load<f32>(X + (<usize>i << 2)); store<f32>(Y + (<usize>i << 2), v > 0 ? <f32>1 : <f32>0); }
    }
  }
}

// @ts-ignore: decorator
@inline function bop(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  if (op == 3) return f32x4.div(x, y);
  return v128.and(x, f32x4.gt(y, f32x4.splat(0))); // reluGrad: x where y > 0, else +0
}
// @ts-ignore: decorator
@inline function sop(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  if (op == 3) return x / y;
  return y > 0 ? x : 0;
}

/** One contiguous run of n outputs. */
// @ts-ignore: decorator
@inline function brun(op: i32, Y: usize, A: usize, ia: i32, B: usize, ib: i32, n: i32): void {
  let j = 0;
  if (ia == 1 && ib == 1) {
    for (; j + 4 <= n; j += 4) { const o = <usize>j << 2; v128.store(Y + o, bop(op, v128.load(A + o), v128.load(B + o))); }
    for (; j < n; j++) { const o = <usize>j << 2; store<f32>(Y + o, sop(op, load<f32>(A + o), load<f32>(B + o))); }
  } else if (ia == 1) {
    const bs = load<f32>(B), bv = f32x4.splat(bs);
    for (; j + 4 <= n; j += 4) { const o = <usize>j << 2; v128.store(Y + o, bop(op, v128.load(A + o), bv)); }
    for (; j < n; j++) { const o = <usize>j << 2; store<f32>(Y + o, sop(op, load<f32>(A + o), bs)); }
  } else if (ib == 1) {
    const as = load<f32>(A), av = f32x4.splat(as);
    for (; j + 4 <= n; j += 4) { const o = <usize>j << 2; v128.store(Y + o, bop(op, av, v128.load(B + o))); }
    for (; j < n; j++) { const o = <usize>j << 2; store<f32>(Y + o, sop(op, as, load<f32>(B + o))); }
  } else {
    const v = sop(op, load<f32>(A), load<f32>(B));
    for (; j < n; j++) store<f32>(Y + (<usize>j << 2), v);
  }
}

/** y = a (op) b with broadcasting. args: y, a, b, op, d0, d1, d2, d3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3 */
export function binary(a: usize, tid: i32, nth: i32): void {
  const Y = <usize>arg(a, 0), A = <usize>arg(a, 1), B = <usize>arg(a, 2), op = arg(a, 3);
  const d0 = arg(a, 4), d1 = arg(a, 5), d2 = arg(a, 6), d3 = arg(a, 7);
  const sa0 = arg(a, 8), sa1 = arg(a, 9), sa2 = arg(a, 10), sa3 = arg(a, 11);
  const sb0 = arg(a, 12), sb1 = arg(a, 13), sb2 = arg(a, 14), sb3 = arg(a, 15);
  // Items: (row i0·d1·d2 + i1·d2 + i2, piece of EW_BLOCK outputs of the row).
  const pieces = (d3 + EW_BLOCK - 1) / EW_BLOCK;
  const items = d0 * d1 * d2 * pieces;
  for (let it = next(a); it < items; it = next(a)) {
    const row = it / pieces, j0 = (it - row * pieces) * EW_BLOCK;
    const i2 = row % d2, i1 = (row / d2) % d1, i0 = row / (d1 * d2);
    const len = min(d3, j0 + EW_BLOCK) - j0;
    const y = Y + ((<usize>row * <usize>d3 + <usize>j0) << 2);
    const ao = A + (<usize>(i0 * sa0 + i1 * sa1 + i2 * sa2 + j0 * sa3) << 2);
    const bo = B + (<usize>(i0 * sb0 + i1 * sb1 + i2 * sb2 + j0 * sb3) << 2);
    if (op == 0) brun(0, y, ao, sa3, bo, sb3, len);
    else if (op == 1) brun(1, y, ao, sa3, bo, sb3, len);
    else if (op == 2) brun(2, y, ao, sa3, bo, sb3, len);
    else if (op == 3) brun(3, y, ao, sa3, bo, sb3, len);
    else brun(4, y, ao, sa3, bo, sb3, len);
  }
}

/**
 * Pack a strided matrix into 4-row panels for gemm: dst[p][k][r] = src[(4p + r)·rs + k·cs]
 * (0 for rows past `rows`). args: src, dst, rows, K, rs, cs
 */
export function pack(a: usize, tid: i32, nth: i32): void {
  const S = <usize>arg(a, 0), D = <usize>arg(a, 1), rows = arg(a, 2), K = arg(a, 3), rs = arg(a, 4), cs = arg(a, 5);
  const panels = (rows + 3) >> 2;
  for (let p = next(a); p < panels; p = next(a)) {
    const m0 = p << 2;
    const d = D + (<usize>p * K << 4);
    if (m0 + 4 <= rows && cs == 1) {
      const s0 = S + (<usize>m0 * rs << 2), s1 = s0 + (<usize>rs << 2), s2 = s1 + (<usize>rs << 2), s3 = s2 + (<usize>rs << 2);
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        // 4×4 transpose: rows r of the source become the lanes of each k.
        const o = <usize>k << 2;
        const r0 = v128.load(s0 + o), r1 = v128.load(s1 + o), r2 = v128.load(s2 + o), r3 = v128.load(s3 + o);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const dk = d + (<usize>k << 4);
        v128.store(dk, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(dk, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
        v128.store(dk, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
        v128.store(dk, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
      }
      for (; k < K; k++) {
        const o = <usize>k << 2, dk = d + (<usize>k << 4);
        store<f32>(dk, load<f32>(s0 + o)); store<f32>(dk, load<f32>(s1 + o), 4);
        store<f32>(dk, load<f32>(s2 + o), 8); store<f32>(dk, load<f32>(s3 + o), 12);
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (let r = 0; r < 4; r++) {
          const m = m0 + r;
          store<f32>(d + (<usize>(k * 4 + r) << 2), m < rows ? load<f32>(S + (<usize>(m * rs + k * cs) << 2)) : 0);
        }
      }
    }
  }
}

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

/**
 * Sum over axes, visiting x in flat order as the reference does (each output is a
 * sequential float32 sum). x is seen as d0×d1×d2×d3 (merged axes); os0..os3 are the
 * output strides (0 on summed axes); red3 says whether the innermost axis is summed.
 * args: x, y, d0, d1, d2, d3, os0, os1, os2, red3, ySize
 */
export function rsum(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), d0 = arg(a, 2), d1 = arg(a, 3), d2 = arg(a, 4), d3 = arg(a, 5);
  const os0 = arg(a, 6), os1 = arg(a, 7), os2 = arg(a, 8), red3 = arg(a, 9), ySize = arg(a, 10);
  memory.fill(Y, 0, <usize>ySize << 2);
  let x = X;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const y = Y + (<usize>(i0 * os0 + i1 * os1 + i2 * os2) << 2);
        if (red3) {
          let s = load<f32>(y);
          for (let j = 0; j < d3; j++) s += load<f32>(x + (<usize>j << 2));
          store<f32>(y, s);
        } else {
          let j = 0;
          for (; j + 4 <= d3; j += 4) { const o = <usize>j << 2; v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(x + o))); }
          for (; j < d3; j++) { const o = <usize>j << 2; store<f32>(y + o, load<f32>(y + o) + load<f32>(x + o)); }
        }
        x += <usize>d3 << 2;
      }
    }
  }
}

// ---------------------------------------------------------------- row dots

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
