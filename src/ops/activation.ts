import { kernel } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { normAxis, Tensor } from '../tensor/index.js';
import { add, mul, square } from './elementwise.js';
import { binaryRaw, unary } from './util.js';
import { checkFloat, checkNumber, checkTensor, toTensor } from './util.js';

/** Refuse non-tensors and integer tensors before an activation computes. */
function input(op: string, x: unknown): Tensor {
  return checkFloat(op, 'x', checkTensor(op, 'x', x));
}

const scalar = (v: number, like: Tensor): Tensor => toTensor('activation', 'scalar', v, like);

/** max(0, x); the gradient is g where x > 0 and 0 elsewhere (0 at the kink, as PyTorch). */
export function relu(x: Tensor): Tensor {
  input('relu', x);
  const out = unary('relu', x);
  return record('relu', out, [x], (g) => [binaryRaw('reluGrad', g, x)]);
}

/** min(max(0, x), 6) (MobileNet's activation); the gradient passes strictly inside (0, 6). */
export function relu6(x: Tensor): Tensor {
  input('relu6', x);
  const out = unary('relu6', x);
  return record('relu6', out, [x], (g) => [binaryRaw('mul', g, binaryRaw('mul', unary('step', x), binaryRaw('less', x, scalar(6, x))))]);
}

/** x for x > 0, negativeSlope·x otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  input('leakyRelu', x);
  checkNumber('leakyRelu', 'negativeSlope', negativeSlope);
  const out = unary('leakyRelu', x, { alpha: negativeSlope });
  // Local slope: 1 where x > 0, negativeSlope elsewhere, i.e. step·(1 − a) + a.
  return record('leakyRelu', out, [x], (g) => {
    const slope = binaryRaw('add', binaryRaw('mul', unary('step', x), scalar(1 - negativeSlope, x)), scalar(negativeSlope, x));
    return [binaryRaw('mul', g, slope)];
  }, { negativeSlope });
}

/** x for x > 0, alpha·(eˣ − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  input('elu', x);
  checkNumber('elu', 'alpha', alpha);
  const out = unary('elu', x, { alpha });
  // For x ≤ 0 the slope alpha·eˣ equals out + alpha, so no second exp is needed.
  return record('elu', out, [x], (g) => {
    const neg = binaryRaw('add', out, scalar(alpha, x));
    return [kernel('Where')(unary('step', x), g, binaryRaw('mul', g, neg), { outShape: x.shape })];
  }, { alpha });
}

/** 1 / (1 + e⁻ˣ); the slope σ(1 − σ) comes from the output. */
export function sigmoid(x: Tensor): Tensor {
  input('sigmoid', x);
  const out = unary('sigmoid', x);
  return record('sigmoid', out, [x], (g) => [binaryRaw('mul', g, binaryRaw('mul', out, binaryRaw('sub', scalar(1, out), out)))]);
}

/** tanh x; the slope 1 − tanh² comes from the output. */
export function tanh(x: Tensor): Tensor {
  input('tanh', x);
  const out = unary('tanh', x);
  return record('tanh', out, [x], (g) => [binaryRaw('mul', g, binaryRaw('sub', scalar(1, out), unary('square', out)))]);
}

/** log(1 + eˣ), whose slope is σ(x). */
export function softplus(x: Tensor): Tensor {
  input('softplus', x);
  const out = unary('softplus', x);
  return record('softplus', out, [x], (g) => [binaryRaw('mul', g, unary('sigmoid', x))]);
}

const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * GELU in its tanh approximation, ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as
 * PyTorch's gelu(approximate='tanh'). Composed of differentiable ops, so the
 * gradient follows from theirs.
 */
export function gelu(x: Tensor): Tensor {
  input('gelu', x);
  const inner = mul(add(x, mul(mul(square(x), x), 0.044715)), GELU_C);
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/** x minus its max along the axis: exp of it cannot overflow. */
function shifted(x: Tensor, axis: number): Tensor {
  return binaryRaw('sub', x, kernel('Reduce')(x, { op: 'max', axes: [axis] }));
}

/** eˣ / Σ eˣ along an axis, computed from x − max for stability. */
export function softmax(x: Tensor, axis = -1): Tensor {
  input('softmax', x);
  const ax = normAxis('softmax', axis, x.rank);
  const e = unary('exp', shifted(x, ax));
  const out = binaryRaw('div', e, kernel('Reduce')(e, { op: 'sum', axes: [ax] }));
  // dx = s ⊙ (g − Σ g·s)
  return record('softmax', out, [x], (g) => {
    const dot = kernel('Reduce')(binaryRaw('mul', g, out), { op: 'sum', axes: [ax] });
    return [binaryRaw('mul', out, binaryRaw('sub', g, dot))];
  }, { axis: ax });
}

/** x − log Σ eˣ along an axis, as (x − m) − log Σ e^(x − m): finite for logits like ±1000. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  input('logSoftmax', x);
  const ax = normAxis('logSoftmax', axis, x.rank);
  const z = shifted(x, ax);
  const lse = unary('log', kernel('Reduce')(unary('exp', z), { op: 'sum', axes: [ax] }));
  const out = binaryRaw('sub', z, lse);
  // dx = g − softmax ⊙ Σ g
  return record('logSoftmax', out, [x], (g) => {
    const total = kernel('Reduce')(g, { op: 'sum', axes: [ax] });
    return [binaryRaw('sub', g, binaryRaw('mul', unary('exp', out), total))];
  }, { axis: ax });
}
