import { kernel, type Pool2DInfo } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { traceOp, untraced } from '../autograd/trace.js';
import { ArgumentError, ShapeError, Tensor, ones } from '../tensor/index.js';
import { checkFloat, checkTensor, describe, pair } from './util.js';
import { pad } from './pad.js';
import { div } from './elementwise.js';

/*
 * Pooling (Hung-yi Lee "CNN – Pooling Layer"; Zhonglei Wang "Pooling"; Rowel
 * Atienza "Downsampling - Pooling"): each channel is pooled on its own, with no
 * parameters to learn. A kH×kW window slides with the stride; max pooling keeps
 * the largest value, average pooling the mean. Windows overlap when the stride is
 * smaller than the window ("Overlapping Pooling", AlexNet).
 */

export interface MaxPool2dOptions {
  kernelSize: number | readonly [number, number];
  /** Defaults to kernelSize: non-overlapping windows, as in the decks' 2×2/stride 2 examples. */
  stride?: number | readonly [number, number];
  /**
   * Implicit padding on both sides (at most half the kernel, PyTorch's rule), or
   * four-sided [top, bottom, left, right] of any size (ONNX's and TensorFlow's 'same'
   * pads); padded positions never win the max.
   */
  padding?: number | readonly [number, number] | readonly [number, number, number, number];
  dilation?: number | readonly [number, number];
  /** Round the output size up, keeping a last partial window if it starts inside the input or left padding. */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  kernelSize: number | readonly [number, number];
  stride?: number | readonly [number, number];
  /** As max pooling's: [h, w] up to half the kernel, or four-sided [top, bottom, left, right]. */
  padding?: number | readonly [number, number] | readonly [number, number, number, number];
  ceilMode?: boolean;
  /** Divide by the full window, padded zeros included (true, PyTorch's default), or by the in-bounds part only. */
  countIncludePad?: boolean;
}

/**
 * Output size of a pooling window along one axis, as PyTorch computes it:
 * ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1, or with ⌈·⌉ in ceil mode, where the last
 * window is dropped if it would start in the right padding or past it.
 */
export function poolOutputSize(inSize: number, kernelSize: number, stride: number, padding = 0, dilation = 1, ceilMode = false): number {
  const span = inSize + 2 * padding - dilation * (kernelSize - 1) - 1;
  let out = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= inSize + padding) out--;
  return out;
}

function checkBool(op: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ArgumentError(op, `${name} must be true or false, got ${describe(v)}`);
  return v;
}

function checkInput4d(op: string, x: unknown): Tensor {
  checkTensor(op, 'input', x);
  const t = x as Tensor;
  checkFloat(op, 'input', t);
  if (t.rank !== 4) throw new ShapeError(op, 'input [N, C, H, W]', t.shape);
  return t;
}

interface PoolOptions {
  kernelSize: unknown;
  stride?: unknown;
  padding?: unknown;
  dilation?: unknown;
  ceilMode?: unknown;
  countIncludePad?: unknown;
}

/** Check every argument and resolve the sizes a pooling kernel needs. */
export function pool2dInfo(op: string, x: Tensor, opts: PoolOptions): Pool2DInfo {
  const [kH, kW] = pair(op, 'kernelSize', opts.kernelSize, 1);
  const [sH, sW] = pair(op, 'stride', opts.stride ?? opts.kernelSize, 1);
  const [pH, pW] = pair(op, 'padding', opts.padding ?? 0, 0);
  const [dH, dW] = pair(op, 'dilation', opts.dilation ?? 1, 1);
  const ceilMode = checkBool(op, 'ceilMode', opts.ceilMode, false);
  const countIncludePad = checkBool(op, 'countIncludePad', opts.countIncludePad, true);
  // PyTorch's rule: more padding than half the window would give windows of padding only.
  if (pH > kH / 2 || pW > kW / 2) {
    throw new ArgumentError(op, `padding ${describe([pH, pW])} must be at most half of kernelSize ${describe([kH, kW])}`);
  }
  const [N, C, H, W] = x.shape;
  const outH = poolOutputSize(H, kH, sH, pH, dH, ceilMode);
  const outW = poolOutputSize(W, kW, sW, pW, dW, ceilMode);
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      op,
      `an input at least as large as the pooling window ${dH * (kH - 1) + 1}x${dW * (kW - 1) + 1} after padding`,
      x.shape,
      `padded input is ${H + 2 * pH}x${W + 2 * pW}`,
    );
  }
  return {
    batch: N, channels: C, inH: H, inW: W, outH, outW, kH, kW, strideH: sH, strideW: sW,
    padTop: pH, padLeft: pW, dilationH: dH, dilationW: dW, countIncludePad, padH: H + 2 * pH, padW: W + 2 * pW,
  };
}

/** The trace attributes of a windowed pooling, resolved (padding as [top, bottom, left, right]). */
function poolAttrs(info: Pool2DInfo, ceilMode: boolean, countIncludePad: boolean): Record<string, unknown> {
  return {
    kernel: [info.kH, info.kW],
    stride: [info.strideH, info.strideW],
    pads: [info.padTop, info.padTop, info.padLeft, info.padLeft],
    dilation: [info.dilationH, info.dilationW],
    ceilMode,
    countIncludePad,
  };
}

function maxPool(op: string, x: Tensor, info: Pool2DInfo, attrs: Record<string, unknown>, withIndices: boolean): { y: Tensor; indices: Tensor } {
  const { y, argmax } = kernel('MaxPool2D')(x, info);
  // Backward (Zhonglei Wang "Backpropagation for Max POOL"): δ goes only to the
  // position that held the max, the mask of 0s with a single 1.
  const backward = (g: Tensor) => [kernel('MaxPool2DGrad')(g, argmax, info)];
  if (!withIndices) record(op, y, [x], backward, attrs);
  else {
    // One traced op with both outputs, as ONNX MaxPool's optional Indices.
    untraced(() => record(op, y, [x], backward, attrs));
    traceOp(op, attrs, [x], [y, argmax]);
  }
  return { y, indices: argmax };
}

type FourPads = readonly [number, number, number, number];

/**
 * Four-sided padding that the pooling kernels (symmetric, at most half the
 * window) cannot take, or null. Four-sided pads that are symmetric and small
 * come back as null with `padding` rewritten to [h, w].
 */
function fourSided(op: string, opts: { kernelSize: unknown; padding?: unknown }): FourPads | null {
  const p = opts.padding;
  if (!Array.isArray(p) || p.length !== 4) return null;
  if (!p.every((v) => Number.isInteger(v) && v >= 0)) throw new ArgumentError(op, `padding [top, bottom, left, right] must hold non-negative integers, got ${describe(p)}`);
  const [kH, kW] = pair(op, 'kernelSize', opts.kernelSize, 1);
  if (p[0] === p[1] && p[2] === p[3] && p[0] <= kH / 2 && p[2] <= kW / 2) return null;
  return p as unknown as FourPads;
}

const symmetricPair = (p: unknown) => (Array.isArray(p) && p.length === 4 ? [p[0], p[2]] as [number, number] : (p as number | [number, number] | undefined));

/**
 * Pooling with pads the kernels cannot take: pad explicitly, with −∞ for max
 * pooling; average pooling that leaves padding out divides the sums by the share
 * of each window that lies on the input. Windows then run over the padded
 * input, so in ceil mode a last window may start in the end padding (ONNX's rule).
 */
function explicitPool(kind: 'max' | 'avg', x: Tensor, p: FourPads, opts: MaxPool2dOptions & AvgPool2dOptions): Tensor {
  const pads = [[p[0], p[1]], [p[2], p[3]]] as const;
  const base = { kernelSize: opts.kernelSize, stride: opts.stride, ceilMode: opts.ceilMode };
  if (kind === 'max') return maxPool2d(pad(x, pads, -Infinity), { ...base, dilation: opts.dilation });
  const sums = avgPool2d(pad(x, pads), { ...base, countIncludePad: true });
  if (opts.countIncludePad ?? true) return sums;
  const share = avgPool2d(pad(ones([1, 1, x.shape[2], x.shape[3]], { dtype: x.dtype }), pads), { ...base, countIncludePad: true });
  return div(sums, share);
}

/** 2-D max pooling over NCHW input. */
export function maxPool2d(x: Tensor, opts: MaxPool2dOptions): Tensor {
  checkInput4d('maxPool2d', x);
  const four = opts && fourSided('maxPool2d', opts);
  if (four) return explicitPool('max', x, four, opts);
  return maxPoolOf(x, { ...opts, padding: symmetricPair(opts?.padding) }, false).y;
}

/**
 * Max pooling that also returns, per output, the flat index (within its H×W
 * plane, int32) of the input that won, as PyTorch's return_indices.
 */
export function maxPool2dWithIndices(x: Tensor, opts: MaxPool2dOptions): { y: Tensor; indices: Tensor } {
  checkInput4d('maxPool2d', x);
  if (opts && fourSided('maxPool2d', opts)) throw new ArgumentError('maxPool2dWithIndices', `takes symmetric padding of at most half the kernel, got ${describe(opts.padding)}`);
  return maxPoolOf(x, { ...opts, padding: symmetricPair(opts?.padding) }, true);
}

function maxPoolOf(x: Tensor, opts: MaxPool2dOptions, withIndices: boolean): { y: Tensor; indices: Tensor } {
  const op = 'maxPool2d';
  checkInput4d(op, x);
  const info = pool2dInfo(op, x, { ...opts, countIncludePad: undefined });
  // Padded positions never win a max, so countIncludePad is false by nature.
  return maxPool(op, x, info, poolAttrs(info, opts.ceilMode ?? false, false), withIndices);
}

/** 2-D average pooling over NCHW input. */
export function avgPool2d(x: Tensor, opts: AvgPool2dOptions): Tensor {
  const op = 'avgPool2d';
  checkInput4d(op, x);
  const four = opts && fourSided(op, opts);
  if (four) return explicitPool('avg', x, four, opts);
  const info = pool2dInfo(op, x, { ...opts, padding: symmetricPair(opts?.padding), dilation: 1 });
  const y = kernel('AvgPool2D')(x, info);
  // Backward (Zhonglei Wang "Backpropagation for average POOL"): dA = dZ ⊗ M, each
  // δ spread evenly over the positions its window averaged.
  return record(op, y, [x], (g) => [kernel('AvgPool2DGrad')(g, info)], poolAttrs(info, opts.ceilMode ?? false, info.countIncludePad));
}

/** Output size as a number or [h, w] of positive integers. */
function outputPair(op: string, size: unknown): [number, number] {
  return pair(op, 'outputSize', size, 1);
}

/**
 * Adaptive average pooling: the window adapts so the output is outputSize for
 * any input. Bin i along an axis covers [⌊i·n/out⌋, ⌈(i+1)·n/out⌉), as PyTorch,
 * so bins overlap when n is not a multiple of out.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number, number]): Tensor {
  return adaptiveAvg('adaptiveAvgPool2d', x, outputPair('adaptiveAvgPool2d', outputSize));
}

function adaptiveAvg(op: string, x: Tensor, [outH, outW]: [number, number]): Tensor {
  checkInput4d(op, x);
  const [, , H, W] = x.shape;
  if (H < 1 || W < 1) throw new ShapeError(op, 'input [N, C, H, W] with H, W >= 1', x.shape);
  const y = kernel('AdaptiveAvgPool2D')(x, { outH, outW });
  return record(op, y, [x], (g) => [kernel('AdaptiveAvgPool2DGrad')(g, { inH: H, inW: W })], { outputSize: [outH, outW] });
}

/** Mean of each feature map: [N, C, H, W] -> [N, C, 1, 1] (GoogLeNet's and ResNet's head). */
export function globalAvgPool2d(x: Tensor): Tensor {
  return adaptiveAvg('globalAvgPool2d', x, [1, 1]);
}

/** Max of each feature map: [N, C, H, W] -> [N, C, 1, 1]. */
export function globalMaxPool2d(x: Tensor): Tensor {
  const op = 'globalMaxPool2d';
  checkInput4d(op, x);
  const [, , H, W] = x.shape;
  if (H < 1 || W < 1) throw new ShapeError(op, 'input [N, C, H, W] with H, W >= 1', x.shape);
  return maxPool(op, x, pool2dInfo(op, x, { kernelSize: [H, W] }), { outputSize: [1, 1] }, false).y;
}
