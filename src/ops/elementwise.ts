import { kernel, type UnaryOp } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { traceOp } from '../autograd/trace.js';
import { broadcastShapes, Tensor } from '../tensor/index.js';
import { binaryRaw, checkFloat, checkNumber, checkTensor, sumToShape, toTensor, unary, type TensorOrNumber } from './util.js';

function operands(op: string, a: TensorOrNumber, b: TensorOrNumber): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') return [toTensor(op, 'a', a), toTensor(op, 'b', b)];
  const ta = typeof a === 'number' ? toTensor(op, 'a', a, checkTensor(op, 'b', b)) : checkTensor(op, 'a', a);
  const tb = toTensor(op, 'b', b, ta);
  return [ta, tb];
}

/** a + b with broadcasting. */
export function add(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands('add', a, b);
  const out = binaryRaw('add', x, y, 'add');
  return record('add', out, [x, y], (g) => [sumToShape(g, x.shape), sumToShape(g, y.shape)]);
}

export function sub(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands('sub', a, b);
  const out = binaryRaw('sub', x, y, 'sub');
  return record('sub', out, [x, y], (g) => [sumToShape(g, x.shape), sumToShape(unary('neg', g), y.shape)]);
}

export function mul(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands('mul', a, b);
  const out = binaryRaw('mul', x, y, 'mul');
  return record('mul', out, [x, y], (g) => [
    x.requiresGrad ? sumToShape(binaryRaw('mul', g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(binaryRaw('mul', g, x), y.shape) : null,
  ]);
}

export function div(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands('div', a, b);
  const out = binaryRaw('div', x, y, 'div');
  return record('div', out, [x, y], (g) => [
    x.requiresGrad ? sumToShape(binaryRaw('div', g, y), x.shape) : null,
    // d(x/y)/dy = −x/y² = −out/y
    y.requiresGrad ? sumToShape(unary('neg', binaryRaw('div', binaryRaw('mul', g, out), y)), y.shape) : null,
  ]);
}

/** a ** b elementwise. The exponent's gradient is defined where a > 0. */
export function pow(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands('pow', a, b);
  const out = binaryRaw('pow', x, y, 'pow');
  return record('pow', out, [x, y], (g) => [
    x.requiresGrad ? sumToShape(binaryRaw('mul', g, binaryRaw('mul', y, binaryRaw('pow', x, binaryRaw('sub', y, toTensor('pow', 'one', 1, y))))), x.shape) : null,
    y.requiresGrad ? sumToShape(binaryRaw('mul', g, binaryRaw('mul', out, unary('log', x))), y.shape) : null,
  ]);
}

/** maximum/minimum: the gradient goes to the operand that was chosen; ties send it to a, as the kernel chooses a. */
function extremum(op: 'maximum' | 'minimum', a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands(op, a, b);
  const out = binaryRaw(op, x, y, op);
  return record(op, out, [x, y], (g) => {
    const m = binaryRaw(op === 'maximum' ? 'greaterEqual' : 'lessEqual', x, y);
    return [sumToShape(binaryRaw('mul', g, m), x.shape), sumToShape(binaryRaw('mul', g, binaryRaw('sub', toTensor(op, 'one', 1, m), m)), y.shape)];
  });
}

export const maximum = (a: TensorOrNumber, b: TensorOrNumber): Tensor => extremum('maximum', a, b);
export const minimum = (a: TensorOrNumber, b: TensorOrNumber): Tensor => extremum('minimum', a, b);

/** A comparison: 1 where true, 0 elsewhere, in the operands' dtype; not differentiable, so only traced. */
function compare(op: 'greater' | 'greaterEqual' | 'less' | 'lessEqual' | 'equal', a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands(op, a, b);
  const out = binaryRaw(op, x, y, op);
  traceOp(op, {}, [x, y], [out]);
  return out;
}

export const greater = (a: TensorOrNumber, b: TensorOrNumber): Tensor => compare('greater', a, b);
export const greaterEqual = (a: TensorOrNumber, b: TensorOrNumber): Tensor => compare('greaterEqual', a, b);
export const less = (a: TensorOrNumber, b: TensorOrNumber): Tensor => compare('less', a, b);
export const lessEqual = (a: TensorOrNumber, b: TensorOrNumber): Tensor => compare('lessEqual', a, b);
export const equal = (a: TensorOrNumber, b: TensorOrNumber): Tensor => compare('equal', a, b);

/** cond ? a : b, with broadcasting; the gradient flows to the chosen side. */
export function where(cond: Tensor, a: TensorOrNumber, b: TensorOrNumber): Tensor {
  checkTensor('where', 'cond', cond);
  const [x, y] = operands('where', a, b);
  const outShape = broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape);
  const out = kernel('Where')(cond, x, y, { outShape });
  // cond is an input of the traced op but never receives a gradient.
  return record('where', out, [cond, x, y], (g) => {
    const zero = toTensor('where', 'zero', 0, g);
    return [
      null,
      sumToShape(kernel('Where')(cond, g, zero, { outShape }), x.shape),
      sumToShape(kernel('Where')(cond, zero, g, { outShape }), y.shape),
    ];
  });
}

function unaryOp(
  op: UnaryOp,
  name: string,
  x: Tensor,
  grad: (x: Tensor, out: Tensor, g: Tensor) => Tensor,
  attrs: { alpha?: number; beta?: number } = {},
  traced: Record<string, unknown> = {},
): Tensor {
  checkTensor(name, 'x', x);
  checkFloat(name, 'x', x);
  const out = unary(op, x, attrs);
  return record(name, out, [x], (g) => [grad(x, out, g)], traced);
}

export const neg = (x: Tensor): Tensor => {
  checkTensor('neg', 'x', x);
  const out = unary('neg', x);
  return record('neg', out, [x], (g) => [unary('neg', g)]);
};
export const exp = (x: Tensor): Tensor => unaryOp('exp', 'exp', x, (_x, out, g) => binaryRaw('mul', g, out));
export const log = (x: Tensor): Tensor => unaryOp('log', 'log', x, (x, _o, g) => binaryRaw('div', g, x));
export const sqrt = (x: Tensor): Tensor =>
  unaryOp('sqrt', 'sqrt', x, (_x, out, g) => binaryRaw('div', g, binaryRaw('mul', out, toTensor('sqrt', 'two', 2, out))));
export const abs = (x: Tensor): Tensor => unaryOp('abs', 'abs', x, (x, _o, g) => binaryRaw('mul', g, unary('sign', x)));
export const square = (x: Tensor): Tensor =>
  unaryOp('square', 'square', x, (x, _o, g) => binaryRaw('mul', g, binaryRaw('mul', x, toTensor('square', 'two', 2, x))));
export const sin = (x: Tensor): Tensor => unaryOp('sin', 'sin', x, (x, _o, g) => binaryRaw('mul', g, unary('cos', x)));
export const cos = (x: Tensor): Tensor => unaryOp('cos', 'cos', x, (x, _o, g) => unary('neg', binaryRaw('mul', g, unary('sin', x))));

/** Limit values to [min, max]; the gradient passes where the value was inside. */
export function clamp(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  checkNumber('clamp', 'min', min);
  checkNumber('clamp', 'max', max);
  return unaryOp('clamp', 'clamp', x, (x, _o, g) => binaryRaw('mul', g, unary('inRange', x, { alpha: min, beta: max })), { alpha: min, beta: max }, { min, max });
}

/** 1 where the value is NaN or ±Inf (for the training loop's non-finite checks). */
export function isNonFinite(x: Tensor): Tensor {
  const out = unary('isNonFinite', checkTensor('isNonFinite', 'x', x));
  traceOp('isNonFinite', {}, [x], [out]);
  return out;
}
