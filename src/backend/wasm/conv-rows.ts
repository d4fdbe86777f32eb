import type { Tensor } from '../../tensor/index.js';
import type { Conv2DInfo } from '../kernels.js';
import { Arena, gemm, out, packed, rt } from './heap.js';

/*
 * Convolutions with few output points per image (assembly/rows.ts): ResNet-18's
 * late stages at 32×32 have 1×1 to 2×2 outputs with 256-512 channels. The other
 * paths run one GEMM per image there, whose 8-point tiles hold 1-4 real points,
 * streaming the whole packed weight once per image; Winograd computes a 4×4 tile
 * for a 1×1 output and rebuilds 36 floats per weight every training step. Here
 * the batch's N·P output points are the points of one GEMM:
 *   forward  Y'[m][np] = W[m][k] · col[k][np]          (then Y = Y' with n, m swapped)
 *   dx       Z[k][np]  = Wᵀ[k][m] · δ'[m][np]          (then row2im adds Z into dx)
 *   dW       dW[m][k]  = δ[m][np] · col[np][k]
 * with col the batch's im2row (k = input channel × tap). Taps that only read
 * padding are left out when a single tap is left (a 3×3 layer on a 1×1 map).
 */

/**
 * Output points per image up to which a convolution takes this path: below 8 (a
 * tile) always; up to 16 (4×4) unless Winograd takes it. Measured at batch 32, one
 * thread (bench/tools/conv-late.ts): 64×8×8 → 128×4×4, 3×3 stride 2, forward and
 * both gradients 17 → 11 ms; its 1×1 projection 8.8 → 3.4 ms; the Winograd 3×3
 * stride-1 layer 128×4×4 is slower this way (9.6 → 22 ms).
 */
const ROWS_POINTS = 8;
const ROWS_POINTS_NO_WINOGRAD = 16;
/** Largest im2row buffer (floats) this path allocates; larger layers keep the per-image paths. */
const MAX_COL_FLOATS = 1 << 23;

/** The kernel rows and columns that read the input for at least one output point (the others read only padding). */
export function liveRowsCols(c: Conv2DInfo): { rows: number[]; cols: number[] } {
  const reads = (k: number, d: number, s: number, pad: number, outN: number, inN: number) => {
    for (let o = 0; o < outN; o++) {
      const i = o * s + k * d - pad;
      if (i >= 0 && i < inN) return true;
    }
    return false;
  };
  return {
    rows: [...Array(c.kH).keys()].filter((kh) => reads(kh, c.dilationH, c.strideH, c.padTop, c.outH, c.inH)),
    cols: [...Array(c.kW).keys()].filter((kw) => reads(kw, c.dilationW, c.strideW, c.padLeft, c.outW, c.inW)),
  };
}

/** The taps this path computes: all, or the one tap that reads the input when only one does. */
function tapsOf(c: Conv2DInfo): { T: number; tapIdx: number[]; pairs: Int32Array } {
  const { rows, cols } = liveRowsCols(c);
  const tapIdx: number[] = [];
  if (rows.length === 1 && cols.length === 1) tapIdx.push(rows[0] * c.kW + cols[0]);
  else for (let t = 0; t < c.kH * c.kW; t++) tapIdx.push(t);
  const pairs = new Int32Array(2 * tapIdx.length);
  tapIdx.forEach((t, i) => {
    pairs[2 * i] = Math.floor(t / c.kW) * c.dilationH;
    pairs[2 * i + 1] = (t % c.kW) * c.dilationW;
  });
  return { T: tapIdx.length, tapIdx, pairs };
}

/** Whether this convolution takes the batched path (one group, few output points per image, a bounded im2row); `winograd`: Winograd would take it. */
export function useRows(c: Conv2DInfo, winograd: boolean): boolean {
  const P = c.outH * c.outW;
  const few = P < ROWS_POINTS || (P <= ROWS_POINTS_NO_WINOGRAD && !winograd);
  return c.groups === 1 && P > 0 && few && c.batch * P * c.inChannels * c.kH * c.kW <= MAX_COL_FLOATS;
}

/**
 * Pack a gathered matrix, element (m, k) = src[rowAt[m] + colAt[k]], into the GEMM's
 * 4-row panels at float offset `at` of the heap (assembly/rows.ts packg).
 */
export function packGathered(ar: Arena, src: number, at: number, rowAt: Int32Array, colAt: Int32Array): void {
  rt.run('packg', [src, at * 4, rowAt.length, colAt.length, ar.putInt(rowAt), ar.putInt(colAt)], rowAt.length * colAt.length);
}

/** A weight packed by packGathered, cached per weight version under `key` (its heap copy made in `ar` on a miss). */
export function packedWeight(ar: Arena, w: Tensor, key: string, rowAt: Int32Array, colAt: Int32Array): number {
  const floats = Math.ceil(rowAt.length / 4) * 4 * colAt.length;
  return packed(w, key, floats, (_f, at) => packGathered(ar, ar.put(w.data as Float32Array), at, rowAt, colAt));
}

/** im2row of x (already in the heap at xp), with 64 floats of zeroed slack after it. */
function im2row(ar: Arena, xp: number, c: Conv2DInfo, t: ReturnType<typeof tapsOf>, trans: 0 | 1): number {
  const NP = c.batch * c.outH * c.outW;
  const K = c.inChannels * t.T;
  const col = ar.alloc(NP * K + 64);
  ar.zero(col, NP * K, 64);
  rt.run('im2row', [xp, col, c.batch, c.inChannels, c.inH, c.inW, c.outH, c.outW, c.strideH, c.strideW, c.padTop, c.padLeft, t.T, ar.putInt(t.pairs), trans], NP * K);
  return col;
}

/** (k, m) ↦ W[m][c][tap] index parts: the weight's row offsets per output channel and column offsets per (c, t). */
function weightIndex(c: Conv2DInfo, t: ReturnType<typeof tapsOf>): { perM: Int32Array; perK: Int32Array } {
  const kk = c.kH * c.kW;
  const perM = Int32Array.from({ length: c.outChannels }, (_, m) => m * c.inChannels * kk);
  const perK = new Int32Array(c.inChannels * t.T);
  for (let ci = 0; ci < c.inChannels; ci++) for (let j = 0; j < t.T; j++) perK[ci * t.T + j] = ci * kk + t.tapIdx[j];
  return { perM, perK };
}

/** Dense GEMM Y[m][q] = Σ_k A[m][k] · X[k·Q + q] over Q points (X rows of length Q). */
function denseGemm(ar: Arena, A: number, X: number, Y: number, M: number, K: number, Q: number, bias: number): void {
  const off = ar.putInt(Int32Array.from({ length: K }, (_, k) => k * Q));
  gemm(ar, { A, aSN: 0, aSG: 0, K, off, X, xSN: 0, xSG: 0, Y, ySN: 0, ySG: 0, M, rows: 1, N: 1, G: 1, bias, Wq: Q, outW: Q, dR: Q, dPm: Q });
}

export function rowsConv(ar: Arena, xp: number, w: Tensor, bias: number, c: Conv2DInfo): Tensor {
  const t = tapsOf(c);
  const P = c.outH * c.outW, NP = c.batch * P, K = c.inChannels * t.T, M = c.outChannels;
  const { perM, perK } = weightIndex(c, t);
  const A = packedWeight(ar, w, `rows-f:${t.tapIdx.join('.')}`, perM, perK);
  const col = im2row(ar, xp, c, t, 1);
  const yt = ar.alloc(M * NP);
  denseGemm(ar, A, col, yt, M, K, NP, bias);
  const y = ar.alloc(M * NP);
  rt.run('swap01', [yt, y, M, c.batch, P], M * NP);
  return out(y, M * NP, [c.batch, M, c.outH, c.outW]);
}

/** δ (in the heap at dyp) with its batch and channel axes swapped: δ'[m][n][p]. */
function dySwapped(ar: Arena, dyp: number, c: Conv2DInfo): number {
  const P = c.outH * c.outW;
  const d = ar.alloc(c.outChannels * c.batch * P + 64);
  ar.zero(d, c.outChannels * c.batch * P, 64);
  rt.run('swap01', [dyp, d, c.batch, c.outChannels, P], c.outChannels * c.batch * P);
  return d;
}

export function rowsInputGrad(ar: Arena, dyp: number, w: Tensor, c: Conv2DInfo): Tensor {
  const t = tapsOf(c);
  const P = c.outH * c.outW, NP = c.batch * P, K = c.inChannels * t.T, M = c.outChannels;
  const { perM, perK } = weightIndex(c, t);
  const A = packedWeight(ar, w, `rows-t:${t.tapIdx.join('.')}`, perK, perM);
  const Z = ar.alloc(K * NP);
  denseGemm(ar, A, dySwapped(ar, dyp, c), Z, K, M, NP, 0);
  const n = c.batch * c.inChannels * c.inH * c.inW;
  const dx = ar.alloc(n);
  rt.run('row2im', [Z, dx, c.batch, c.inChannels, c.inH, c.inW, c.outH, c.outW, c.strideH, c.strideW, c.padTop, c.padLeft, t.T, ar.putInt(t.pairs)], K * NP);
  return out(dx, n, [c.batch, c.inChannels, c.inH, c.inW]);
}

export function rowsFilterGrad(ar: Arena, xp: number, dyp: number, c: Conv2DInfo): Tensor {
  const t = tapsOf(c);
  const P = c.outH * c.outW, NP = c.batch * P, K = c.inChannels * t.T, M = c.outChannels, kk = c.kH * c.kW;
  // A = δ as M rows of the batch's points: δ[n][m][p] at n·M·P + m·P + p.
  const A = ar.alloc(Math.ceil(M / 4) * 4 * NP);
  const colAt = new Int32Array(NP);
  for (let n = 0; n < c.batch; n++) for (let p = 0; p < P; p++) colAt[n * P + p] = n * M * P + p;
  packGathered(ar, dyp, A >> 2, Int32Array.from({ length: M }, (_, m) => m * P), colAt);
  const col = im2row(ar, xp, c, t, 0);
  const off = ar.putInt(Int32Array.from({ length: NP }, (_, q) => q * K));
  const n = M * c.inChannels * kk;
  const dW = ar.alloc(n);
  const common = { A, aSN: 0, aSG: 0, K: NP, off, X: col, xSN: 0, xSG: 0, Y: dW, ySN: 0, ySG: 0, M, N: 1, G: 1, bias: 0 };
  if (t.T === kk) gemm(ar, { ...common, rows: 1, Wq: K, outW: K, dR: K, dPm: K });
  else {
    // One live tap: row c of the grid is input channel c, written to its tap's place; the other taps only read padding.
    ar.zero(dW, 0, n);
    gemm(ar, { ...common, rows: c.inChannels, Wq: 1, outW: 1, dR: kk, dPm: c.inChannels * kk, c0: t.tapIdx[0] });
  }
  return out(dW, n, [M, c.inChannels, c.kH, c.kW]);
}
