import type { Tensor } from '../../tensor/index.js';
import type { Conv2DInfo, KernelSignatures } from '../kernels.js';
import { referenceBackend } from '../reference/index.js';
import { Arena, gemm, isF32, out, packed, packPanels, rt } from './heap.js';
import { cdiv, inputLayout, prepInput } from './conv.js';
import { rowsFilterGrad, rowsInputGrad, useRows } from './conv-rows.js';
import { forwardShape, inputGradShape, useWinograd, winogradConv, winogradFilterGrad, winogradWeights } from './winograd.js';

/*
 * A convolution's gradients on the wasm heap: the input gradient (Winograd, a
 * gather split by stride phase, or col2im), the filter gradient, and both from
 * one heap copy of δ. Float64 inputs go to the reference kernels.
 */

const ref = referenceBackend.kernels;

export const Conv2DBackpropInput: KernelSignatures['Conv2DBackpropInput'] = (dy, w, c) => {
  if (!isF32(dy, w)) return ref.Conv2DBackpropInput(dy, w, c);
  return inArena((ar) => inputGrad(ar, dyIn(ar, dy), w, c));
};

export const Conv2DBackpropFilter: KernelSignatures['Conv2DBackpropFilter'] = (x, dy, c) => {
  if (!isF32(x, dy)) return ref.Conv2DBackpropFilter(x, dy, c);
  return inArena((ar) => filterGrad(ar, x, dyIn(ar, dy), c));
};

/**
 * Both gradients of a convolution from one heap copy of δ (the input gradient
 * and the filter gradient each copied it in before: 8 MB for bench case (b)).
 */
export const Conv2DBackprop: KernelSignatures['Conv2DBackprop'] = (x, w, dy, c, wants) => {
  if (!isF32(x, w, dy)) return ref.Conv2DBackprop(x, w, dy, c, wants);
  return inArena((ar) => {
    let p = 0;
    const D: DyPut = (slack) => {
      if (slack > DY_SLACK) throw new Error(`Conv2DBackprop: a kernel asked for ${slack} floats of slack after δ, more than ${DY_SLACK}`);
      return (p ||= ar.put(dy.data as Float32Array, DY_SLACK));
    };
    return { dx: wants.input ? inputGrad(ar, D, w, c) : null, dw: wants.filter ? filterGrad(ar, x, D, c) : null };
  });
};

/** δ's heap copy, with `slack` zeroed floats after it: made on first use. */
type DyPut = (slack: number) => number;
/** The most slack any gradient kernel reads past δ's end. */
const DY_SLACK = 64;
const dyIn = (ar: Arena, dy: Tensor): DyPut => (slack) => ar.put(dy.data as Float32Array, slack);

function inArena<T>(f: (ar: Arena) => T): T {
  const ar = new Arena();
  try {
    return f(ar);
  } finally {
    ar.done();
  }
}

/**
 * Input gradient: Winograd where it pays, col2im for few input channels, else a
 * gather split by the stride phase of each input pixel: the pixels
 * (rh + sH·a, rw + sW·b) receive δ only through the taps with
 * (rh + padTop − kh·dH) divisible by sH (same for w), so each phase is a dense
 * stride-1 correlation of the zero-padded δ with a subset of the kernel taps.
 */
function inputGrad(ar: Arena, putDy: DyPut, w: Tensor, c: Conv2DInfo): Tensor {
  const wg = inputGradShape(c);
  const wino = useWinograd(c, wg);
  if (useRows(c, wino)) return rowsInputGrad(ar, putDy(0), w, c);
  if (wino) return winogradConv(ar, putDy(0), wg, winogradWeights(w, true), 0, [c.batch, c.inChannels, c.inH, c.inW]);
  const cinG0 = c.inChannels / c.groups;
  if (cinG0 < 16 && cinG0 * c.kH * c.kW >= 8) return backpropInputCol2im(ar, putDy, w, c);
  const { strideH: sH, strideW: sW, dilationH: dH, dilationW: dW } = c;
  const G = c.groups;
  const cinG = c.inChannels / G;
  const coutG = c.outChannels / G;
  type Phase = { r: number; A: number; taps: number[]; shift: number[] };
  const axis = (s: number, inSize: number, pad: number, k: number, d: number): Phase[] => {
    const ph: Phase[] = [];
    for (let r = 0; r < s; r++) {
      const A = cdiv(inSize - r, s);
      if (A <= 0) continue;
      const taps: number[] = [];
      const shift: number[] = [];
      for (let t = 0; t < k; t++) {
        const th = r + pad - t * d;
        if (((th % s) + s) % s !== 0) continue;
        taps.push(t);
        shift.push(th / s);
      }
      ph.push({ r, A, taps, shift });
    }
    return ph;
  };
  const hs = axis(sH, c.inH, c.padTop, c.kH, dH);
  const ws = axis(sW, c.inW, c.padLeft, c.kW, dW);
  // One zero-padded δ grid for every phase.
  let padT = 0, padL = 0, needH = c.outH, needW = c.outW;
  for (const p of hs) for (const s of p.shift) { padT = Math.max(padT, -s); }
  for (const p of ws) for (const s of p.shift) { padL = Math.max(padL, -s); }
  for (const p of hs) for (const s of p.shift) needH = Math.max(needH, p.A + s);
  for (const p of ws) for (const s of p.shift) needW = Math.max(needW, p.A + s);
  const Hd = padT + needH;
  const Wd = padL + needW;
  const plane = Hd * Wd;
  const planes = c.batch * c.outChannels;
  const src = putDy(0);
  const slack = 2 * Wd + 64;
  const D = ar.alloc(planes * plane + slack);
  ar.zero(D, planes * plane, slack);
  rt.run('prep', [src, D, planes, c.outH, c.outW, padT, padL, 1, 1, Hd, Wd, plane], planes * plane);
  const n = c.batch * c.inChannels * c.inH * c.inW;
  const dx = ar.alloc(n);
  const kk = c.kH * c.kW;
  for (const ph of hs) {
    for (const pw of ws) {
      const K = coutG * ph.taps.length * pw.taps.length;
      const panels = (cinG + 3) >> 2;
      const A = packed(w, `i${G}:${ph.r},${pw.r}`, Math.max(1, G * panels * K * 4), (f, at) => {
        const W = w.data;
        const nh = ph.taps.length, nw = pw.taps.length;
        for (let g = 0; g < G; g++) {
          packPanels(f, at + g * panels * K * 4, cinG, K, (m, k) => {
            const ocg = Math.floor(k / (nh * nw));
            const r = k - ocg * nh * nw;
            const kh = ph.taps[Math.floor(r / nw)];
            const kw = pw.taps[r % nw];
            return W[((g * coutG + ocg) * cinG + m) * kk + kh * c.kW + kw];
          });
        }
      });
      const offs = new Int32Array(K);
      let k = 0;
      for (let ocg = 0; ocg < coutG; ocg++) {
        for (const sh of ph.shift) for (const sw of pw.shift) offs[k++] = ocg * plane + (sh + padT) * Wd + sw + padL;
      }
      const off = ar.putInt(offs);
      const inPlane = c.inH * c.inW;
      gemm(ar, {
        A, aSN: 0, aSG: panels * K * 4, K, off, X: D, xSN: c.outChannels * plane, xSG: coutG * plane, Y: dx, ySN: c.inChannels * inPlane, ySG: cinG * inPlane,
        M: cinG, rows: ph.A, N: c.batch, G, bias: 0, Wq: Wd, outW: pw.A, dR: c.inW, dPm: inPlane, r0: ph.r, rs: sH, c0: pw.r, cs: sW,
      });
    }
  }
  return out(dx, n, [c.batch, c.inChannels, c.inH, c.inW]);
}

/**
 * Input gradient for layers with few input channels per group (the first layers
 * of a network), where the gather above has too few rows to fill the 4×8 kernel:
 * Z = Wᵀ·δ (rows: input channel × tap, K: output channels of the group), then
 * col2im adds each input pixel's taps in order.
 */
function backpropInputCol2im(ar: Arena, putDy: DyPut, w: Tensor, c: Conv2DInfo): Tensor {
  const G = c.groups;
  const cinG = c.inChannels / G;
  const coutG = c.outChannels / G;
  const kk = c.kH * c.kW;
  const rows = cinG * kk;
  const aSG = Math.ceil(rows / 4) * 4 * coutG;
  const A = packed(w, `t${G}`, G * aSG, (f, at) => {
    const W = w.data;
    for (let g = 0; g < G; g++) {
      packPanels(f, at + g * aSG, rows, coutG, (m, k) => {
        const icg = Math.floor(m / kk);
        return W[((g * coutG + k) * cinG + icg) * kk + (m - icg * kk)];
      });
    }
  });
  const plane = c.outH * c.outW;
  const D = putDy(64);
  const offs = new Int32Array(coutG);
  for (let k = 0; k < coutG; k++) offs[k] = k * plane;
  const off = ar.putInt(offs);
  const Z = ar.alloc(c.batch * c.inChannels * kk * plane);
  gemm(ar, {
    A, aSN: 0, aSG, K: coutG, off, X: D, xSN: c.outChannels * plane, xSG: coutG * plane, Y: Z, ySN: c.inChannels * kk * plane, ySG: rows * plane,
    M: rows, rows: c.outH, N: c.batch, G, bias: 0, Wq: c.outW, outW: c.outW, dR: c.outW, dPm: plane,
  });
  const n = c.batch * c.inChannels * c.inH * c.inW;
  const dx = ar.alloc(n);
  const P = c.batch * c.inChannels;
  rt.run('col2im', [Z, dx, P, c.outH, c.outW, c.inH, c.inW, c.kH, c.kW, c.strideH, c.strideW, c.padTop, c.padLeft, c.dilationH, c.dilationW], P * kk * plane);
  return out(dx, n, [c.batch, c.inChannels, c.inH, c.inW]);
}

/** Filter gradient: dot products of δ rows with shifted input rows over the flat output grid. */
function filterGrad(ar: Arena, x: Tensor, putDy: DyPut, c: Conv2DInfo): Tensor {
  const ws = forwardShape(c);
  const wino = useWinograd(c, ws);
  if (useRows(c, wino)) return rowsFilterGrad(ar, ar.put(x.data as Float32Array), putDy(0), c);
  if (wino) {
    const n = c.outChannels * c.inChannels * 9;
    const dW = ar.alloc(n);
    winogradFilterGrad(ar, ar.put(x.data as Float32Array), putDy(0), ws, dW);
    return out(dW, n, [c.outChannels, c.inChannels, 3, 3]);
  }
  const L = inputLayout(c);
  const G = c.groups;
  const coutG = c.outChannels / G;
  const X = prepInput(ar, x, c, L);
  const off = ar.putInt(L.off);
  const plane = c.outH * c.outW;
  const D = putDy(4); // + the lanes a row's last vector reads past the end
  const n = c.outChannels * L.K;
  const dW = ar.alloc(n);
  const scratch = ar.alloc(128 * rt.getThreads());
  rt.run('convdw', [D, c.outChannels * plane, plane, X, c.inChannels * L.cs, L.cinG * L.cs, off, L.K, coutG, G, c.batch,
    c.outH, c.outW, L.Wq, dW, scratch], n * c.batch * plane);
  return out(dW, n, [c.outChannels, L.cinG, c.kH, c.kW]);
}

