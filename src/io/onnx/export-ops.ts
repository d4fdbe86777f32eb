import { ArgumentError, Tensor, tensor } from '../../tensor/index.js';
import type { TracedOp } from '../../autograd/trace.js';
import { ElemType } from './proto.js';

/*
 * Traced Receptive ops -> ONNX nodes (opset 13). Each emitter gets the op's
 * resolved attributes and the names of its inputs and outputs, and may add
 * constants (shapes, axes, scalars) as initializers.
 */

export interface OnnxNodeOut {
  op_type: string;
  input: string[];
  output: string[];
  name: string;
  attribute: { name: string; type: number; i?: number; f?: number; ints?: number[]; s?: Uint8Array }[];
}

export interface EmitContext {
  op: TracedOp;
  inputs: string[];
  outputs: string[];
  /** Add a constant tensor as an initializer; returns its name. */
  constant(t: Tensor, hint: string): string;
  node(op_type: string, inputs: string[], outputs: string[], attrs?: Record<string, AttrValue>): void;
  /** A fresh name for an intermediate value. */
  temp(hint: string): string;
  dynamicBatch: boolean;
}

type Emitter = (c: EmitContext) => void;

/** An attribute value: integers and int lists as they are, floats wrapped by `float()` (ONNX types them apart). */
export type AttrValue = number | number[] | string | { float: number };
const float = (v: number) => ({ float: v });

const ints = (v: readonly number[]) => tensor([...v], { dtype: 'int32' });
const a = (c: EmitContext) => c.op.attrs as Record<string, unknown>;
/** Receptive's pads [top, bottom, left, right] -> ONNX's [top, left, bottom, right]. */
const onnxPads = (p: number[]) => [p[0], p[2], p[1], p[3]];

const simple = (opType: string): Emitter => (c) => c.node(opType, c.inputs, c.outputs);

function conv(c: EmitContext): void {
  const at = a(c);
  const common = { kernel_shape: at.kernel as number[], strides: at.stride as number[], dilations: at.dilation as number[], group: at.groups as number };
  if (at.transposed) {
    const p = at.pads as number[];
    c.node('ConvTranspose', c.inputs, c.outputs, { ...common, pads: [p[0], p[2], p[1], p[3]], output_padding: at.outputPadding as number[] });
  } else c.node('Conv', c.inputs, c.outputs, { ...common, pads: onnxPads(at.pads as number[]) });
}

function pool(opType: string): Emitter {
  return (c) => {
    const at = a(c);
    const attrs: Record<string, AttrValue> = { kernel_shape: at.kernel as number[], strides: at.stride as number[], pads: onnxPads(at.pads as number[]), ceil_mode: at.ceilMode ? 1 : 0 };
    if (opType === 'MaxPool') attrs.dilations = at.dilation as number[];
    else attrs.count_include_pad = at.countIncludePad ? 1 : 0;
    c.node(opType, c.inputs, c.outputs.slice(0, 1), attrs);
  };
}

/** PyTorch's adaptive bins as a [out, in] averaging matrix: row i is 1/len over [floor(i·in/out), ceil((i+1)·in/out)). */
function binMatrix(inSize: number, outSize: number, dtype: Tensor['dtype'], transposed = false): Tensor {
  const m = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const [a0, a1] = [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)];
    for (let j = a0; j < a1; j++) m[transposed ? j * outSize + i : i * inSize + j] = 1 / (a1 - a0);
  }
  return new Tensor(dtype === 'float64' ? m : Float32Array.from(m), transposed ? [inSize, outSize] : [outSize, inSize]);
}

function adaptiveAvg(c: EmitContext): void {
  const [oh, ow] = a(c).outputSize as number[];
  const x = c.op.inputs[0];
  const [, , H, W] = x.shape;
  if (oh === 1 && ow === 1) return c.node('GlobalAveragePool', c.inputs, c.outputs);
  if (H % oh === 0 && W % ow === 0) return c.node('AveragePool', c.inputs, c.outputs, { kernel_shape: [H / oh, W / ow], strides: [H / oh, W / ow] });
  // Uneven (or overlapping, or growing) bins: the pool is linear, Y = Ph · X · Pwᵀ, two broadcast MatMuls.
  const rows = c.temp('pooled_w');
  c.node('MatMul', [c.inputs[0], c.constant(binMatrix(W, ow, x.dtype, true), 'bins_w')], [rows]);
  c.node('MatMul', [c.constant(binMatrix(H, oh, x.dtype), 'bins_h'), rows], c.outputs);
}

function reshape(c: EmitContext): void {
  const target = [...(a(c).shape as number[])];
  const x = c.op.inputs[0];
  // With a dynamic batch, a leading size equal to the input's batch is "copy that dimension" (0).
  if (c.dynamicBatch && target.length && x.rank && target[0] === x.shape[0]) target[0] = 0;
  c.node('Reshape', [c.inputs[0], c.constant(ints(target), 'shape')], c.outputs);
}

function linear(c: EmitContext): void {
  const x = c.op.inputs[0];
  if (x.rank === 2) return c.node('Gemm', c.inputs, c.outputs, { transB: 1 });
  const wt = c.temp('weight_t');
  c.node('Transpose', [c.inputs[1]], [wt], { perm: [1, 0] });
  if (c.inputs.length < 3) return c.node('MatMul', [c.inputs[0], wt], c.outputs);
  const mm = c.temp('matmul');
  c.node('MatMul', [c.inputs[0], wt], [mm]);
  c.node('Add', [mm, c.inputs[2]], c.outputs);
}

function matmul(c: EmitContext): void {
  const at = a(c);
  const ins = c.inputs.map((n, i) => {
    if (!(i === 0 ? at.transA : at.transB)) return n;
    const r = c.op.inputs[i].rank;
    const t = c.temp('transposed');
    c.node('Transpose', [n], [t], { perm: [...Array(r - 2).keys(), r - 1, r - 2] });
    return t;
  });
  c.node('MatMul', ins, c.outputs);
}

function batchNorm(c: EmitContext): void {
  const at = a(c);
  if (at.training || !at.hasRunningStats) throw new ArgumentError('exportOnnx', 'batch norm in training mode (or without running statistics) has no ONNX inference form: export in eval mode');
  const C = c.op.inputs[0].shape[1];
  const dtype = c.op.inputs[0].dtype;
  let k = 1;
  const scale = at.hasWeight ? c.inputs[k++] : c.constant(new Tensor(new Float32Array(C).fill(1), [C]), 'ones');
  const bias = at.hasBias ? c.inputs[k++] : c.constant(new Tensor(new Float32Array(C), [C]), 'zeros');
  void dtype;
  c.node('BatchNormalization', [c.inputs[0], scale, bias, c.inputs[k], c.inputs[k + 1]], c.outputs, { epsilon: float(at.eps as number) });
}

function clampLike(c: EmitContext, lo: number, hi: number): void {
  const dtype = c.op.inputs[0].dtype;
  const mk = (v: number) => (Number.isFinite(v) ? c.constant(tensor(v, { dtype }), 'clip') : '');
  const ins = [c.inputs[0], mk(lo), mk(hi)];
  while (ins[ins.length - 1] === '') ins.pop();
  c.node('Clip', ins, c.outputs);
}

function reduce(opType: string): Emitter {
  return (c) => {
    const at = a(c);
    const axes = at.axes as number[];
    const keepdims = at.keepDims ? 1 : 0;
    if (opType === 'ReduceSum') c.node(opType, [c.inputs[0], c.constant(ints(axes), 'axes')], c.outputs, { keepdims });
    else c.node(opType, c.inputs, c.outputs, { axes, keepdims });
  };
}

const RESIZE_MODE: Record<string, string> = { nearest: 'nearest', bilinear: 'linear', bicubic: 'cubic' };

function interpolate(c: EmitContext): void {
  const at = a(c);
  const x = c.op.inputs[0];
  const mode = RESIZE_MODE[at.mode as string];
  const attrs: Record<string, AttrValue> = { mode, coordinate_transformation_mode: at.coordinateMode as string };
  if (mode === 'nearest') attrs.nearest_mode = at.nearestMode as string;
  if (mode === 'cubic') Object.assign(attrs, { cubic_coeff_a: float(at.cubicCoeff as number), exclude_outside: at.excludeOutside ? 1 : 0 });
  // align_corners maps by the output size alone (PyTorch), which sizes say exactly.
  const scales = at.coordinateMode === 'align_corners' ? null : (at.scales as number[] | null);
  // Scales as given: ONNX then sizes the output ⌊in · scale⌋ and maps coordinates by the scale itself.
  if (scales) return c.node('Resize', [c.inputs[0], '', c.constant(new Tensor(Float32Array.from([1, 1, ...scales]), [4]), 'scales')], c.outputs, attrs);
  let sizes: string;
  if (c.dynamicBatch) {
    // sizes = [N, C] of the running input, then the fixed output plane.
    const [shape, nc] = [c.temp('shape'), c.temp('batch_channels')];
    c.node('Shape', [c.inputs[0]], [shape]);
    c.node('Slice', [shape, c.constant(ints([0]), 'starts'), c.constant(ints([2]), 'ends')], [nc]);
    sizes = c.temp('sizes');
    c.node('Concat', [nc, c.constant(ints([at.outH as number, at.outW as number]), 'plane')], [sizes], { axis: 0 });
  } else sizes = c.constant(ints([x.shape[0], x.shape[1], at.outH as number, at.outW as number]), 'sizes');
  c.node('Resize', [c.inputs[0], '', '', sizes], c.outputs, attrs);
}

const CAST_TO: Record<string, number> = { float32: ElemType.FLOAT, float64: ElemType.DOUBLE, int32: ElemType.INT32 };

export const EXPORTERS: Record<string, Emitter> = {
  conv2d: conv,
  convTranspose2d: conv,
  linear,
  matmul,
  maxPool2d: pool('MaxPool'),
  avgPool2d: pool('AveragePool'),
  adaptiveAvgPool2d: adaptiveAvg,
  globalAvgPool2d: simple('GlobalAveragePool'),
  globalMaxPool2d: simple('GlobalMaxPool'),
  batchNorm,
  localResponseNorm: (c) => {
    const at = a(c);
    c.node('LRN', c.inputs, c.outputs, { size: at.size as number, alpha: float(at.alpha as number), beta: float(at.beta as number), bias: float(at.k as number) });
  },
  dropout: simple('Identity'),
  reshape,
  permute: (c) => c.node('Transpose', c.inputs, c.outputs, { perm: a(c).perm as number[] }),
  concat: (c) => c.node('Concat', c.inputs, c.outputs, { axis: a(c).axis as number }),
  slice: (c) => {
    const at = a(c);
    const [b, e, st] = [at.begin as number[], at.end as number[], at.step as number[]];
    const shape = c.op.inputs[0].shape;
    // Only the axes that the slice changes: a whole axis (the batch above all) stays whatever size it has at run time.
    const axes = b.map((_, i) => i).filter((i) => !(b[i] === 0 && e[i] >= shape[i] && st[i] === 1));
    if (!axes.length) return c.node('Identity', c.inputs, c.outputs);
    const pick = (v: number[]) => c.constant(ints(axes.map((i) => v[i])), 'slice');
    c.node('Slice', [c.inputs[0], pick(b), pick(e), c.constant(ints(axes), 'axes'), pick(st)], c.outputs);
  },
  pad: (c) => {
    const pads = a(c).pads as number[][];
    const dtype = c.op.inputs[0].dtype;
    const onnxPads = c.constant(ints([...pads.map((p) => p[0]), ...pads.map((p) => p[1])]), 'pads');
    const mode = a(c).mode as string | undefined;
    if (mode && mode !== 'constant') return c.node('Pad', [c.inputs[0], onnxPads], c.outputs, { mode: mode === 'replicate' ? 'edge' : mode });
    c.node('Pad', [c.inputs[0], onnxPads, c.constant(tensor(a(c).value as number, { dtype }), 'pad_value')], c.outputs);
  },
  broadcastTo: (c) => {
    const target = [...(a(c).shape as number[])];
    const x = c.op.inputs[0];
    // Expand broadcasts: a 1 keeps the running input's own batch.
    if (c.dynamicBatch && x.rank === target.length && x.shape[0] === target[0]) target[0] = 1;
    c.node('Expand', [c.inputs[0], c.constant(ints(target), 'shape')], c.outputs);
  },
  cast: (c) => c.node('Cast', c.inputs, c.outputs, { to: CAST_TO[a(c).dtype as string] }),
  add: simple('Add'),
  sub: simple('Sub'),
  mul: simple('Mul'),
  div: simple('Div'),
  pow: simple('Pow'),
  maximum: simple('Max'),
  minimum: simple('Min'),
  where: simple('Where'),
  neg: simple('Neg'),
  exp: simple('Exp'),
  log: simple('Log'),
  sqrt: simple('Sqrt'),
  abs: simple('Abs'),
  square: (c) => c.node('Mul', [c.inputs[0], c.inputs[0]], c.outputs),
  sin: simple('Sin'),
  cos: simple('Cos'),
  relu: simple('Relu'),
  relu6: (c) => clampLike(c, 0, 6),
  clamp: (c) => clampLike(c, a(c).min as number, a(c).max as number),
  sigmoid: simple('Sigmoid'),
  tanh: simple('Tanh'),
  softplus: simple('Softplus'),
  leakyRelu: (c) => c.node('LeakyRelu', c.inputs, c.outputs, { alpha: float(a(c).negativeSlope as number) }),
  elu: (c) => c.node('Elu', c.inputs, c.outputs, { alpha: float(a(c).alpha as number) }),
  softmax: (c) => c.node('Softmax', c.inputs, c.outputs, { axis: a(c).axis as number }),
  logSoftmax: (c) => c.node('LogSoftmax', c.inputs, c.outputs, { axis: a(c).axis as number }),
  sum: reduce('ReduceSum'),
  mean: reduce('ReduceMean'),
  interpolate,
};
