import { shapesEqual } from '../../tensor/index.js';
import type { BinaryOp, KernelSignatures, UnaryOp } from '../kernels.js';
import { broadcastStrides, empty, forEachBroadcast, promote } from './util.js';

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
  relu: (x) => (x > 0 ? x : 0),
  relu6: (x) => (x > 0 ? (x < 6 ? x : 6) : 0),
  leakyRelu: (x, a) => (x > 0 ? x : a * x),
  elu: (x, a) => (x > 0 ? x : a * Math.expm1(x)),
  // Split on sign so exp never overflows.
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  tanh: Math.tanh,
  softplus: (x) => (x > 20 ? x : Math.log1p(Math.exp(x))),
  clamp: (x, lo, hi) => (x < lo ? lo : x > hi ? hi : x),
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
};

export const Unary: KernelSignatures['Unary'] = (x, { op, alpha = 0, beta = 0 }) => {
  const f = UNARY[op];
  // The op layer casts integer inputs to float for ops whose results are not integers.
  const y = empty(x.shape, x.dtype);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = f(xd[i], alpha, beta);
  return y;
};

export const Binary: KernelSignatures['Binary'] = (a, b, { op, outShape }) => {
  const f = BINARY[op];
  let dtype = promote(a.dtype, b.dtype);
  if (dtype === 'int32' && op === 'div') dtype = 'float32';
  const y = empty(outShape, dtype);
  const ad = a.data;
  const bd = b.data;
  const yd = y.data;
  if (shapesEqual(a.shape, outShape) && shapesEqual(b.shape, outShape)) {
    for (let i = 0; i < yd.length; i++) yd[i] = f(ad[i], bd[i]);
  } else if (shapesEqual(a.shape, outShape) && b.size === 1) {
    const s = bd[0];
    for (let i = 0; i < yd.length; i++) yd[i] = f(ad[i], s);
  } else {
    const sa = broadcastStrides(a.shape, outShape);
    const sb = broadcastStrides(b.shape, outShape);
    forEachBroadcast(outShape, [sa, sb], (i, o) => {
      yd[i] = f(ad[o[0]], bd[o[1]]);
    });
  }
  return y;
};

export const Where: KernelSignatures['Where'] = (cond, a, b, { outShape }) => {
  const y = empty(outShape, promote(a.dtype, b.dtype));
  const cd = cond.data;
  const ad = a.data;
  const bd = b.data;
  const yd = y.data;
  const strides = [cond, a, b].map((t) => broadcastStrides(t.shape, outShape));
  forEachBroadcast(outShape, strides, (i, o) => {
    yd[i] = cd[o[0]] !== 0 ? ad[o[1]] : bd[o[2]];
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
