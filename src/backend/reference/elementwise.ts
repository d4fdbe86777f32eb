import type { DataArray } from '../../tensor/index.js';
import type { BinaryOp, KernelSignatures, UnaryOp } from '../kernels.js';
import { broadcastStrides, empty, forEachRow, promote } from './util.js';

type Fn1 = (x: number, alpha: number, beta: number) => number;

const UNARY: Record<UnaryOp, Fn1> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: Math.abs,
  sign: Math.sign,
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  relu: (x) => 0.5 * (x + Math.abs(x)),
  relu6: (x) => (x > 0 ? (x < 6 ? x : 6) : 0),
  leakyRelu: (x, a) => (x > 0 ? x : a * x),
  elu: (x, a) => (x > 0 ? x : a * Math.expm1(x)),
  // Split on sign so exp never overflows.
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  tanh: Math.tanh,
  softplus: (x) => (x > 20 ? x : Math.log1p(Math.exp(x))),
  // min(max(x, lo), hi): with lo > hi every value becomes hi (NumPy, torch, ONNX Clip); NaN stays NaN.
  clamp: (x, lo, hi) => { const y = x < lo ? lo : x; return y > hi ? hi : y; },
  step: (x) => (x > 0 ? 1 : 0),
  inRange: (x, lo, hi) => (x >= lo && x <= hi ? 1 : 0),
  sin: Math.sin,
  cos: Math.cos,
  floor: Math.floor,
  round: Math.round,
  isNonFinite: (x) => (Number.isFinite(x) ? 0 : 1),
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
  equal: (a, b) => (a === b ? 1 : 0),
  reluGrad: (a, b) => (b > 0 ? a : 0),
};

/**
 * Apply f elementwise. The commonest ops get their own loops: a loop calling
 * through a table of functions is several times slower in V8 than a direct one,
 * and these loops are a visible share of a training step.
 */
export const Unary: KernelSignatures['Unary'] = (x, { op, alpha = 0, beta = 0 }) => {
  // The op layer casts integer inputs to float for ops whose results are not integers.
  const y = empty(x.shape, x.dtype);
  const xd = x.data;
  const yd = y.data;
  const n = xd.length;
  switch (op) {
    case 'relu':
      // Branch-free (½(x + |x|) is exact): random signs defeat the branch predictor.
      for (let i = 0; i < n; i++) yd[i] = 0.5 * (xd[i] + Math.abs(xd[i]));
      break;
    case 'step':
      for (let i = 0; i < n; i++) yd[i] = xd[i] > 0 ? 1 : 0;
      break;
    case 'neg':
      for (let i = 0; i < n; i++) yd[i] = -xd[i];
      break;
    case 'exp':
      for (let i = 0; i < n; i++) yd[i] = Math.exp(xd[i]);
      break;
    case 'square':
      for (let i = 0; i < n; i++) yd[i] = xd[i] * xd[i];
      break;
    default: {
      const f = UNARY[op];
      for (let i = 0; i < n; i++) yd[i] = f(xd[i], alpha, beta);
    }
  }
  return y;
};

/** One row of a binary op: y[o + j] = a[ia] ∘ b[ib], stepping the operands by sa, sb. */
function binaryRow(op: BinaryOp, yd: DataArray, o: number, ad: DataArray, ia: number, sa: number, bd: DataArray, ib: number, sb: number, n: number): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++, ia += sa, ib += sb) yd[o + j] = ad[ia] + bd[ib];
      return;
    case 'sub':
      for (let j = 0; j < n; j++, ia += sa, ib += sb) yd[o + j] = ad[ia] - bd[ib];
      return;
    case 'mul':
      for (let j = 0; j < n; j++, ia += sa, ib += sb) yd[o + j] = ad[ia] * bd[ib];
      return;
    case 'div':
      for (let j = 0; j < n; j++, ia += sa, ib += sb) yd[o + j] = ad[ia] / bd[ib];
      return;
    default: {
      const f = BINARY[op];
      for (let j = 0; j < n; j++, ia += sa, ib += sb) yd[o + j] = f(ad[ia], bd[ib]);
    }
  }
}

export const Binary: KernelSignatures['Binary'] = (a, b, { op, outShape }) => {
  let dtype = promote(a.dtype, b.dtype);
  if (dtype === 'int32' && op === 'div') dtype = 'float32';
  const y = empty(outShape, dtype);
  const strides = [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)];
  forEachRow(outShape, strides, (o, offs, n, inner) => binaryRow(op, y.data, o, a.data, offs[0], inner[0], b.data, offs[1], inner[1], n));
  return y;
};

export const Where: KernelSignatures['Where'] = (cond, a, b, { outShape }) => {
  const y = empty(outShape, promote(a.dtype, b.dtype));
  const cd = cond.data;
  const ad = a.data;
  const bd = b.data;
  const yd = y.data;
  const strides = [cond, a, b].map((t) => broadcastStrides(t.shape, outShape));
  forEachRow(outShape, strides, (o, offs, n, st) => {
    for (let j = 0, ic = offs[0], ia = offs[1], ib = offs[2]; j < n; j++, ic += st[0], ia += st[1], ib += st[2]) {
      yd[o + j] = cd[ic] !== 0 ? ad[ia] : bd[ib];
    }
  });
  return y;
};

export const Cast: KernelSignatures['Cast'] = (x, { dtype }) => {
  const y = empty(x.shape, dtype);
  const yd = y.data;
  const xd = x.data;
  // Casting to int32 truncates toward zero, as C and PyTorch do.
  if (dtype === 'int32') for (let i = 0; i < xd.length; i++) yd[i] = Math.trunc(xd[i]);
  else yd.set(xd);
  return y;
};
