// The offset-table GEMM behind every convolution and matrix product, and the
// packing of its A operand into 4-row panels (see assembly/kernels.ts for the
// calling convention).
import { arg, argf, madd, next } from './common';

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
