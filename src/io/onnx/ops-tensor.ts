import { Tensor, full, tensor, type DType } from '../../tensor/index.js';
import {
  add, broadcastTo, cast, concat, div, equal, greater, less, maximum, mean, minimum, mul, pad, permute, pow, reshape, slice, split, sub, sum,
  where,
} from '../../ops/index.js';
import { ElemType, roundToHalf } from './proto.js';
import { intsOf, type NodeContext } from './attrs.js';
import type { OpImpl } from './ops-nn.js';

/*
 * ONNX's tensor operators: arithmetic, shapes, indexing, constants. Integer
 * tensors (shapes and indices, int64 in ONNX, int32 here) are computed with
 * integer semantics in JavaScript: they are small and never need gradients.
 */

const isInt = (t: Tensor) => t.dtype === 'int32';

function intBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const shape = broadcastShape(a.shape, b.shape);
  const A = broadcastTo(a, shape).data;
  const B = broadcastTo(b, shape).data;
  const out = new Int32Array(A.length);
  for (let i = 0; i < out.length; i++) out[i] = f(A[i], B[i]);
  return new Tensor(out, shape);
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

function binary(float: (a: Tensor, b: Tensor) => Tensor, int: (x: number, y: number) => number): OpImpl {
  return ([a, b]) => [isInt(a!) && isInt(b!) ? intBinary(a!, b!, int) : float(a!, b!)];
}

function variadic(f: (a: Tensor, b: Tensor) => Tensor): OpImpl {
  return (xs) => [xs.filter((x): x is Tensor => !!x).reduce((acc, x) => f(acc, x))];
}

const axisOf = (a: number, rank: number) => (a < 0 ? a + rank : a);

/** Axes from the attribute (older opsets) or the second input (newer ones). */
function axesOf(c: NodeContext, input: Tensor | null | undefined, inputFrom: number): number[] | undefined {
  return c.opset >= inputFrom ? intsOf(input) : c.ints('axes');
}

const Reshape: OpImpl = ([x, shapeT], c) => {
  const target = intsOf(shapeT) ?? c.ints('shape') ?? [];
  const allowZero = c.int('allowzero', 0) === 1;
  const shape = target.map((d, i) => (d === 0 && !allowZero ? x!.shape[i] : d));
  const known = shape.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
  const resolved = shape.map((d) => (d === -1 ? x!.size / Math.max(known, 1) : d));
  if (resolved.reduce((p, q) => p * q, 1) !== x!.size || !resolved.every(Number.isInteger)) throw c.invalid(`cannot reshape [${x!.shape}] to [${target}]`);
  return [reshape(x!, resolved)];
};

const Flatten: OpImpl = ([x], c) => {
  const axis = axisOf(c.int('axis', 1), x!.rank);
  const rows = x!.shape.slice(0, axis).reduce((p, q) => p * q, 1);
  return [reshape(x!, [rows, x!.size / Math.max(rows, 1)])];
};

const Squeeze: OpImpl = ([x, axesT], c) => {
  const axes = (axesOf(c, axesT, 13) ?? x!.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axisOf(a, x!.rank));
  return [reshape(x!, x!.shape.filter((_, i) => !axes.includes(i)))];
};

const Unsqueeze: OpImpl = ([x, axesT], c) => {
  const given = axesOf(c, axesT, 13) ?? [];
  const rank = x!.rank + given.length;
  const axes = given.map((a) => axisOf(a, rank));
  const shape: number[] = [];
  for (let i = 0, j = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x!.shape[j++]);
  return [reshape(x!, shape)];
};

const Slice: OpImpl = (ins, c) => {
  const x = ins[0]!;
  const starts = c.opset >= 10 ? intsOf(ins[1])! : c.ints('starts')!;
  const ends = c.opset >= 10 ? intsOf(ins[2])! : c.ints('ends')!;
  const axes = (c.opset >= 10 ? intsOf(ins[3]) : c.ints('axes')) ?? starts.map((_, i) => i);
  const steps = (c.opset >= 10 ? intsOf(ins[4]) : undefined) ?? starts.map(() => 1);
  const begin = x.shape.map(() => 0);
  const end: number[] = [...x.shape];
  const step = x.shape.map(() => 1);
  axes.forEach((a0, i) => {
    const a = axisOf(a0, x.rank);
    const d = x.shape[a];
    if (steps[i] < 1) throw c.unsupported(`a step of ${steps[i]} (only positive steps)`);
    const clampTo = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    begin[a] = clampTo(starts[i]);
    end[a] = Math.max(clampTo(ends[i]), begin[a]);
    step[a] = steps[i];
  });
  if (begin.some((b, i) => b >= end[i] && x.shape[i] > 0)) {
    return [new Tensor(new (x.data.constructor as Float32ArrayConstructor)(0), x.shape.map((d, i) => Math.max(0, Math.ceil((end[i] - begin[i]) / step[i]))))];
  }
  return [slice(x, begin, end, step)];
};

const Split: OpImpl = ([x, splitT], c) => {
  const axis = axisOf(c.int('axis', 0), x!.rank);
  const n = c.node.output?.length ?? 1;
  const sizes = (c.opset >= 13 ? intsOf(splitT) : c.ints('split')) ?? n;
  return split(x!, sizes, axis);
};

const Pad: OpImpl = ([x, padsT, value], c) => {
  const mode = c.str('mode', 'constant');
  const p = c.opset >= 11 ? intsOf(padsT)! : c.ints('pads') ?? c.ints('paddings')!;
  const v = c.opset >= 11 ? (value ? value.data[0] : 0) : c.float('value', 0);
  const r = x!.rank;
  if (p.some((q) => q < 0)) throw c.unsupported('negative pads (cropping)');
  const pads = x!.shape.map((_, i) => [p[i], p[i + r]] as const);
  if (mode === 'constant') return [pad(x!, pads, v)];
  if (mode !== 'edge' && mode !== 'reflect') throw c.unsupported(`${mode} padding`);
  return [pad(x!, pads, { mode: mode === 'edge' ? 'replicate' : 'reflect' })];
};

const Gather: OpImpl = ([x, idx], c) => {
  const axis = axisOf(c.int('axis', 0), x!.rank);
  const d = x!.shape[axis];
  const indices = Array.from(idx!.data, (i) => (i < 0 ? i + d : i));
  if (indices.some((i) => i < 0 || i >= d)) throw c.invalid(`an index outside [0, ${d}) on axis ${axis}`);
  const outShape = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
  if (indices.length === 0) return [new Tensor(new (x!.data.constructor as Float32ArrayConstructor)(0), outShape)];
  // One slice per index, concatenated: differentiable, and gathers are small in the graphs that use them.
  const parts = indices.map((i) => slice(x!, x!.shape.map((_, a) => (a === axis ? i : 0)), x!.shape.map((s, a) => (a === axis ? i + 1 : s))));
  return [reshape(parts.length === 1 ? parts[0] : concat(parts, axis), outShape)];
};

function dtypeOfOnnx(c: NodeContext, to: number): DType {
  if (to === ElemType.FLOAT || to === ElemType.FLOAT16) return 'float32';
  if (to === ElemType.DOUBLE) return 'float64';
  if ([ElemType.INT32, ElemType.INT64, ElemType.INT16, ElemType.INT8, ElemType.UINT8, ElemType.UINT16, ElemType.UINT32, ElemType.BOOL].includes(to)) return 'int32';
  throw c.unsupported(`casting to element type ${to}`);
}

const Constant: OpImpl = (_ins, c) => {
  const t = c.tensor('value');
  if (t) return [t];
  if (c.has('value_float')) return [tensor(c.float('value_float', 0))];
  if (c.has('value_floats')) return [tensor(c.floats('value_floats')!)];
  if (c.has('value_int')) return [tensor(c.int('value_int', 0), { dtype: 'int32' })];
  if (c.has('value_ints')) return [tensor(c.ints('value_ints')!, { dtype: 'int32' })];
  throw c.unsupported(`a Constant with attribute ${c.names().join(', ')}`);
};

function reduceOp(kind: 'mean' | 'sum' | 'max' | 'min'): OpImpl {
  return ([x, axesT], c) => {
    const keepdims = c.int('keepdims', 1) === 1;
    const fromInput = kind === 'sum' ? 13 : 18;
    const axes = axesOf(c, axesT, fromInput);
    if ((!axes || axes.length === 0) && c.int('noop_with_empty_axes', 0) === 1) return [x!];
    const axis = axes && axes.length ? axes.map((a) => axisOf(a, x!.rank)) : undefined;
    if (kind === 'sum') return [sum(x!, { axis, keepdims })];
    if (kind === 'mean') return [mean(x!, { axis, keepdims })];
    // max/min: pairwise folds over the slices of each axis (differentiable, and reductions in imported graphs are small).
    const list = axis ?? x!.shape.map((_, i) => i);
    let y = x!;
    for (const a of list) {
      const parts = split(y, y.shape[a], a);
      y = parts.reduce((p, q) => (kind === 'max' ? maximum(p, q) : minimum(p, q)));
    }
    return [keepdims ? y : reshape(y, x!.shape.filter((_, i) => !list.includes(i)))];
  };
}

export const TENSOR_OPS: Record<string, OpImpl> = {
  Add: binary(add, (a, b) => a + b),
  Sub: binary(sub, (a, b) => a - b),
  Mul: binary(mul, (a, b) => a * b),
  Div: binary(div, (a, b) => Math.trunc(a / b)),
  Pow: ([a, b]) => [pow(a!, isInt(b!) && !isInt(a!) ? cast(b!, a!.dtype) : b!)],
  Sum: variadic(add),
  Mean: (xs) => [div(xs.filter((x): x is Tensor => !!x).reduce((p, q) => add(p, q)), xs.length)],
  Max: variadic(maximum),
  Min: variadic(minimum),
  Equal: ([a, b]) => [cast(equal(a!, b!), 'int32')],
  Less: ([a, b]) => [cast(less(a!, b!), 'int32')],
  Greater: ([a, b]) => [cast(greater(a!, b!), 'int32')],
  Where: ([cond, a, b]) => [where(cond!, a!, b!)],
  Expand: ([x, shapeT]) => [broadcastTo(x!, broadcastShape(x!.shape, intsOf(shapeT)!))],
  Flatten,
  Reshape,
  Transpose: ([x], c) => [permute(x!, c.ints('perm') ?? x!.shape.map((_, i) => x!.rank - 1 - i))],
  Concat: (xs, c) => {
    const ts = xs.filter((x): x is Tensor => !!x);
    return [concat(ts, axisOf(c.int('axis', 0), ts[0].rank))];
  },
  Split,
  Slice,
  Squeeze,
  Unsqueeze,
  Pad,
  Gather,
  Constant,
  Identity: ([x]) => [x!],
  Shape: ([x], c) => {
    const r = x!.rank;
    const s = axisOf(c.int('start', 0), r);
    const e = c.has('end') ? axisOf(c.int('end', r), r) : r;
    return [tensor(x!.shape.slice(Math.max(0, s), Math.min(r, e)), { dtype: 'int32' })];
  },
  Cast: ([x], c) => {
    const to = c.int('to', ElemType.FLOAT);
    const y = cast(x!, dtypeOfOnnx(c, to));
    // Receptive holds float16 as float32: round the values to half precision as ONNX would store them.
    return [to === ElemType.FLOAT16 ? new Tensor(Float32Array.from(y.data, roundToHalf), y.shape) : y];
  },
  ConstantOfShape: ([shapeT], c) => {
    const v = c.tensor('value');
    return [full(intsOf(shapeT) ?? [], v ? v.data[0] : 0, { dtype: v ? v.dtype : 'float32' })];
  },
  ReduceMean: reduceOp('mean'),
  ReduceSum: reduceOp('sum'),
  ReduceMax: reduceOp('max'),
  ReduceMin: reduceOp('min'),
};
