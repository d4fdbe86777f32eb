import { ArgumentError, type Tensor } from '../../tensor/index.js';
import type { Conv2DInfo } from '../kernels.js';
import { Arena, gemm, outByImages, packed, rt } from './heap.js';

/*
 * Winograd F(4×4, 3×3) for 3×3, stride-1 convolutions (assembly/winograd.ts):
 * 36 multiplies per 4×4 output tile and channel pair instead of 144. Three passes
 * over the whole batch: input transform → 36 independent GEMMs (V_ξ · U_ξ, the
 * same offset-table GEMM as the direct path) → output transform (+ bias).
 * Rounding differs from the direct sum (the transforms scale values by up to 8
 * and use 1/6, 1/24), within the float32 parity tolerances of the wasm tests;
 * `setConvAlgorithm('direct')` turns it off.
 */

export type ConvAlgorithm = 'auto' | 'direct' | 'winograd';
let algorithm: ConvAlgorithm = 'auto';

const SCRATCH = 4096; // bytes per thread for the transforms' 6×6 tiles (wino_in: 576 + 4 × 576)
// Transformed tiles (U and Mx) per chunk of images: an L3-sized share, measured
// ~15% faster than whole batches on (c) (8×64×56×56); much smaller chunks cost more
// in per-pass synchronisation than they save.
const CHUNK_BYTES = 8 << 20;
const MAX_IMAGE_BYTES = 256 << 20;

/**
 * How the wasm backend computes 3×3 stride-1 convolutions: 'auto' (Winograd where
 * it is measured to be faster), 'winograd' (wherever it applies) or 'direct'.
 */
export function setConvAlgorithm(a: ConvAlgorithm): void {
  if (a !== 'auto' && a !== 'direct' && a !== 'winograd') {
    throw new ArgumentError('setConvAlgorithm', `expected 'auto', 'direct' or 'winograd', got ${JSON.stringify(a)}`);
  }
  algorithm = a;
}

export function getConvAlgorithm(): ConvAlgorithm {
  return algorithm;
}

/** One Winograd convolution: N·C input planes H×W → N·M output planes outH×outW. */
export interface WinogradShape {
  N: number; C: number; H: number; W: number; M: number;
  padT: number; padL: number; outH: number; outW: number;
}

/** The convolution's own shape (its forward pass and filter gradient). */
export function forwardShape(c: Conv2DInfo): WinogradShape {
  return { N: c.batch, C: c.inChannels, H: c.inH, W: c.inW, M: c.outChannels, padT: c.padTop, padL: c.padLeft, outH: c.outH, outW: c.outW };
}

/** Its input gradient at stride 1: δy, padded by 2 − pad, convolved with the rotated kernel into δx. */
export function inputGradShape(c: Conv2DInfo): WinogradShape {
  return { N: c.batch, C: c.outChannels, H: c.outH, W: c.outW, M: c.inChannels, padT: 2 - c.padTop, padL: 2 - c.padLeft, outH: c.inH, outW: c.inW };
}

/** Whether Winograd computes this convolution (3×3, stride 1, dilation 1, one group). */
export function useWinograd(c: Conv2DInfo, s: WinogradShape): boolean {
  if (algorithm === 'direct') return false;
  const fits = c.kH === 3 && c.kW === 3 && c.strideH === 1 && c.strideW === 1 && c.dilationH === 1 && c.dilationW === 1 &&
    c.groups === 1 && s.padT >= 0 && s.padT <= 2 && s.padL >= 0 && s.padL <= 2 && s.outH > 0 && s.outW > 0;
  // One image's transformed tiles (U and Mx) are the smallest chunk: past 256 MB
  // (e.g. 64 channels at 1000×1000) the direct path's smaller footprint wins.
  const tiles = Math.ceil(s.outH / 4) * Math.ceil(s.outW / 4);
  if (!fits || 36 * (s.C + s.M) * tiles * 4 > MAX_IMAGE_BYTES) return false;
  if (algorithm === 'winograd') return true;
  // 'auto', from timings of both paths (bench/tools/conv-shape.ts): the transforms
  // cost about (C + M)·T·100 operations against the GEMM's C·M·T·72, so Winograd
  // pays once C·M/(C + M) >= 8; the transformed weights are 4× the kernel, so with
  // fewer than 4 tiles, or little work in all, streaming them costs more than it saves.
  const T = s.N * tiles;
  return s.C * s.M >= 8 * (s.C + s.M) && T >= 4 && s.C * s.M * T >= 65536;
}


/**
 * The transformed weights V = G g Gᵀ in the GEMM's packed layout, cached per
 * weight version. `input`: the input gradient's kernel (channels swapped, 180°
 * rotated), so that δx is a forward Winograd convolution of δy.
 */
export function winogradWeights(w: Tensor, input: boolean): number {
  const [Cout, Cin] = w.shape;
  const [M, C] = input ? [Cin, Cout] : [Cout, Cin];
  const panels = (M + 3) >> 2;
  return packed(w, input ? 'wino-dx' : 'wino', 36 * panels * C * 4, (_f, at) => {
    const ar = new Arena();
    try {
      const W = ar.put(w.data as Float32Array);
      const scratch = ar.alloc((SCRATCH * rt.getThreads()) / 4);
      const [sM, sC] = input ? [9, Cin * 9] : [Cin * 9, 9];
      rt.run('wino_w', [W, at * 4, M, C, sM, sC, input ? 1 : 0, scratch, SCRATCH], panels * C * 200);
    } finally {
      ar.done();
    }
  });
}

/**
 * The convolution of the planes at `src` with packed weights V, plus bias, as a
 * new tensor of `shape` (N·M·outH·outW). Images go through in chunks whose
 * transformed tiles (U and Mx) stay in cache between the passes; each chunk's
 * output is copied out while it is in cache too.
 */
export function winogradConv(ar: Arena, src: number, s: WinogradShape, V: number, bias: number, shape: readonly number[]): Tensor {
  const { N, C, M } = s;
  const tiles = Math.ceil(s.outH / 4) * Math.ceil(s.outW / 4);
  const nb = Math.max(1, Math.min(N, Math.floor(CHUNK_BYTES / (36 * (C + M) * tiles * 4))));
  return outByImages(ar, N, M * s.outH * s.outW, shape, (n0, n, y) => {
    for (let i = 0; i < n; i += nb) {
      const k = Math.min(nb, n - i);
      winogradChunk(ar, src + (n0 + i) * C * s.H * s.W * 4, { ...s, N: k }, V, bias, y + i * M * s.outH * s.outW * 4);
    }
  }, nb);
}

/** Tile counts of a Winograd convolution: tH × tW 4×4 output tiles per image, T in the batch. */
function tiling(s: WinogradShape): { tH: number; tW: number; T: number } {
  const tH = Math.ceil(s.outH / 4);
  const tW = Math.ceil(s.outW / 4);
  return { tH, tW, T: s.N * tH * tW };
}

/**
 * U = Bᵀ d B for every input tile of the planes at `src`, as U[ξ][c][t] (the
 * forward GEMM's layout) or, `byTile`, U[ξ][t][c] (the filter gradient's).
 */
function inputTransform(ar: Arena, src: number, s: WinogradShape, byTile: boolean, scratch: number): number {
  const { N, C } = s;
  const { tH, tW, T } = tiling(s);
  // Zero-padded input grid: every tile's 6×6 window, and whole groups of 4 tiles
  // per row plus the 4 columns the transposing loads reach past them.
  const Hq = 4 * tH + 2;
  const Wq = 16 * Math.ceil(tW / 4) + 4;
  const ds = Hq * Wq;
  const planes = N * C;
  const Xp = ar.alloc(planes * ds);
  rt.run('prep', [src, Xp, planes, s.H, s.W, s.padT, s.padL, 1, 1, Hq, Wq, ds], planes * ds);
  const U = ar.alloc(36 * C * T);
  rt.run('wino_in', [Xp, U, C, N, tH, tW, Wq, ds, T, scratch, SCRATCH, byTile ? 1 : 0], planes * tH * tW * 100);
  return U;
}

function winogradChunk(ar: Arena, src: number, s: WinogradShape, V: number, bias: number, y: number): void {
  const { N, C, M } = s;
  const { tH, tW, T } = tiling(s);
  const scratch = ar.alloc((SCRATCH * rt.getThreads()) / 4);
  const U = inputTransform(ar, src, s, false, scratch);
  // 36 GEMMs, one per position ξ: Mx[ξ] (M × T) = V[ξ] (M × C) · U[ξ] (C × T).
  const Mx = ar.alloc(36 * M * T + 4); // + the lanes the output transform reads past the last tile
  const off = new Int32Array(C);
  for (let k = 0; k < C; k++) off[k] = k * T;
  const panels = (M + 3) >> 2;
  gemm(ar, {
    A: V, aSN: panels * C * 4, aSG: 0, K: C, off: ar.putInt(off), X: U, xSN: C * T, xSG: 0, Y: Mx, ySN: M * T, ySG: 0,
    M, rows: 1, N: 36, G: 1, bias: 0, Wq: T, outW: T, dR: T, dPm: T,
  });
  rt.run('wino_out', [Mx, y, bias, M, N, tH, tW, T, s.outH, s.outW, scratch, SCRATCH], N * M * tH * tW * 100);
}

/**
 * dW (heap, M·C·9 floats) of the Winograd forward convolution, its exact adjoint:
 *   dW[m][c] = Gᵀ [ Σ_tiles (A δ Aᵀ) ⊙ (Bᵀ d B) ] G
 * The sum over every tile of the batch is, per position ξ, one GEMM
 * Mw_ξ (M × C) = Δ_ξ (M × T) · U_ξ (T × C), the long side (tiles) as its reduction.
 * x at `src` (N·C planes H×W), δ at `dsrc` (N·M planes outH×outW).
 */
export function winogradFilterGrad(ar: Arena, src: number, dsrc: number, s: WinogradShape, dW: number): void {
  const { N, C, M } = s;
  const { tH, tW, T } = tiling(s);
  const scratch = ar.alloc((SCRATCH * rt.getThreads()) / 4);
  const U = inputTransform(ar, src, s, true, scratch);
  // Δ in the GEMM's packed layout, from δ zero-padded to whole tiles.
  const Hd = 4 * tH;
  const Wd = 4 * tW;
  const D = ar.alloc(N * M * Hd * Wd);
  rt.run('prep', [dsrc, D, N * M, s.outH, s.outW, 0, 0, 1, 1, Hd, Wd, Hd * Wd], N * M * Hd * Wd);
  const panels = (M + 3) >> 2;
  const Ap = ar.alloc(36 * panels * T * 4);
  rt.run('wino_dy', [D, Ap, M, N, tH, tW, Wd, Hd * Wd, T, scratch, SCRATCH], N * M * tH * tW * 100);
  const off = new Int32Array(T);
  for (let t = 0; t < T; t++) off[t] = t * C;
  const Mw = ar.alloc(36 * M * C + 4); // + the lanes the last transform reads past the end
  gemm(ar, {
    A: Ap, aSN: panels * T * 4, aSG: 0, K: T, off: ar.putInt(off), X: U, xSN: T * C, xSG: 0, Y: Mw, ySN: M * C, ySG: 0,
    M, rows: 1, N: 36, G: 1, bias: 0, Wq: C, outW: C, dR: C, dPm: C,
  });
  rt.run('wino_dw', [Mw, dW, M, C, scratch, SCRATCH], M * C * 200);
}
