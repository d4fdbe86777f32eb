// Winograd F(4×4, 3×3) convolution (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", CVPR 2016). A 4×4 tile of outputs comes from a
// 6×6 tile of inputs as Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A: 36 multiplies per
// (input channel, output channel, tile) instead of 16·9 = 144. The sum over c is,
// for each of the 36 positions ξ, one matrix product V_ξ (Cout×C) · U_ξ (C×tiles),
// run by the offset-table `gemm` in kernels.ts; this file holds the three
// transforms around it. Interpolation points 0, ±1, ±2, ∞:
//
//   Bᵀ = [4  0 −5  0 1 0]   G = [ 1/4     0     0 ]   Aᵀ = [1 1  1 1  1 0]
//        [0 −4 −4  1 1 0]       [−1/6  −1/6  −1/6 ]        [0 1 −1 2 −2 0]
//        [0  4 −4 −1 1 0]       [−1/6   1/6  −1/6 ]        [0 1  1 4  4 0]
//        [0 −2 −1  2 1 0]       [1/24  1/12   1/6 ]        [0 1 −1 8 −8 1]
//        [0  2 −1 −2 1 0]       [1/24 −1/12   1/6 ]
//        [0  4  0 −5 0 1]       [   0     0     1 ]
//
// Every transform is vectorised over 4 neighbours (4 tiles of a tile row, or 4
// output channels of a weight panel); work items are whole planes, so results do
// not depend on the thread count.
import { arg, next } from './common';

// @ts-ignore: decorator
@inline function k(v: f32): v128 {
  return f32x4.splat(v);
}

/** Bᵀ applied to 6 values d0..d5 (vectors), results written to p, p+st, ..., p+5·st. */
// @ts-ignore: decorator
@inline function inputRow(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, p: usize, st: usize): void {
  const s = f32x4.sub(d4, f32x4.mul(k(4), d2));
  const t = f32x4.sub(f32x4.mul(k(4), d1), d3);
  const u = f32x4.sub(d4, d2);
  const w = f32x4.mul(k(2), f32x4.sub(d3, d1));
  v128.store(p, f32x4.add(f32x4.sub(f32x4.mul(k(4), d0), f32x4.mul(k(5), d2)), d4));
  v128.store(p + st, f32x4.sub(s, t));
  v128.store(p + 2 * st, f32x4.add(s, t));
  v128.store(p + 3 * st, f32x4.add(u, w));
  v128.store(p + 4 * st, f32x4.sub(u, w));
  v128.store(p + 5 * st, f32x4.add(f32x4.sub(f32x4.mul(k(4), d1), f32x4.mul(k(5), d3)), d5));
}

/** Aᵀ applied to 6 values m0..m5, the 4 results written to p, p+st, p+2·st, p+3·st. */
// @ts-ignore: decorator
@inline function outputRow(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, p: usize, st: usize): void {
  const a = f32x4.add(m1, m2), b = f32x4.sub(m1, m2), c = f32x4.add(m3, m4), d = f32x4.sub(m3, m4);
  v128.store(p, f32x4.add(f32x4.add(m0, a), c));
  v128.store(p + st, f32x4.add(b, f32x4.mul(k(2), d)));
  v128.store(p + 2 * st, f32x4.add(a, f32x4.mul(k(4), c)));
  v128.store(p + 3 * st, f32x4.add(f32x4.add(b, f32x4.mul(k(8), d)), m5));
}

/** G applied to 3 values g0..g2, the 6 results written to p, p+st, ..., p+5·st. */
// @ts-ignore: decorator
@inline function weightRow(g0: v128, g1: v128, g2: v128, p: usize, st: usize): void {
  const e = f32x4.add(g0, g2);
  const s6 = f32x4.mul(k(<f32>(1.0 / 6.0)), f32x4.add(e, g1));
  const d6 = f32x4.mul(k(<f32>(1.0 / 6.0)), f32x4.sub(e, g1));
  const q = f32x4.add(f32x4.mul(k(<f32>(1.0 / 24.0)), g0), f32x4.mul(k(<f32>(1.0 / 6.0)), g2));
  const r = f32x4.mul(k(<f32>(1.0 / 12.0)), g1);
  v128.store(p, f32x4.mul(k(0.25), g0));
  v128.store(p + st, f32x4.neg(s6));
  v128.store(p + 2 * st, f32x4.neg(d6));
  v128.store(p + 3 * st, f32x4.add(q, r));
  v128.store(p + 4 * st, f32x4.sub(q, r));
  v128.store(p + 5 * st, g2);
}

/**
 * Weight transform V = G g Gᵀ for 4 output channels at a time, written in the
 * gemm's packed layout V[ξ][panel][c][4] (channels past M are zero).
 * Weight element (m, c, tap) is read at W + 4·(m·sM + c·sC + tap), or tap 8 − tap
 * when `rot` (the 180°-rotated kernel of the input gradient).
 * args: W, V, M, C, sM, sC, rot, scratch, scratchStride
 */
export function wino_w(a: usize, tid: i32, nth: i32): void {
  const W = <usize>arg(a, 0), V = <usize>arg(a, 1), M = arg(a, 2), C = arg(a, 3), sM = arg(a, 4), sC = arg(a, 5), rot = arg(a, 6);
  const S = <usize>arg(a, 7) + <usize>tid * <usize>arg(a, 8);
  const panels = (M + 3) >> 2;
  const items = panels * C;
  const xs = <usize>panels * C * 16; // bytes between positions ξ
  for (let it = next(a); it < items; it = next(a)) {
    const p = it / C, c = it - p * C;
    // g[tap] for the 4 channels of the panel, gathered lane by lane.
    for (let tap = 0; tap < 9; tap++) {
      let v = f32x4.splat(0);
      const src = rot ? 8 - tap : tap;
      for (let r = 0; r < 4; r++) {
        const m = p * 4 + r;
        if (m < M) v = f32x4.replace_lane(v, 0, load<f32>(W + ((<usize>m * sM + <usize>c * sC + src) << 2)));
        v = v128.shuffle<f32>(v, v, 1, 2, 3, 0);
      }
      v128.store(S + (<usize>tap << 4), v);
    }
    // Columns: Gg (6×3) at S + 144, then rows: (Gg)Gᵀ straight into V.
    for (let j = 0; j < 3; j++) {
      weightRow(v128.load(S + (<usize>j << 4)), v128.load(S + (<usize>(3 + j) << 4)), v128.load(S + (<usize>(6 + j) << 4)), S + 144 + (<usize>j << 4), 48);
    }
    const base = V + ((<usize>p * C + c) << 4);
    for (let i = 0; i < 6; i++) {
      const row = S + 144 + <usize>i * 48;
      weightRow(v128.load(row), v128.load(row, 16), v128.load(row, 32), base + <usize>i * 6 * xs, xs);
    }
  }
}

/**
 * Bᵀ d B for 4 neighbouring tiles of one plane (rows 4th..4th+5 from `rp`, columns
 * 16·g .. 16·g + 19): the 36 positions ξ, each a vector over the 4 tiles, into S2[ξ]
 * (S: 576 bytes of row results).
 */
// @ts-ignore: decorator
@inline function inputTiles(rp: usize, rowBytes: usize, S: usize, S2: usize): void {
  // Rows: Bᵀ along each of the 6 input rows, 4 tiles per vector. Column j of
  // tile i is x[16·g + 4i + j]: a 4×4 transpose of x[0..16) gives columns 0..3,
  // and of x[4..20) columns 4 and 5.
  for (let r = 0; r < 6; r++) {
    const L0 = v128.load(rp), L1 = v128.load(rp, 16), L2 = v128.load(rp, 32), L3 = v128.load(rp, 48), L4 = v128.load(rp, 64);
    const t0 = v128.shuffle<f32>(L0, L1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(L2, L3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(L0, L1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(L2, L3, 2, 6, 3, 7);
    const u0 = v128.shuffle<f32>(L1, L2, 0, 4, 1, 5), u1 = v128.shuffle<f32>(L3, L4, 0, 4, 1, 5);
    inputRow(
      v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7),
      v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), v128.shuffle<f32>(t2, t3, 2, 3, 6, 7),
      v128.shuffle<f32>(u0, u1, 0, 1, 4, 5), v128.shuffle<f32>(u0, u1, 2, 3, 6, 7),
      S + <usize>r * 96, 16,
    );
    rp += rowBytes;
  }
  // Columns: Bᵀ down each of the 6 columns of the row results, into S2[ξy][ξx].
  for (let x = 0; x < 6; x++) {
    const q = S + (<usize>x << 4);
    inputRow(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), v128.load(q, 384), v128.load(q, 480), S2 + (<usize>x << 4), 96);
  }
}

/**
 * Input transform. Xp: zero-padded planes (N·C of them, plane stride ds floats,
 * rows Wq wide with Wq >= 16·ceil(tW/4) + 4, at least 4·tH + 2 rows); tile (th, tw)
 * reads rows 4th..4th+5, columns 4tw..4tw+5. U[ξ][c][t] with t = n·tH·tW + th·tW + tw,
 * T tiles in all; or, when `byTile`, U[ξ][t][c] (the layout the filter gradient's
 * GEMM reads): then an item is 4 channels, whose 4×4 blocks (channels × tiles) are
 * transposed so that each tile's 4 channels go out as one vector store (written one
 * float at a time, C apart, every cache line of U was fetched and written back up
 * to 16 times: (c)'s filter gradient spent 11.6 of 28 ms here).
 * Scratch per thread: 576 bytes of row results + 4 × 576 of positions.
 * args: Xp, U, C, N, tH, tW, Wq, ds, T, scratch, scratchStride, byTile
 */
export function wino_in(a: usize, tid: i32, nth: i32): void {
  const Xp = <usize>arg(a, 0), U = <usize>arg(a, 1), C = arg(a, 2), N = arg(a, 3), tH = arg(a, 4), tW = arg(a, 5);
  const Wq = arg(a, 6), ds = arg(a, 7), T = arg(a, 8);
  const S = <usize>arg(a, 9) + <usize>tid * <usize>arg(a, 10);
  const byTile = arg(a, 11) != 0;
  const xs = <usize>C * T << 2; // bytes between positions ξ
  const rowBytes = <usize>Wq << 2;
  const S2 = S + 576;
  if (byTile) {
    const groups = (C + 3) >> 2;
    const cs = <usize>C << 2;
    for (let it = next(a); it < N * groups; it = next(a)) {
      const n = it / groups, c0 = (it - n * groups) << 2;
      const nc = C - c0 < 4 ? C - c0 : 4;
      for (let th = 0; th < tH; th++) {
        for (let tw0 = 0; tw0 < tW; tw0 += 4) {
          const off = <usize>(4 * th) * rowBytes + (<usize>tw0 << 4);
          for (let ci = 0; ci < nc; ci++) {
            inputTiles(Xp + (<usize>(n * C + c0 + ci) * ds << 2) + off, rowBytes, S, S2 + <usize>ci * 576);
          }
          const t = n * tH * tW + th * tW + tw0;
          const valid = tW - tw0 < 4 ? tW - tw0 : 4;
          let up = U + ((<usize>t * C + c0) << 2);
          for (let e = 0; e < 36; e++) {
            const q = S2 + (<usize>e << 4);
            if (nc == 4) {
              // rows: channels; lanes: tiles → rows: tiles; lanes: channels
              const r0 = v128.load(q), r1 = v128.load(q, 576), r2 = v128.load(q, 1152), r3 = v128.load(q, 1728);
              const a0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), a1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
              const b0 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), b1 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
              v128.store(up, v128.shuffle<f32>(a0, a1, 0, 1, 4, 5));
              if (valid > 1) v128.store(up + cs, v128.shuffle<f32>(a0, a1, 2, 3, 6, 7));
              if (valid > 2) v128.store(up + 2 * cs, v128.shuffle<f32>(b0, b1, 0, 1, 4, 5));
              if (valid > 3) v128.store(up + 3 * cs, v128.shuffle<f32>(b0, b1, 2, 3, 6, 7));
            } else {
              for (let ci = 0; ci < nc; ci++) {
                const v = v128.load(q + <usize>ci * 576);
                const u = up + (<usize>ci << 2);
                store<f32>(u, f32x4.extract_lane(v, 0));
                if (valid > 1) store<f32>(u + cs, f32x4.extract_lane(v, 1));
                if (valid > 2) store<f32>(u + 2 * cs, f32x4.extract_lane(v, 2));
                if (valid > 3) store<f32>(u + 3 * cs, f32x4.extract_lane(v, 3));
              }
            }
            up += xs;
          }
        }
      }
    }
    return;
  }
  for (let it = next(a); it < N * C; it = next(a)) {
    const n = it / C, c = it - n * C;
    const plane = Xp + (<usize>it * ds << 2);
    const uc = U + (<usize>c * T << 2);
    for (let th = 0; th < tH; th++) {
      for (let tw0 = 0; tw0 < tW; tw0 += 4) {
        inputTiles(plane + <usize>(4 * th) * rowBytes + (<usize>tw0 << 4), rowBytes, S, S2);
        const t = n * tH * tW + th * tW + tw0;
        const valid = tW - tw0 < 4 ? tW - tw0 : 4;
        let up = uc + (<usize>t << 2);
        for (let e = 0; e < 36; e++) {
          const v = v128.load(S2 + (<usize>e << 4));
          if (valid == 4) v128.store(up, v);
          else {
            store<f32>(up, f32x4.extract_lane(v, 0));
            if (valid > 1) store<f32>(up, f32x4.extract_lane(v, 1), 4);
            if (valid > 2) store<f32>(up, f32x4.extract_lane(v, 2), 8);
          }
          up += xs;
        }
      }
    }
  }
}

/**
 * Output transform. Mx[ξ][m][t] (T tiles, at least 3 floats of slack after the
 * last) → Y planes (N·M of them, outH × outW), plus bias[m] when bias != 0.
 * args: Mx, Y, bias, M, N, tH, tW, T, outH, outW, scratch, scratchStride
 */
export function wino_out(a: usize, tid: i32, nth: i32): void {
  const Mx = <usize>arg(a, 0), Y = <usize>arg(a, 1), bias = <usize>arg(a, 2), M = arg(a, 3), N = arg(a, 4);
  const tH = arg(a, 5), tW = arg(a, 6), T = arg(a, 7), outH = arg(a, 8), outW = arg(a, 9);
  const S = <usize>arg(a, 10) + <usize>tid * <usize>arg(a, 11);
  const xs = <usize>M * T << 2;
  for (let it = next(a); it < N * M; it = next(a)) {
    const n = it / M, m = it - n * M;
    const yp = Y + (<usize>it * outH * outW << 2);
    const bv = bias ? v128.load32_splat(bias + (<usize>m << 2)) : f32x4.splat(0);
    const mc = Mx + (<usize>m * T << 2);
    for (let th = 0; th < tH; th++) {
      for (let tw0 = 0; tw0 < tW; tw0 += 4) {
        const src = mc + (<usize>(n * tH * tW + th * tW + tw0) << 2);
        // Aᵀ along ξx for each ξy: S[ξy][j], then along ξy: S2[i][j].
        for (let y = 0; y < 6; y++) {
          const p = src + <usize>y * 6 * xs;
          outputRow(v128.load(p), v128.load(p + xs), v128.load(p + 2 * xs), v128.load(p + 3 * xs), v128.load(p + 4 * xs), v128.load(p + 5 * xs), S + <usize>y * 64, 16);
        }
        const S2 = S + 384;
        for (let j = 0; j < 4; j++) {
          const q = S + (<usize>j << 4);
          outputRow(v128.load(q), v128.load(q, 64), v128.load(q, 128), v128.load(q, 192), v128.load(q, 256), v128.load(q, 320), S2 + (<usize>j << 4), 64);
        }
        const valid = tW - tw0 < 4 ? tW - tw0 : 4;
        const col0 = tw0 * 4;
        for (let i = 0; i < 4; i++) {
          const row = th * 4 + i;
          if (row >= outH) break;
          // S2[i][j] holds pixel j of 4 tiles: transpose to 4 pixels per tile.
          const q = S2 + <usize>i * 64;
          const o0 = v128.load(q), o1 = v128.load(q, 16), o2 = v128.load(q, 32), o3 = v128.load(q, 48);
          const a0 = v128.shuffle<f32>(o0, o1, 0, 4, 1, 5), a1 = v128.shuffle<f32>(o2, o3, 0, 4, 1, 5);
          const a2 = v128.shuffle<f32>(o0, o1, 2, 6, 3, 7), a3 = v128.shuffle<f32>(o2, o3, 2, 6, 3, 7);
          const w0 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 1, 4, 5), bv), w1 = f32x4.add(v128.shuffle<f32>(a0, a1, 2, 3, 6, 7), bv);
          const w2 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 1, 4, 5), bv), w3 = f32x4.add(v128.shuffle<f32>(a2, a3, 2, 3, 6, 7), bv);
          const d = yp + (<usize>(row * outW + col0) << 2);
          if (valid == 4 && col0 + 16 <= outW) {
            v128.store(d, w0); v128.store(d, w1, 16); v128.store(d, w2, 32); v128.store(d, w3, 48);
          } else {
            v128.store(S2 + 256, w0); v128.store(S2 + 272, w1); v128.store(S2 + 288, w2); v128.store(S2 + 304, w3);
            let cols = outW - col0;
            if (cols > valid * 4) cols = valid * 4;
            for (let j = 0; j < cols; j++) store<f32>(d + (<usize>j << 2), load<f32>(S2 + 256 + (<usize>j << 2)));
          }
        }
      }
    }
  }
}

/** A applied to 4 values d0..d3 (Δ = A δ Aᵀ, the adjoint of the output transform), 6 results to p, p+st, ... */
// @ts-ignore: decorator
@inline function gradRow(d0: v128, d1: v128, d2: v128, d3: v128, p: usize, st: usize): void {
  const e = f32x4.add(d0, d2), o = f32x4.add(d1, d3);
  const e4 = f32x4.add(d0, f32x4.mul(k(4), d2)), o4 = f32x4.add(f32x4.mul(k(2), d1), f32x4.mul(k(8), d3));
  v128.store(p, d0);
  v128.store(p + st, f32x4.add(e, o));
  v128.store(p + 2 * st, f32x4.sub(e, o));
  v128.store(p + 3 * st, f32x4.add(e4, o4));
  v128.store(p + 4 * st, f32x4.sub(e4, o4));
  v128.store(p + 5 * st, d3);
}

/** Gᵀ applied to 6 values m0..m5 (dW = Gᵀ M G, the adjoint of the weight transform), 3 results to p, p+st, p+2·st. */
// @ts-ignore: decorator
@inline function filterRow(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, p: usize, st: usize): void {
  const a = f32x4.add(m1, m2), b = f32x4.sub(m2, m1), c = f32x4.add(m3, m4), d = f32x4.sub(m3, m4);
  v128.store(p, f32x4.add(f32x4.sub(f32x4.mul(k(0.25), m0), f32x4.mul(k(<f32>(1.0 / 6.0)), a)), f32x4.mul(k(<f32>(1.0 / 24.0)), c)));
  v128.store(p + st, f32x4.add(f32x4.mul(k(<f32>(1.0 / 6.0)), b), f32x4.mul(k(<f32>(1.0 / 12.0)), d)));
  v128.store(p + 2 * st, f32x4.add(f32x4.mul(k(<f32>(1.0 / 6.0)), f32x4.sub(c, a)), m5));
}

/**
 * Output-gradient transform for the filter gradient, dW = Gᵀ [Σ_t (A δ_t Aᵀ) ⊙ U_t] G:
 * Δ[ξ][m][t] = (A δ Aᵀ)[ξ] for each 4×4 tile of δ, vectorised over 4 output
 * channels (a panel) and written in the GEMM's packed layout Ap[ξ][panel][t][4].
 * D: zero-padded δ planes (N·M of them, plane stride ds, rows Wd >= 4·tW wide,
 * at least 4·tH rows).
 * args: D, Ap, M, N, tH, tW, Wd, ds, T, scratch, scratchStride
 */
export function wino_dy(a: usize, tid: i32, nth: i32): void {
  const D = <usize>arg(a, 0), Ap = <usize>arg(a, 1), M = arg(a, 2), N = arg(a, 3), tH = arg(a, 4), tW = arg(a, 5);
  const Wd = arg(a, 6), ds = arg(a, 7), T = arg(a, 8);
  const S = <usize>arg(a, 9) + <usize>tid * <usize>arg(a, 10);
  const panels = (M + 3) >> 2;
  const xs = <usize>panels * T << 4; // bytes between positions ξ
  const rowBytes = <usize>Wd << 2;
  for (let it = next(a); it < N * panels; it = next(a)) {
    const n = it / panels, p = it - n * panels;
    const m0 = p << 2;
    // Planes of the panel's 4 channels (missing ones read the first and are zeroed below).
    const pl0 = D + ((<usize>(n * M + m0) * <usize>ds) << 2);
    const pl1 = m0 + 1 < M ? pl0 + (<usize>ds << 2) : pl0;
    const pl2 = m0 + 2 < M ? pl0 + (<usize>(2 * ds) << 2) : pl0;
    const pl3 = m0 + 3 < M ? pl0 + (<usize>(3 * ds) << 2) : pl0;
    const live = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(1), 1, m0 + 1 < M ? 1 : 0), 2, m0 + 2 < M ? 1 : 0), 3, m0 + 3 < M ? 1 : 0);
    for (let th = 0; th < tH; th++) {
      for (let tw = 0; tw < tW; tw++) {
        const o = <usize>(4 * th) * rowBytes + (<usize>tw << 4);
        // Rows i of the tile: transpose so that lanes are the 4 channels, then A along the row.
        for (let i = 0; i < 4; i++) {
          const q = o + <usize>i * rowBytes;
          const r0 = v128.load(pl0 + q), r1 = v128.load(pl1 + q), r2 = v128.load(pl2 + q), r3 = v128.load(pl3 + q);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          gradRow(
            f32x4.mul(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), live), f32x4.mul(v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), live),
            f32x4.mul(v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), live), f32x4.mul(v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), live),
            S + <usize>i * 96, 16,
          );
        }
        // Columns: A down each of the 6 columns, straight into the packed layout.
        const t = n * tH * tW + th * tW + tw;
        const base = Ap + ((<usize>p * T + t) << 4);
        for (let x = 0; x < 6; x++) {
          const q = S + (<usize>x << 4);
          gradRow(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), base + <usize>x * xs, 6 * xs);
        }
      }
    }
  }
}

/**
 * Filter-gradient output transform: dW[m][c][3×3] = Gᵀ Mw[·][m][c] G, 4 input
 * channels at a time. Mw[ξ][m][c] (at least 3 floats of slack after the last).
 * args: Mw, dW, M, C, scratch, scratchStride
 */
export function wino_dw(a: usize, tid: i32, nth: i32): void {
  const Mw = <usize>arg(a, 0), dW = <usize>arg(a, 1), M = arg(a, 2), C = arg(a, 3);
  const S = <usize>arg(a, 4) + <usize>tid * <usize>arg(a, 5);
  const cg = (C + 3) >> 2;
  const xs = <usize>M * C << 2;
  for (let it = next(a); it < M * cg; it = next(a)) {
    const m = it / cg, c0 = (it - m * cg) << 2;
    const src = Mw + ((<usize>m * C + c0) << 2);
    // Gᵀ along ξx for each ξy: S[ξy][kw], then along ξy: S2[kh][kw].
    for (let y = 0; y < 6; y++) {
      const q = src + <usize>y * 6 * xs;
      filterRow(v128.load(q), v128.load(q + xs), v128.load(q + 2 * xs), v128.load(q + 3 * xs), v128.load(q + 4 * xs), v128.load(q + 5 * xs), S + <usize>y * 48, 16);
    }
    const S2 = S + 288;
    for (let x = 0; x < 3; x++) {
      const q = S + (<usize>x << 4);
      filterRow(v128.load(q), v128.load(q, 48), v128.load(q, 96), v128.load(q, 144), v128.load(q, 192), v128.load(q, 240), S2 + (<usize>x << 4), 48);
    }
    const valid = C - c0 < 4 ? C - c0 : 4;
    for (let l = 0; l < valid; l++) {
      const d = dW + ((<usize>(m * C + c0 + l) * 9) << 2);
      for (let e = 0; e < 9; e++) store<f32>(d + (<usize>e << 2), load<f32>(S2 + (<usize>e << 4) + (<usize>l << 2)));
    }
  }
}
