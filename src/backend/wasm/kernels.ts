import { Tensor } from '../../tensor/index.js';
import type { Conv2DInfo, KernelSignatures, Pool2DInfo } from '../kernels.js';
import { referenceBackend } from '../reference/index.js';
import { Arena, gemm, isF32, out, outByImages, packed, packPanels, rt } from './heap.js';
import { forwardShape, inputGradShape, useWinograd, winogradConv, winogradFilterGrad, winogradWeights } from './winograd.js';

/*
 * The wasm backend's kernels: float32 tensors are copied into the wasm heap, the
 * SIMD kernels run over the worker pool, and the result is copied out. Float64
 * (and int32) inputs go to the reference kernels explicitly.
 *
 * Every convolution is one primitive, an "offset-table GEMM":
 *   Y[m][q] = bias[m] + Σ_k A[m][k] · X[q + off[k]]
 * where X is the input laid out (padded, and split into stride phases) so that
 * the output grid is a flat run of q and every tap k is a fixed offset. The
 * output grid is a little wider than the output (the padded row width); the
 * extra columns are dropped when the result is copied out.
 */

const ref = referenceBackend.kernels;

// ------------------------------------------------------------ convolution

const cdiv = (a: number, b: number) => Math.ceil(a / b);
const fdiv = (a: number, b: number) => Math.floor(a / b);

/** The phase-split, padded input layout of a convolution's x (see `prep` in assembly/kernels.ts). */
function inputLayout(c: Conv2DInfo) {
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
  const reads = (k: number, d: number, s: number, pad: number, outN: number, inN: number) => {
    for (let o = 0; o < outN; o++) {
      const i = o * s + k * d - pad;
      if (i >= 0 && i < inN) return true;
    }
    return false;
  };
  const rows = [...Array(c.kH).keys()].filter((kh) => reads(kh, c.dilationH, c.strideH, c.padTop, c.outH, c.inH));
  const cols = [...Array(c.kW).keys()].filter((kw) => reads(kw, c.dilationW, c.strideW, c.padLeft, c.outW, c.inW));
  if ((rows.length === c.kH && cols.length === c.kW) || rows.length === 0 || cols.length === 0) return null;
  const taps: number[] = [];
  for (let ic = 0; ic < c.inChannels / c.groups; ic++) {
    for (const kh of rows) for (const kw of cols) taps.push((ic * c.kH + kh) * c.kW + kw);
  }
  return { taps, key: `r${rows.join('.')}c${cols.join('.')}` };
}

/** Lay x out in the heap as the convolution's input grid; returns its pointer. */
function prepInput(ar: Arena, x: Tensor, c: Conv2DInfo, L: ReturnType<typeof inputLayout>): number {
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
    if (useWinograd(c, ws)) {
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
  if (useWinograd(c, wg)) return winogradConv(ar, putDy(0), wg, winogradWeights(w, true), 0, [c.batch, c.inChannels, c.inH, c.inW]);
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
  if (useWinograd(c, ws)) {
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

// ------------------------------------------------------------ matmul

/**
 * Batched matrix product on the same GEMM: op(A) is packed into 4-row panels by a
 * wasm kernel; op(B) is read in place through the offset table (columns of B, or
 * rows of B when transposed, are the GEMM's points), so nothing is transposed.
 */
export const MatMul: KernelSignatures['MatMul'] = (a, b, attrs) => {
  const { transA, transB } = attrs;
  if (!isF32(a, b)) return ref.MatMul(a, b, attrs);
  /** b in the heap with `slack` zeroed floats after it: cached if it is a weight, else copied in for this call. */
  const putB = (slack: number) => !attrs.weightB ? ar.put(b.data as Float32Array, slack)
    : packed(b, 'B', b.size + slack, (f, at) => { f.set(b.data as Float32Array, at); f.fill(0, at + b.size, at + b.size + slack); });
  const [B, ar0, ac] = a.shape;
  const [, br, bc] = b.shape;
  const M = transA ? ac : ar0;
  const K = transA ? ar0 : ac;
  const N = transB ? br : bc;
  const ar = new Arena();
  try {
    const n = B * M * N;
    const y = ar.alloc(Math.max(1, n));
    if (K === 0) {
      ar.zero(y, 0, n);
      return out(y, n, [B, M, N]);
    }
    if (transB && !transA && M < 8) {
      // A few rows times Wᵀ (a linear layer at small batch): contiguous row dot products.
      const scratch = ar.alloc(8 * rt.getThreads());
      rt.run('rowdot', [ar.put(a.data as Float32Array), putB(64), y, B, M, K, N, M * K, N * K, scratch], n * K);
      return out(y, n, [B, M, N]);
    }
    const aS = Math.ceil(M / 4) * 4 * K;
    const src = ar.put(a.data as Float32Array);
    const Ap = ar.alloc(Math.max(1, B * aS));
    for (let p = 0; p < B; p++) {
      // pack: src, dst, rows, K, rs, cs
      rt.run('pack', [src + p * M * K * 4, Ap + p * aS * 4, M, K, transA ? 1 : K, transA ? M : 1], aS);
    }
    const X = putB(64);
    const offs = new Int32Array(K);
    for (let k = 0; k < K; k++) offs[k] = transB ? k : k * N;
    const off = ar.putInt(offs);
    const common = { A: Ap, aSN: aS, aSG: 0, K, off, X, xSN: K * N, xSG: 0, Y: y, ySN: M * N, ySG: 0, M, N: B, G: 1, bias: 0 };
    if (transB) gemm(ar, { ...common, rows: N, Wq: K, outW: 1, dR: 1, dPm: N });
    else gemm(ar, { ...common, rows: 1, Wq: N, outW: N, dR: N, dPm: N, chunked: true });
    return out(y, n, [B, M, N]);
  } finally {
    ar.done();
  }
};

// ------------------------------------------------------------ pooling

function poolArgs(p: Pool2DInfo, src: number, dst: number, am: number): number[] {
  return [src, dst, am, p.batch * p.channels, p.inH, p.inW, p.outH, p.outW, p.kH, p.kW, p.strideH, p.strideW, p.padTop, p.padLeft, p.dilationH, p.dilationW, p.countIncludePad ? 1 : 0, p.padH, p.padW];
}

export const MaxPool2D: KernelSignatures['MaxPool2D'] = (x, p) => {
  if (!isF32(x)) return ref.MaxPool2D(x, p);
  const ar = new Arena();
  try {
    const n = p.batch * p.channels * p.outH * p.outW;
    const src = ar.put(x.data as Float32Array);
    const y = ar.alloc(n);
    const am = ar.alloc(n);
    rt.run('maxpool', poolArgs(p, src, y, am), n * p.kH * p.kW);
    const shape = [p.batch, p.channels, p.outH, p.outW];
    const idx = new Int32Array(n);
    idx.set(rt.i32().subarray(am >> 2, (am >> 2) + n));
    return { y: out(y, n, shape), argmax: new Tensor(idx, shape) };
  } finally {
    ar.done();
  }
};

export const MaxPool2DGrad: KernelSignatures['MaxPool2DGrad'] = (dy, argmax, p) => {
  if (!isF32(dy)) return ref.MaxPool2DGrad(dy, argmax, p);
  const ar = new Arena();
  try {
    const n = p.batch * p.channels * p.inH * p.inW;
    const src = ar.put(dy.data as Float32Array);
    const am = ar.putInt(argmax.data as Int32Array);
    const dx = ar.alloc(n);
    rt.run('maxpoolgrad', poolArgs(p, src, dx, am), n);
    return out(dx, n, [p.batch, p.channels, p.inH, p.inW]);
  } finally {
    ar.done();
  }
};

export const AvgPool2D: KernelSignatures['AvgPool2D'] = (x, p) => {
  if (!isF32(x)) return ref.AvgPool2D(x, p);
  const ar = new Arena();
  try {
    const n = p.batch * p.channels * p.outH * p.outW;
    const src = ar.put(x.data as Float32Array);
    const y = ar.alloc(n);
    rt.run('avgpool', poolArgs(p, src, y, 0), n * p.kH * p.kW);
    return out(y, n, [p.batch, p.channels, p.outH, p.outW]);
  } finally {
    ar.done();
  }
};

export const AvgPool2DGrad: KernelSignatures['AvgPool2DGrad'] = (dy, p) => {
  if (!isF32(dy)) return ref.AvgPool2DGrad(dy, p);
  const ar = new Arena();
  try {
    const n = p.batch * p.channels * p.inH * p.inW;
    const src = ar.put(dy.data as Float32Array);
    const dx = ar.alloc(n);
    rt.run('avgpoolgrad', poolArgs(p, src, dx, 0), p.batch * p.channels * p.outH * p.outW * p.kH * p.kW);
    return out(dx, n, [p.batch, p.channels, p.inH, p.inW]);
  } finally {
    ar.done();
  }
};
