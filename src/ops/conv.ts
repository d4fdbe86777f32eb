import { kernel, type Conv2DInfo } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { ArgumentError, DTypeError, ShapeError, Tensor } from '../tensor/index.js';
import { checkFloat, checkOptions, checkTensor, describe, pair, view } from './util.js';

/**
 * Padding: 'valid' (none), 'same' (TensorFlow's rule: output = ceil(input / stride),
 * the total padding split with the extra pixel at the bottom/right), a number or
 * [h, w] pair for symmetric padding, or [top, bottom, left, right].
 */
export type Padding = 'valid' | 'same' | number | readonly [number, number] | readonly [number, number, number, number];

export interface Conv2dOptions {
  bias?: Tensor | null;
  stride?: number | readonly [number, number];
  padding?: Padding;
  dilation?: number | readonly [number, number];
  groups?: number;
}

/**
 * Output size of a convolution or pooling window along one axis, the decks'
 * formula ⌊(n + p_total − d·(k − 1) − 1) / s⌋ + 1 (with d = 1: (n − k + P)/S + 1).
 */
export function convOutputSize(inSize: number, kernel: number, stride: number, padTotal: number, dilation = 1, ceil = false): number {
  const span = inSize + padTotal - dilation * (kernel - 1) - 1;
  return (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
}

/** 'same' padding for one axis: total = max((⌈n/s⌉ − 1)·s + d·(k − 1) + 1 − n, 0), extra pixel after. */
export function samePadding(inSize: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + dilation * (kernel - 1) + 1 - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Resolve a Padding spec to [top, bottom, left, right]. */
export function resolvePadding(op: string, padding: Padding | undefined, inH: number, inW: number, kH: number, kW: number, stride: [number, number], dilation: [number, number]): [number, number, number, number] {
  if (padding === undefined || padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    const [t, b] = samePadding(inH, kH, stride[0], dilation[0]);
    const [l, r] = samePadding(inW, kW, stride[1], dilation[1]);
    return [t, b, l, r];
  }
  if (Array.isArray(padding) && padding.length === 4) {
    if (!padding.every((v) => Number.isInteger(v) && v >= 0)) throw new ArgumentError(op, `padding must hold non-negative integers, got ${describe(padding)}`);
    return [padding[0], padding[1], padding[2], padding[3]];
  }
  if (typeof padding === 'string') throw new ArgumentError(op, `padding must be 'valid', 'same', a number, [h, w] or [top, bottom, left, right], got ${describe(padding)}`);
  const [ph, pw] = pair(op, 'padding', padding, 0);
  return [ph, ph, pw, pw];
}

/** Check x and w and resolve every size a Conv2D kernel needs. */
export function conv2dInfo(op: string, x: Tensor, w: Tensor, opts: Conv2dOptions): Conv2DInfo {
  if (x.rank !== 4) throw new ShapeError(op, 'input [N, C, H, W]', x.shape);
  if (w.rank !== 4) throw new ShapeError(op, 'weight [outChannels, inChannels/groups, kH, kW]', w.shape);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(op, `groups must be an integer >= 1, got ${describe(groups)}`);
  const [N, C, H, W] = x.shape;
  const [OC, CG, kH, kW] = w.shape;
  if (C % groups !== 0 || OC % groups !== 0) {
    throw new ArgumentError(op, `groups=${groups} must divide both input channels (${C}) and output channels (${OC})`);
  }
  if (CG * groups !== C) {
    throw new ShapeError(op, `input [N, ${CG * groups}, H, W] to match weight ${'[' + w.shape.join(', ') + ']'} with groups=${groups}`, x.shape);
  }
  const stride = pair(op, 'stride', opts.stride ?? 1, 1);
  const dilation = pair(op, 'dilation', opts.dilation ?? 1, 1);
  const [pt, pb, pl, pr] = resolvePadding(op, opts.padding, H, W, kH, kW, stride, dilation);
  const outH = convOutputSize(H, kH, stride[0], pt + pb, dilation[0]);
  const outW = convOutputSize(W, kW, stride[1], pl + pr, dilation[1]);
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      op,
      `an input at least as large as the dilated kernel ${dilation[0] * (kH - 1) + 1}x${dilation[1] * (kW - 1) + 1} after padding`,
      x.shape,
      `padded input is ${H + pt + pb}x${W + pl + pr}`,
    );
  }
  return {
    batch: N, inChannels: C, inH: H, inW: W, outChannels: OC, outH, outW, kH, kW,
    strideH: stride[0], strideW: stride[1], padTop: pt, padBottom: pb, padLeft: pl, padRight: pr,
    dilationH: dilation[0], dilationW: dilation[1], groups,
  };
}

function checkBias(op: string, bias: Tensor | null | undefined, channels: number): Tensor | null {
  if (bias == null) return null;
  checkTensor(op, 'bias', bias);
  if (bias.rank !== 1 || bias.shape[0] !== channels) throw new ShapeError(op, `bias [${channels}]`, bias.shape);
  return bias;
}

function checkOperands(op: string, x: Tensor, w: Tensor): void {
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', w);
  checkFloat(op, 'input', x);
  if (x.dtype !== w.dtype) throw new DTypeError(op, `weight of the input's dtype ${x.dtype}`, w.dtype);
}

/** The trace attributes of a convolution, resolved (for ONNX export and receptive fields). */
function convAttrs(info: Conv2DInfo): Record<string, unknown> {
  return {
    kernel: [info.kH, info.kW],
    stride: [info.strideH, info.strideW],
    pads: [info.padTop, info.padBottom, info.padLeft, info.padRight],
    dilation: [info.dilationH, info.dilationW],
    groups: info.groups,
  };
}

/** Sum of dy over batch and space: the bias gradient of a convolution. */
function biasGrad(dy: Tensor): Tensor {
  return view(kernel('Reduce')(dy, { op: 'sum', axes: [0, 2, 3] }), [dy.shape[1]]);
}

/**
 * 2-D convolution over NCHW input with weight [outChannels, inChannels/groups, kH, kW].
 * Every input channel is convolved and summed; every kernel gives one output channel.
 */
export function conv2d(x: Tensor, weight: Tensor, opts: Conv2dOptions = {}): Tensor {
  checkOperands('conv2d', x, weight);
  opts = checkOptions('conv2d', opts);
  const info = conv2dInfo('conv2d', x, weight, opts);
  const bias = checkBias('conv2d', opts.bias, info.outChannels);
  const out = kernel('Conv2D')(x, weight, bias, info);
  return record('conv2d', out, [x, weight, bias], (g) => {
    const { dx, dw } = kernel('Conv2DBackprop')(x, weight, g, info, { input: x.requiresGrad, filter: weight.requiresGrad });
    return [dx, dw, bias?.requiresGrad ? biasGrad(g) : null];
  }, convAttrs(info));
}

export interface Conv1dOptions {
  bias?: Tensor | null;
  stride?: number;
  padding?: 'valid' | 'same' | number | readonly [number, number];
  dilation?: number;
  groups?: number;
}

/** 1-D convolution over [N, C, L] with weight [outChannels, inChannels/groups, k]: conv2d with H = 1. */
export function conv1d(x: Tensor, weight: Tensor, opts: Conv1dOptions = {}): Tensor {
  checkOperands('conv1d', x, weight);
  opts = checkOptions('conv1d', opts);
  if (x.rank !== 3) throw new ShapeError('conv1d', 'input [N, C, L]', x.shape);
  if (weight.rank !== 3) throw new ShapeError('conv1d', 'weight [outChannels, inChannels/groups, k]', weight.shape);
  const p = opts.padding ?? 0;
  const padding: Padding = typeof p === 'string' ? p : typeof p === 'number' ? [0, 0, p, p] : [0, 0, p[0], p[1]];
  const x4 = reshape4(x);
  const w4 = reshape4(weight);
  const y = conv2d(x4, w4, { bias: opts.bias, stride: [1, opts.stride ?? 1], dilation: [1, opts.dilation ?? 1], groups: opts.groups, padding: padding === 'same' ? samePadding1d(x, weight, opts) : padding });
  return reshapeBack(y);
}

function samePadding1d(x: Tensor, w: Tensor, opts: Conv1dOptions): Padding {
  const [l, r] = samePadding(x.shape[2], w.shape[2], opts.stride ?? 1, opts.dilation ?? 1);
  return [0, 0, l, r];
}

function reshape4(t: Tensor): Tensor {
  const [a, b, c] = t.shape;
  const out = view(t, [a, b, 1, c]);
  return record('reshape', out, [t], (g) => [view(g, t.shape)], { shape: [a, b, 1, c] });
}

function reshapeBack(t: Tensor): Tensor {
  const [a, b, , c] = t.shape;
  const out = view(t, [a, b, c]);
  return record('reshape', out, [t], (g) => [view(g, t.shape)], { shape: [a, b, c] });
}

export interface ConvTranspose2dOptions {
  bias?: Tensor | null;
  stride?: number | readonly [number, number];
  /** Symmetric padding removed from the output (as PyTorch): a number or [h, w]. */
  padding?: number | readonly [number, number];
  /** Extra rows/columns added at the bottom/right to pick among the sizes a strided conv maps to one. */
  outputPadding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  groups?: number;
}

/**
 * Transposed convolution ("deconvolution", Hung-yi Lee's upsampling slides), with
 * weight [inChannels, outChannels/groups, kH, kW]. It is the input gradient of the
 * convolution that would map its output back to its input:
 *   out = (in − 1)·s − 2p + d·(k − 1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, opts: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkOperands(op, x, weight);
  opts = checkOptions(op, opts);
  if (x.rank !== 4) throw new ShapeError(op, 'input [N, C, H, W]', x.shape);
  if (weight.rank !== 4) throw new ShapeError(op, 'weight [inChannels, outChannels/groups, kH, kW]', weight.shape);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(op, `groups must be an integer >= 1, got ${describe(groups)}`);
  const [N, C, H, W] = x.shape;
  const [IC, OCG, kH, kW] = weight.shape;
  if (IC !== C) throw new ShapeError(op, `input [N, ${IC}, H, W] to match weight [${weight.shape.join(', ')}]`, x.shape);
  if (C % groups !== 0) throw new ArgumentError(op, `groups=${groups} must divide input channels (${C})`);
  const stride = pair(op, 'stride', opts.stride ?? 1, 1);
  const padding = pair(op, 'padding', opts.padding ?? 0, 0);
  const outPad = pair(op, 'outputPadding', opts.outputPadding ?? 0, 0);
  const dilation = pair(op, 'dilation', opts.dilation ?? 1, 1);
  if (outPad[0] >= Math.max(stride[0], dilation[0]) || outPad[1] >= Math.max(stride[1], dilation[1])) {
    throw new ArgumentError(op, `outputPadding ${describe(outPad)} must be smaller than stride or dilation (${describe(stride)}, ${describe(dilation)})`);
  }
  const outH = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kH - 1) + outPad[0] + 1;
  const outW = (W - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kW - 1) + outPad[1] + 1;
  if (outH < 1 || outW < 1) throw new ShapeError(op, `an input giving a positive output size (got ${outH}x${outW})`, x.shape);
  const OC = OCG * groups;
  const bias = checkBias(op, opts.bias, OC);
  // The forward convolution that this op transposes: from [N, OC, outH, outW] to [N, C, H, W].
  const info: Conv2DInfo = {
    batch: N, inChannels: OC, inH: outH, inW: outW, outChannels: C, outH: H, outW: W, kH, kW,
    // outputPadding rows lie past the last window, so the forward conv's padding stays symmetric.
    strideH: stride[0], strideW: stride[1], padTop: padding[0], padBottom: padding[0],
    padLeft: padding[1], padRight: padding[1], dilationH: dilation[0], dilationW: dilation[1], groups,
  };
  let y = kernel('Conv2DBackpropInput')(x, weight, info);
  if (bias) y = kernel('Binary')(y, view(bias, [OC, 1, 1]), { op: 'add', outShape: y.shape });
  return record(op, y, [x, weight, bias], (g) => [
    x.requiresGrad ? kernel('Conv2D')(g, weight, null, info) : null,
    weight.requiresGrad ? kernel('Conv2DBackpropFilter')(g, x, info) : null,
    bias?.requiresGrad ? biasGrad(g) : null,
  ], { ...convAttrs(info), transposed: true, outputPadding: outPad });
}
