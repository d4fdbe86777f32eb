import { Tensor, full } from '../../tensor/index.js';
import {
  add, avgPool2d, batchNorm, cast, clamp, maxPool2dWithIndices, conv2d, convTranspose2d, div, elu, exp, globalAvgPool2d, globalMaxPool2d, interpolate, leakyRelu,
  linear, localResponseNorm, maxPool2d, log, logSoftmax, matmul, mean, mul, neg, pad, relu, reshape, sigmoid, slice, softmax, softplus, sqrt,
  squeeze, sub, tanh, transpose, unsqueeze, variance, abs,
} from '../../ops/index.js';
import { intsOf, type NodeContext } from './attrs.js';
import type { CoordinateMode, InterpolateMode, NearestMode } from '../../ops/index.js';

/*
 * ONNX's neural-network operators on Receptive's differentiable ops. Each
 * implementation reads only attributes it honours and refuses the rest by name,
 * so an imported model either computes what ONNX defines or does not load.
 */

export type OpImpl = (inputs: (Tensor | null)[], ctx: NodeContext) => Tensor[];

/** Begin/end padding per spatial axis from pads or auto_pad (ONNX's SAME_UPPER/SAME_LOWER rule). */
function spatialPads(c: NodeContext, inSize: number[], k: number[], s: number[], d: number[]): { begin: number[]; end: number[] } {
  const n = inSize.length;
  const auto = c.str('auto_pad', 'NOTSET');
  if (auto === 'NOTSET') {
    const p = c.ints('pads') ?? new Array(2 * n).fill(0);
    if (p.length !== 2 * n) throw c.invalid(`pads has ${p.length} values for ${n} spatial axes`);
    return { begin: p.slice(0, n), end: p.slice(n) };
  }
  if (auto === 'VALID') return { begin: new Array(n).fill(0), end: new Array(n).fill(0) };
  if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') throw c.unsupported(`auto_pad ${auto}`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < n; i++) {
    const total = Math.max((Math.ceil(inSize[i] / s[i]) - 1) * s[i] + (k[i] - 1) * d[i] + 1 - inSize[i], 0);
    const small = Math.floor(total / 2);
    begin.push(auto === 'SAME_UPPER' ? small : total - small);
    end.push(total - begin[i]);
  }
  return { begin, end };
}

/** 1-D ops run as 2-D ones over an H of 1; 3-D and above are refused. */
function spatial(c: NodeContext, x: Tensor): { x4: Tensor; oneD: boolean } {
  if (x.rank === 4) return { x4: x, oneD: false };
  if (x.rank === 3) return { x4: unsqueeze(x, 2), oneD: true };
  throw c.unsupported(`a ${x.rank - 2}-D input (rank ${x.rank})`);
}
const lift = (v: number[], oneD: boolean, fill: number): number[] => (oneD ? [fill, ...v] : v);
const lower = (y: Tensor, oneD: boolean): Tensor => (oneD ? squeeze(y, 2) : y);

function windowAttrs(c: NodeContext, x4: Tensor, oneD: boolean, k: number[]) {
  const n = oneD ? 1 : 2;
  const s = lift(c.ints('strides') ?? new Array(n).fill(1), oneD, 1);
  const d = lift(c.ints('dilations') ?? new Array(n).fill(1), oneD, 1);
  const kk = lift(k, oneD, 1);
  const p = spatialPads(c, x4.shape.slice(2 + (oneD ? 1 : 0)), k, s.slice(oneD ? 1 : 0), d.slice(oneD ? 1 : 0));
  const begin = lift(p.begin, oneD, 0);
  const end = lift(p.end, oneD, 0);
  return { s: s as [number, number], d: d as [number, number], k: kk as [number, number], begin, end };
}

const Conv: OpImpl = ([x, w, b], c) => {
  const { x4, oneD } = spatial(c, x!);
  const w4 = oneD ? unsqueeze(w!, 2) : w!;
  const { s, d, begin, end } = windowAttrs(c, x4, oneD, c.ints('kernel_shape') ?? w!.shape.slice(2));
  const y = conv2d(x4, w4, { bias: b, stride: s, dilation: d, groups: c.int('group', 1), padding: [begin[0], end[0], begin[1], end[1]] });
  return [lower(y, oneD)];
};

const ConvTranspose: OpImpl = ([x, w, b], c) => {
  const { x4, oneD } = spatial(c, x!);
  const w4 = oneD ? unsqueeze(w!, 2) : w!;
  const n = oneD ? 1 : 2;
  const k = lift(c.ints('kernel_shape') ?? w!.shape.slice(2), oneD, 1);
  const s = lift(c.ints('strides') ?? new Array(n).fill(1), oneD, 1);
  const d = lift(c.ints('dilations') ?? new Array(n).fill(1), oneD, 1);
  const op = lift(c.ints('output_padding') ?? new Array(n).fill(0), oneD, 0);
  const inSize = x4.shape.slice(2);
  const full = inSize.map((v, i) => (v - 1) * s[i] + (k[i] - 1) * d[i] + 1);
  let begin: number[];
  let end: number[];
  const outShape = c.ints('output_shape');
  const auto = c.str('auto_pad', 'NOTSET');
  if (outShape) {
    const target = lift(outShape.slice(-n), oneD, 1);
    const total = target.map((t, i) => full[i] + op[i] - t);
    begin = total.map((t) => (auto === 'SAME_UPPER' ? Math.floor(t / 2) : t - Math.floor(t / 2)));
    end = total.map((t, i) => t - begin[i]);
  } else if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const total = inSize.map((v, i) => full[i] + op[i] - v * s[i]);
    begin = total.map((t) => (auto === 'SAME_UPPER' ? Math.floor(t / 2) : t - Math.floor(t / 2)));
    end = total.map((t, i) => t - begin[i]);
  } else {
    const p = auto === 'VALID' ? new Array(2 * n).fill(0) : (c.ints('pads') ?? new Array(2 * n).fill(0));
    begin = lift(p.slice(0, n), oneD, 0);
    end = lift(p.slice(n), oneD, 0);
  }
  // Full transposed convolution, then ONNX's pads crop it; output_padding past the full extent adds zeros (bias only).
  let y = convTranspose2d(x4, w4, { stride: s as [number, number], dilation: d as [number, number], groups: c.int('group', 1) });
  const len = full.map((f, i) => f + op[i] - begin[i] - end[i]);
  if (begin.some((v) => v < 0) || len.some((v) => v < 1)) throw c.invalid(`pads [${begin}] / [${end}] leave no output`);
  const extra = full.map((f, i) => Math.max(0, begin[i] + len[i] - f));
  if (extra[0] || extra[1]) y = pad(y, [[0, 0], [0, 0], [0, extra[0]], [0, extra[1]]]);
  y = slice(y, [0, 0, begin[0], begin[1]], [null, null, begin[0] + len[0], begin[1] + len[1]]);
  if (b) y = add(y, reshape(b, [1, b.shape[0], 1, 1]));
  return [lower(y, oneD)];
};

const Gemm: OpImpl = ([a, b, cc], c) => {
  const alpha = c.float('alpha', 1);
  const beta = c.float('beta', 1);
  const tA = c.int('transA', 0);
  const tB = c.int('transB', 0);
  if (!tA && tB && alpha === 1 && beta === 1 && (!cc || cc.rank === 1)) return [linear(a!, b!, cc)];
  let y = matmul(tA ? transpose(a!) : a!, tB ? transpose(b!) : b!);
  if (alpha !== 1) y = mul(y, alpha);
  if (cc) y = add(y, beta === 1 ? cc : mul(cc, beta));
  return [y];
};

function poolCommon(c: NodeContext, x: Tensor, kind: 'max' | 'avg'): Tensor {
  const { x4, oneD } = spatial(c, x);
  const kAttr = c.ints('kernel_shape');
  if (!kAttr) throw c.invalid('kernel_shape is required');
  const { s, d, k, begin, end } = windowAttrs(c, x4, oneD, kAttr);
  const ceilMode = c.int('ceil_mode', 0) === 1;
  if (kind === 'avg' && (d[0] !== 1 || d[1] !== 1)) throw c.unsupported('average pooling with dilations');
  const symmetric = begin[0] === end[0] && begin[1] === end[1] && begin[0] <= k[0] / 2 && begin[1] <= k[1] / 2;
  if (kind === 'max' && !symmetric && (c.node.output?.length ?? 1) > 1 && c.node.output![1]) throw c.unsupported('the Indices output of MaxPool with asymmetric or large pads');
  const padding = [begin[0], end[0], begin[1], end[1]] as const;
  const y = kind === 'max'
    ? maxPool2d(x4, { kernelSize: k, stride: s, dilation: d, padding, ceilMode })
    : avgPool2d(x4, { kernelSize: k, stride: s, padding, ceilMode, countIncludePad: c.int('count_include_pad', 0) === 1 });
  return lower(y, oneD);
}

const BatchNormalization: OpImpl = ([x, scale, bias, m, v], c) => {
  if (c.int('training_mode', 0) === 1) throw c.unsupported('training_mode=1');
  if ((c.node.output?.filter(Boolean).length ?? 1) > 1) throw c.unsupported('the running-statistics outputs (training mode)');
  return [batchNorm(x!, m!, v!, { weight: scale, bias, training: false, eps: c.float('epsilon', 1e-5) })];
};

const InstanceNormalization: OpImpl = ([x, scale, bias], c) => {
  const axis = Array.from({ length: x!.rank - 2 }, (_, i) => i + 2);
  const mu = mean(x!, { axis, keepdims: true });
  const v = variance(x!, { axis, keepdims: true, correction: 0 });
  const shape = [1, x!.shape[1], ...axis.map(() => 1)];
  const y = div(sub(x!, mu), sqrt(add(v, c.float('epsilon', 1e-5))));
  return [add(mul(y, reshape(scale!, shape)), reshape(bias!, shape))];
};

const LRN: OpImpl = ([x], c) => {
  const size = c.int('size', 0);
  // ONNX's window is [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉]; Receptive's (PyTorch's) differs for even sizes.
  if (size % 2 === 0) throw c.unsupported(`an even LRN size (${size})`);
  return [localResponseNorm(x!, { size, alpha: c.float('alpha', 1e-4), beta: c.float('beta', 0.75), k: c.float('bias', 1) })];
};

const Dropout: OpImpl = ([x, , training], c) => {
  if (training && training.data[0]) throw c.unsupported('training_mode=true');
  // Inference: identity, and a mask that keeps everything.
  return [x!, full(x!.shape, 1, { dtype: 'int32' })];
};

const RESIZE_COORDS = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const;
const NEAREST_MODES = ['floor', 'ceil', 'round_prefer_floor', 'round_prefer_ceil'] as const;
const INTERP_MODE: Record<string, InterpolateMode> = { nearest: 'nearest', linear: 'bilinear', bilinear: 'bilinear', cubic: 'bicubic' };

/** Resize and Upsample on interpolate: sizes as sizes, scales kept as given. */
const Resize: OpImpl = (ins, c) => {
  const x = ins[0]!;
  const old = c.node.op_type === 'Upsample' || c.opset < 11;
  const scalesT = c.node.op_type === 'Upsample' ? (ins[1] ?? null) : old ? ins[1] : ins[2];
  const sizes = old ? undefined : intsOf(ins[3]);
  const scales = scalesT && scalesT.size ? Array.from(scalesT.data, Number) : c.floats('scales');
  const mode = INTERP_MODE[c.str('mode', 'nearest')];
  const coord = old ? 'asymmetric' : c.str('coordinate_transformation_mode', 'half_pixel');
  const nearestMode = old ? 'floor' : c.str('nearest_mode', 'round_prefer_floor');
  if (x.rank !== 4) throw c.unsupported(`resizing a rank-${x.rank} tensor`);
  if (!mode) throw c.unsupported(`mode ${c.str('mode', 'nearest')}`);
  if (!(RESIZE_COORDS as readonly string[]).includes(coord)) throw c.unsupported(`coordinate_transformation_mode ${coord}`);
  if (!(NEAREST_MODES as readonly string[]).includes(nearestMode)) throw c.invalid(`nearest_mode ${nearestMode}`);
  if (!sizes && !scales) throw c.invalid('neither scales nor sizes is given');
  if (sizes ? sizes[0] !== x.shape[0] || sizes[1] !== x.shape[1] : scales![0] !== 1 || scales![1] !== 1) throw c.unsupported('resizing the batch or channel axis');
  const common = {
    mode,
    coordinateMode: coord as CoordinateMode,
    ...(mode === 'nearest' ? { nearestMode: nearestMode as NearestMode } : {}),
    ...(mode === 'bicubic' ? { cubicCoeff: c.float('cubic_coeff_a', -0.75), excludeOutside: c.int('exclude_outside', 0) === 1 } : {}),
  };
  if (sizes) return [interpolate(x, { ...common, size: [sizes[2], sizes[3]] })];
  // ONNX's align_corners with scales maps by the unrounded in·scale; interpolate's (PyTorch's) by the whole output size.
  if (coord === 'align_corners' && (!Number.isInteger(x.shape[2] * scales![2]) || !Number.isInteger(x.shape[3] * scales![3]))) {
    throw c.unsupported('align_corners with scales that do not give whole output sizes');
  }
  return [interpolate(x, { ...common, scaleFactor: [scales![2], scales![3]], recomputeScaleFactor: false })];
};

function softmaxLike(fn: (x: Tensor, axis: number) => Tensor): OpImpl {
  return ([x], c) => {
    if (c.opset >= 13) return [fn(x!, c.int('axis', -1))];
    // Before opset 13 the input is flattened to 2-D at axis and normalised over the second part.
    const a = c.int('axis', 1);
    const axis = a < 0 ? a + x!.rank : a;
    const rows = x!.shape.slice(0, axis).reduce((p, q) => p * q, 1);
    return [reshape(fn(reshape(x!, [rows, x!.size / Math.max(rows, 1)]), 1), x!.shape)];
  };
}

const Clip: OpImpl = ([x, lo, hi], c) => {
  const [a, b] = c.opset < 11 ? [c.float('min', -Infinity), c.float('max', Infinity)] : [lo ? lo.data[0] : -Infinity, hi ? hi.data[0] : Infinity];
  if (x!.dtype === 'int32') return [new Tensor(Int32Array.from(x!.data, (v) => Math.min(Math.max(v, a), b)), x!.shape)];
  return [clamp(x!, a, b)];
};

/** MaxPool's Indices output: flat positions in the whole NCHW input (row-major; storage_order 1 is column-major). */
function maxPoolWithIndices(c: NodeContext, x: Tensor): Tensor[] {
  if (x.rank !== 4) throw c.unsupported('the Indices output for a non-2-D pool');
  const { s, d, k, begin, end } = windowAttrs(c, x, false, c.ints('kernel_shape')!);
  if (begin[0] !== end[0] || begin[1] !== end[1] || begin[0] > k[0] / 2 || begin[1] > k[1] / 2) throw c.unsupported('the Indices output of MaxPool with asymmetric or large pads');
  const { y, indices } = maxPool2dWithIndices(x, { kernelSize: k, stride: s, dilation: d, padding: [begin[0], begin[1]], ceilMode: c.int('ceil_mode', 0) === 1 });
  const [N, C, H, W] = x.shape;
  const plane = y.shape[2] * y.shape[3];
  const colMajor = c.int('storage_order', 0) === 1;
  const out = new Int32Array(indices.size);
  for (let i = 0; i < out.length; i++) {
    const nc = Math.floor(i / plane);
    const p = indices.data[i];
    const local = colMajor ? (p % W) * H + Math.floor(p / W) : p;
    out[i] = nc * H * W + local;
  }
  void N;
  void C;
  return [y, new Tensor(out, indices.shape)];
}

export const NN_OPS: Record<string, OpImpl> = {
  Conv,
  ConvTranspose,
  Gemm,
  MatMul: ([a, b]) => [matmul(a!, b!)],
  MaxPool: ([x], c) => {
    if (x!.dtype === 'int32') return [cast(poolCommon(c, cast(x!, 'float64'), 'max'), 'int32')];
    const wantsIndices = (c.node.output?.length ?? 1) > 1 && !!c.node.output![1];
    return wantsIndices ? maxPoolWithIndices(c, x!) : [poolCommon(c, x!, 'max')];
  },
  AveragePool: ([x], c) => [poolCommon(c, x!, 'avg')],
  GlobalAveragePool: ([x], c) => [x!.rank === 4 ? globalAvgPool2d(x!) : mean(x!, { axis: Array.from({ length: x!.rank - 2 }, (_, i) => i + 2), keepdims: true })],
  GlobalMaxPool: ([x], c) => {
    if (x!.rank !== 4) throw c.unsupported(`GlobalMaxPool on rank ${x!.rank}`);
    return [globalMaxPool2d(x!)];
  },
  BatchNormalization,
  InstanceNormalization,
  LRN,
  Dropout,
  Resize,
  Upsample: Resize,
  Relu: ([x]) => [relu(x!)],
  LeakyRelu: ([x], c) => [leakyRelu(x!, c.float('alpha', 0.01))],
  Sigmoid: ([x]) => [sigmoid(x!)],
  Tanh: ([x]) => [tanh(x!)],
  Elu: ([x], c) => [elu(x!, c.float('alpha', 1))],
  Softplus: ([x]) => [softplus(x!)],
  Exp: ([x]) => [exp(x!)],
  Log: ([x]) => [log(x!)],
  Sqrt: ([x]) => [sqrt(x!)],
  Abs: ([x]) => [abs(x!)],
  Neg: ([x]) => [neg(x!)],
  Reciprocal: ([x]) => [div(1, x!)],
  Softmax: softmaxLike(softmax),
  LogSoftmax: softmaxLike(logSoftmax),
  Clip,
  HardSigmoid: ([x], c) => [clamp(add(mul(x!, c.float('alpha', 0.2)), c.float('beta', 0.5)), 0, 1)],
  HardSwish: ([x]) => [mul(x!, clamp(add(mul(x!, 1 / 6), 0.5), 0, 1))],
};
