import { Tensor } from '../../tensor/index.js';
import type { KernelSignatures } from '../kernels.js';
import { referenceBackend } from '../reference/index.js';
import { Arena, out as fromHeap, runtime } from './heap.js';

/*
 * Elementwise and reduction kernels that showed up in a LeNet-5 training step
 * (relu/step, add/sub/mul/div and relu's gradient with broadcasting, sum over axes),
 * float32 only.
 * relu/step and the binary ops run as SIMD loops in wasm (a JavaScript loop
 * costs 1.3–7 ns per element here, branch misses included; copying in and out of
 * the heap costs ~0.1 ns); sum keeps the reference's sequential float32 order
 * (one add chain per output) in wasm. All of them compute
 * exactly what the reference does (IEEE float32 roundings in the same order), so
 * their results are bit-identical to it.
 */

const ref = referenceBackend.kernels;

export const Unary: KernelSignatures['Unary'] = (x, attrs) => {
  if (x.dtype !== 'float32' || (attrs.op !== 'relu' && attrs.op !== 'step')) return ref.Unary(x, attrs);
  const ar = new Arena();
  try {
    const n = x.size;
    const src = ar.put(x.data as Float32Array);
    const dst = ar.alloc(n);
    runtime().run('unary', [src, dst, n, attrs.op === 'relu' ? 0 : 1], n);
    return fromHeap(dst, n, x.shape);
  } finally {
    ar.done();
  }
};

type Loop = (y: Float32Array, yo: number, a: Float32Array, ao: number, sa: number, b: Float32Array, bo: number, sb: number, n: number) => void;

// One loop per op, so each stays monomorphic.
const LOOPS: Partial<Record<string, Loop>> = {
  add: (y, yo, a, ao, sa, b, bo, sb, n) => { for (let j = 0; j < n; j++) y[yo + j] = a[ao + j * sa] + b[bo + j * sb]; },
  sub: (y, yo, a, ao, sa, b, bo, sb, n) => { for (let j = 0; j < n; j++) y[yo + j] = a[ao + j * sa] - b[bo + j * sb]; },
  mul: (y, yo, a, ao, sa, b, bo, sb, n) => { for (let j = 0; j < n; j++) y[yo + j] = a[ao + j * sa] * b[bo + j * sb]; },
  div: (y, yo, a, ao, sa, b, bo, sb, n) => { for (let j = 0; j < n; j++) y[yo + j] = a[ao + j * sa] / b[bo + j * sb]; },
  reluGrad: (y, yo, a, ao, sa, b, bo, sb, n) => { for (let j = 0; j < n; j++) y[yo + j] = b[bo + j * sb] > 0 ? a[ao + j * sa] : 0; },
};

const BOPS = ['add', 'sub', 'mul', 'div', 'reluGrad'];

/** Strides of `shape` seen from outShape (0 where broadcast). */
function bstrides(shape: readonly number[], out: readonly number[]): number[] {
  const s = new Array<number>(out.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const ax = out.length - shape.length + i;
    s[ax] = shape[i] === 1 ? 0 : acc;
    acc *= shape[i];
  }
  return s;
}

export const Binary: KernelSignatures['Binary'] = (a, b, attrs) => {
  const loop = LOOPS[attrs.op];
  if (!loop || a.dtype !== 'float32' || b.dtype !== 'float32') return ref.Binary(a, b, attrs);
  const out = attrs.outShape;
  const n = out.reduce((p, d) => p * d, 1);
  const y = new Float32Array(n);
  const ad = a.data as Float32Array;
  const bd = b.data as Float32Array;
  if (n === 0) return new Tensor(y, out);
  // Merge adjacent axes whose strides chain for both operands, dropping size-1 axes.
  const sa0 = bstrides(a.shape, out);
  const sb0 = bstrides(b.shape, out);
  const dims: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && sa[k] === sa0[i] * out[i] && sb[k] === sb0[i] * out[i]) {
      dims[k] *= out[i];
      sa[k] = sa0[i];
      sb[k] = sb0[i];
    } else {
      dims.push(out[i]);
      sa.push(sa0[i]);
      sb.push(sb0[i]);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    sa.push(0);
    sb.push(0);
  }
  if (dims.length <= 4) {
    while (dims.length < 4) {
      dims.unshift(1);
      sa.unshift(0);
      sb.unshift(0);
    }
    const ar = new Arena();
    try {
      const pa = ar.put(ad);
      const pb = ar.put(bd);
      const py = ar.alloc(n);
      runtime().run('binary', [py, pa, pb, BOPS.indexOf(attrs.op), ...dims, ...sa, ...sb], n);
      return fromHeap(py, n, out);
    } finally {
      ar.done();
    }
  }
  const r = dims.length - 1;
  const inner = dims[r];
  const ia = sa[r];
  const ib = sb[r];
  const outer = n / inner;
  const idx = new Array<number>(r).fill(0);
  let ao = 0;
  let bo = 0;
  for (let o = 0; o < outer; o++) {
    loop(y, o * inner, ad, ao, ia, bd, bo, ib, inner);
    for (let ax = r - 1; ax >= 0; ax--) {
      idx[ax]++;
      ao += sa[ax];
      bo += sb[ax];
      if (idx[ax] < dims[ax]) break;
      ao -= sa[ax] * dims[ax];
      bo -= sb[ax] * dims[ax];
      idx[ax] = 0;
    }
  }
  return new Tensor(y, out);
};

export const Reduce: KernelSignatures['Reduce'] = (x, attrs) => {
  if (attrs.op !== 'sum' || x.dtype !== 'float32') return ref.Reduce(x, attrs);
  const shape = x.shape;
  const outShape = shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d));
  const size = outShape.reduce((p, d) => p * d, 1);
  const yd = new Float32Array(size);
  const xd = x.data as Float32Array;
  // Merge adjacent axes that are both reduced or both kept; visit x in flat order
  // (as the reference does), adding into the float32 output.
  const dims: number[] = [];
  const red: boolean[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const rd = attrs.axes.includes(i);
    const k = dims.length - 1;
    if (k >= 0 && red[k] === rd) dims[k] *= shape[i];
    else {
      dims.push(shape[i]);
      red.push(rd);
    }
  }
  if (dims.length === 0 || xd.length === 0) {
    if (xd.length === 1) yd[0] = xd[0];
    return new Tensor(yd, outShape);
  }
  // Output strides of the merged axes (0 for reduced ones).
  const os = new Array<number>(dims.length).fill(0);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    if (!red[i]) {
      os[i] = acc;
      acc *= dims[i];
    }
  }
  if (dims.length <= 4) {
    while (dims.length < 4) {
      dims.unshift(1);
      red.unshift(true);
      os.unshift(0);
    }
    const ar = new Arena();
    try {
      const px = ar.put(xd);
      const py = ar.alloc(size);
      runtime().run('rsum', [px, py, dims[0], dims[1], dims[2], dims[3], os[0], os[1], os[2], red[3] ? 1 : 0, size], 0);
      return fromHeap(py, size, outShape);
    } finally {
      ar.done();
    }
  }
  const r = dims.length - 1;
  const inner = dims[r];
  const outer = xd.length / inner;
  const idx = new Array<number>(r).fill(0);
  let o = 0;
  for (let q = 0; q < outer; q++) {
    const base = q * inner;
    if (red[r]) {
      let s = yd[o];
      for (let j = 0; j < inner; j++) s = Math.fround(s + xd[base + j]);
      yd[o] = s;
    } else {
      for (let j = 0; j < inner; j++) yd[o + j] += xd[base + j];
    }
    for (let ax = r - 1; ax >= 0; ax--) {
      idx[ax]++;
      o += os[ax];
      if (idx[ax] < dims[ax]) break;
      o -= os[ax] * dims[ax];
      idx[ax] = 0;
    }
  }
  return new Tensor(yd, outShape);
};
