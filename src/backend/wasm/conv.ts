import type { Tensor } from '../../tensor/index.js';
import type { Conv2DInfo, KernelSignatures } from '../kernels.js';
import { referenceBackend } from '../reference/index.js';
import { Arena, gemm, isF32, outByImages, packed, packPanels, rt } from './heap.js';
import { liveRowsCols, rowsConv, useRows } from './conv-rows.js';
import { forwardShape, useWinograd, winogradConv, winogradWeights } from './winograd.js';

/*
 * The wasm backend's forward convolution: float32 tensors are copied into the wasm
 * heap, the SIMD kernels run over the worker pool, and the result is copied out.
 * Float64 (and int32) inputs go to the reference kernels explicitly. The
 * gradients are in conv-grad.ts.
 *
 * Every convolution is one primitive, an "offset-table GEMM":
 *   Y[m][q] = bias[m] + Σ_k A[m][k] · X[q + off[k]]
 * where X is the input laid out (padded, and split into stride phases) so that
 * the output grid is a flat run of q and every tap k is a fixed offset. The
 * output grid is a little wider than the output (the padded row width); the
 * extra columns are dropped when the result is copied out.
 */

const ref = referenceBackend.kernels;

export const cdiv = (a: number, b: number) => Math.ceil(a / b);
const fdiv = (a: number, b: number) => Math.floor(a / b);

/** The phase-split, padded input layout of a convolution's x (see `prep` in assembly/kernels.ts). */
export function inputLayout(c: Conv2DInfo) {
  const Hp = c.inH + c.padTop + c.padBottom;
  const Wp = c.inW + c.padLeft + c.padRight;
  const Hq = cdiv(Hp, c.strideH);
  const Wq = cdiv(Wp, c.strideW);
  const plane = Hq * Wq;
  const cs = c.strideH * c.strideW * plane;
  const cinG = c.inChannels / c.groups;
  const K = cinG * c.kH * c.kW;
  const off = new Int32Array(K);
  let k = 0;
  for (let ic = 0; ic < cinG; ic++) {
    for (let kh = 0; kh < c.kH; kh++) {
      const dh = kh * c.dilationH;
      for (let kw = 0; kw < c.kW; kw++) {
        const dw = kw * c.dilationW;
        const phase = (dh % c.strideH) * c.strideW + (dw % c.strideW);
        off[k++] = ic * cs + phase * plane + fdiv(dh, c.strideH) * Wq + fdiv(dw, c.strideW);
      }
    }
  }
  return { Hq, Wq, cs, K, off, cinG, slack: 2 * Wq + 64 };
}

/**
 * The taps (input channel, kh, kw), as indices into the weight's rows, that read the
 * input for at least one output point, or null when all do. The others read only
 * zero padding: a 3×3 layer with padding 1 on a 1×1 map (ResNet-18's last stage on
 * 32×32 images) reads its centre tap alone, so its 9.4 MB of weights shrink to 1 MB.
 */
function liveTaps(c: Conv2DInfo): { taps: number[]; key: string } | null {
  const { rows, cols } = liveRowsCols(c);
  if ((rows.length === c.kH && cols.length === c.kW) || rows.length === 0 || cols.length === 0) return null;
  const taps: number[] = [];
  for (let ic = 0; ic < c.inChannels / c.groups; ic++) {
    for (const kh of rows) for (const kw of cols) taps.push((ic * c.kH + kh) * c.kW + kw);
  }
  return { taps, key: `r${rows.join('.')}c${cols.join('.')}` };
}

/** Lay x out in the heap as the convolution's input grid; returns its pointer. */
export function prepInput(ar: Arena, x: Tensor, c: Conv2DInfo, L: ReturnType<typeof inputLayout>): number {
  const planes = c.batch * c.inChannels;
  if (c.strideH === 1 && c.strideW === 1 && c.padTop === 0 && c.padBottom === 0 && c.padLeft === 0 && c.padRight === 0) {
    // No padding and stride 1: the layout is x itself (plus zeroed slack for the last taps).
    return ar.put(x.data as Float32Array, L.slack);
  }
  const src = ar.put(x.data as Float32Array);
  const total = planes * L.cs;
  const dst = ar.alloc(total + L.slack);
  ar.zero(dst, total, L.slack);
  rt.run('prep', [src, dst, planes, c.inH, c.inW, c.padTop, c.padLeft, c.strideH, c.strideW, L.Hq, L.Wq, L.cs], planes * L.cs);
  return dst;
}

export const Conv2D: KernelSignatures['Conv2D'] = (x, w, bias, c) => {
  if (!isF32(x, w) || (bias && bias.dtype !== 'float32')) return ref.Conv2D(x, w, bias, c);
  const ar = new Arena();
  try {
    const ws = forwardShape(c);
    const shape = [c.batch, c.outChannels, c.outH, c.outW];
    const wino = useWinograd(c, ws);
    if (useRows(c, wino)) return rowsConv(ar, ar.put(x.data as Float32Array), w, bias ? ar.put(bias.data as Float32Array) : 0, c);
    if (wino) {
      return winogradConv(ar, ar.put(x.data as Float32Array), ws, winogradWeights(w, false), bias ? ar.put(bias.data as Float32Array) : 0, shape);
    }
    const L = inputLayout(c);
    const G = c.groups;
    const coutG = c.outChannels / G;
    const panels = (coutG + 3) >> 2;
    const OC = c.outChannels;
    const few = G === 1 && c.strideH === 1 && c.strideW === 1 && OC > 4 && OC <= 8;
    // The GEMM skips taps that only ever read zero padding (the direct kernel walks them all).
    const live = few ? null : liveTaps(c);
    const K = live ? live.taps.length : L.K;
    const A = packed(w, live ? `f${G}:${live.key}` : `f${G}`, G * panels * K * 4, (f, at) => {
      const W = w.data;
      const tap = live ? (k: number) => live.taps[k] : (k: number) => k;
      for (let g = 0; g < G; g++) packPanels(f, at + g * panels * K * 4, coutG, K, (m, k) => W[(g * coutG + m) * L.K + tap(k)]);
    });
    const X = prepInput(ar, x, c, L);
    const b = bias ? ar.put(bias.data as Float32Array) : 0;
    const plane = c.outH * c.outW;
    const xSN = c.inChannels * L.cs;
    if (few) {
      // Few output channels (LeNet-5's first layer): assembly/direct.ts.
      const scratch = ar.alloc((256 * rt.getThreads()) / 4);
      return outByImages(ar, c.batch, OC * plane, shape, (n0, nb, y) => {
        rt.run('convfew', [A, X + n0 * xSN * 4, xSN, L.cs, y, OC * plane, OC, c.inChannels, c.kH, c.kW, c.dilationH, c.dilationW,
          nb, c.outH, c.outW, L.Wq, b, scratch, 256], nb * OC * plane * K);
      });
    }
    const off = ar.putInt(live ? Int32Array.from(live.taps, (k) => L.off[k]) : L.off);
    return outByImages(ar, c.batch, OC * plane, shape, (n0, nb, y) => {
      gemm(ar, {
        A, aSN: 0, aSG: panels * K * 4, K, off, X: X + n0 * xSN * 4, xSN, xSG: L.cinG * L.cs, Y: y, ySN: OC * plane, ySG: coutG * plane,
        M: coutG, rows: c.outH, N: nb, G, bias: b, Wq: L.Wq, outW: c.outW, dR: c.outW, dPm: plane,
      });
    });
  } finally {
    ar.done();
  }
};

