// Convolutions with few output points per image (ResNet-18's late stages at
// 32×32: 1×1 to 4×4 outputs with 256-512 channels) computed over the whole
// batch at once: the per-image GEMM of the other paths has one or a few points
// per 8-point tile there, and streams the whole weight once per image. Here the
// batch's N·P output points are the GEMM's points (im2row / row2im), and a
// separable gather packs any weight layout in wasm instead of a JS loop.
import { arg, next } from './common';

/**
 * Batched im2row: for output point np = (n, oh, ow) and column k = c·T + t,
 * col = x[n][c][oh·sH − pT + dh_t][ow·sW − pL + dw_t], or 0 in the padding.
 * trans 0: col[np][k] (items: points); trans 1: col[k][np] (items: columns k).
 * taps: T pairs (dh, dw) of i32. A pure copy: any thread count gives the same bits.
 * args: x, col, N, C, H, W, outH, outW, sH, sW, pT, pL, T, taps, trans
 */
export function im2row(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), COL = <usize>arg(a, 1), N = arg(a, 2), C = arg(a, 3), H = arg(a, 4), W = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7), sH = arg(a, 8), sW = arg(a, 9), pT = arg(a, 10), pL = arg(a, 11), T = arg(a, 12);
  const taps = <usize>arg(a, 13), trans = arg(a, 14);
  const P = outH * outW, NP = N * P, K = C * T, HW = H * W;
  if (trans == 0) {
    for (let np = next(a); np < NP; np = next(a)) {
      const n = np / P, p = np - n * P, oh = p / outW, ow = p - oh * outW;
      const xb = X + (<usize>n * C * HW << 2);
      let d = COL + (<usize>np * K << 2);
      for (let c = 0; c < C; c++) {
        const xc = xb + (<usize>c * HW << 2);
        for (let t = 0; t < T; t++) {
          const ih = oh * sH - pT + load<i32>(taps + (<usize>t << 3)), iw = ow * sW - pL + load<i32>(taps + (<usize>t << 3), 4);
          store<f32>(d, ih >= 0 && ih < H && iw >= 0 && iw < W ? load<f32>(xc + (<usize>(ih * W + iw) << 2)) : 0);
          d += 4;
        }
      }
    }
  } else {
    for (let k = next(a); k < K; k = next(a)) {
      const c = k / T, t = k - c * T;
      const dh = load<i32>(taps + (<usize>t << 3)), dw = load<i32>(taps + (<usize>t << 3), 4);
      let d = COL + (<usize>k * NP << 2);
      for (let n = 0; n < N; n++) {
        const xc = X + (<usize>(n * C + c) * HW << 2);
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * sH - pT + dh;
          for (let ow = 0; ow < outW; ow++) {
            const iw = ow * sW - pL + dw;
            store<f32>(d, ih >= 0 && ih < H && iw >= 0 && iw < W ? load<f32>(xc + (<usize>(ih * W + iw) << 2)) : 0);
            d += 4;
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2row (trans 1 layout): dx[n][c][ih][iw] = Σ_t Σ_(oh,ow) Z[c·T + t][n·P + oh·outW + ow]
 * over the points whose tap t reads (ih, iw), summed in tap order, then point order.
 * Items: planes (n, c), each computed whole by one thread.
 * args: Z, dx, N, C, H, W, outH, outW, sH, sW, pT, pL, T, taps
 */
export function row2im(a: usize, tid: i32, nth: i32): void {
  const Z = <usize>arg(a, 0), DX = <usize>arg(a, 1), N = arg(a, 2), C = arg(a, 3), H = arg(a, 4), W = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7), sH = arg(a, 8), sW = arg(a, 9), pT = arg(a, 10), pL = arg(a, 11), T = arg(a, 12);
  const taps = <usize>arg(a, 13);
  const P = outH * outW, NP = N * P, HW = H * W, planes = N * C;
  for (let q = next(a); q < planes; q = next(a)) {
    const n = q / C, c = q - n * C;
    const dx = DX + (<usize>q * HW << 2);
    memory.fill(dx, 0, <usize>HW << 2);
    for (let t = 0; t < T; t++) {
      const dh = load<i32>(taps + (<usize>t << 3)), dw = load<i32>(taps + (<usize>t << 3), 4);
      const z = Z + (<usize>((c * T + t) * NP + n * P) << 2);
      for (let oh = 0; oh < outH; oh++) {
        const ih = oh * sH - pT + dh;
        if (ih < 0 || ih >= H) continue;
        for (let ow = 0; ow < outW; ow++) {
          const iw = ow * sW - pL + dw;
          if (iw < 0 || iw >= W) continue;
          const d = dx + (<usize>(ih * W + iw) << 2);
          store<f32>(d, load<f32>(d) + load<f32>(z + (<usize>(oh * outW + ow) << 2)));
        }
      }
    }
  }
}

/**
 * Swap the two outer axes: dst[b][a][0..P) = src[a][b][0..P). Items: b.
 * args: src, dst, A, B, P
 */
export function swap01(a: usize, tid: i32, nth: i32): void {
  const S = <usize>arg(a, 0), D = <usize>arg(a, 1), A = arg(a, 2), B = arg(a, 3), P = arg(a, 4);
  const bytes = <usize>P << 2;
  for (let b = next(a); b < B; b = next(a)) {
    let d = D + (<usize>b * A * P << 2);
    let s = S + (<usize>b * P << 2);
    const step = <usize>B * P << 2;
    for (let i = 0; i < A; i++) {
      memory.copy(d, s, bytes);
      d += bytes;
      s += step;
    }
  }
}

/**
 * Pack rows of a gathered matrix in the GEMM's panels of 4 rows, [panel][k][4]:
 * element (m, k) = src[rowAt[m] + colAt[k]] (0 for rows past `rows`). Every weight
 * layout the convolutions use (taps subsets, transposes, stride phases) is separable
 * like this. Items: panels. args: src, dst, rows, K, rowAt, colAt
 */
export function packg(a: usize, tid: i32, nth: i32): void {
  const S = <usize>arg(a, 0), D = <usize>arg(a, 1), rows = arg(a, 2), K = arg(a, 3);
  const rowAt = <usize>arg(a, 4), colAt = <usize>arg(a, 5);
  const panels = (rows + 3) >> 2;
  for (let p = next(a); p < panels; p = next(a)) {
    const m0 = p << 2;
    let d = D + (<usize>p * K << 4);
    if (m0 + 4 <= rows) {
      const s0 = S + (<usize>load<i32>(rowAt + (<usize>m0 << 2)) << 2), s1 = S + (<usize>load<i32>(rowAt + (<usize>m0 << 2), 4) << 2);
      const s2 = S + (<usize>load<i32>(rowAt + (<usize>m0 << 2), 8) << 2), s3 = S + (<usize>load<i32>(rowAt + (<usize>m0 << 2), 12) << 2);
      for (let k = 0; k < K; k++) {
        const o = <usize>load<i32>(colAt + (<usize>k << 2)) << 2;
        store<f32>(d, load<f32>(s0 + o)); store<f32>(d, load<f32>(s1 + o), 4);
        store<f32>(d, load<f32>(s2 + o), 8); store<f32>(d, load<f32>(s3 + o), 12);
        d += 16;
      }
    } else {
      for (let k = 0; k < K; k++) {
        const o = load<i32>(colAt + (<usize>k << 2));
        for (let r = 0; r < 4; r++) {
          const m = m0 + r;
          store<f32>(d + (<usize>r << 2), m < rows ? load<f32>(S + (<usize>(load<i32>(rowAt + (<usize>m << 2)) + o) << 2)) : 0);
        }
        d += 16;
      }
    }
  }
}
