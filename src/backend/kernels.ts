import type { Tensor, DType } from '../tensor/index.js';

/**
 * The kernel interface: every computation an op needs from a backend, declared
 * once with its inputs and attributes. Shape arithmetic (output sizes, padding,
 * broadcasting) is done by the op layer; kernels receive it ready and only compute.
 * Kernels know nothing of autograd.
 */

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'abs' | 'sign' | 'square' | 'reciprocal'
  | 'relu' | 'relu6' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh' | 'softplus'
  /** min(max(x, alpha), beta) */
  | 'clamp'
  /** 1 where x > 0, else 0 (the derivative of relu away from 0) */
  | 'step'
  /** 1 where alpha <= x <= beta, else 0 (the derivative of clamp) */
  | 'inRange'
  | 'sin' | 'cos' | 'floor' | 'round' | 'isNonFinite';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'greater' | 'greaterEqual' | 'less' | 'lessEqual' | 'equal'
  /** a where b > 0, else 0: relu's backward (δ passed where the input was positive) in one pass */
  | 'reluGrad';

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';

/** Everything a 2-D convolution kernel needs, resolved by ops/conv.ts. */
export interface Conv2DInfo {
  batch: number;
  inChannels: number;
  inH: number;
  inW: number;
  outChannels: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** Everything a 2-D pooling kernel needs, resolved by ops/pool.ts. */
export interface Pool2DInfo {
  batch: number;
  channels: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
  /** Average pooling: divide by the full window (true) or by the in-bounds part (false). */
  countIncludePad: boolean;
  /**
   * Padded extent of the input (inH + padTop + padBottom). Windows that start
   * inside it count padded zeros; ceil mode may add windows past it, whose
   * out-of-range part is never counted (PyTorch's rule).
   */
  padH: number;
  padW: number;
}

export interface ResizeInfo {
  batch: number;
  channels: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  alignCorners: boolean;
}

/** Float arrays an optimiser updates in place: a parameter's data, its gradient's, its state buffers. */
export type FloatArray = Float32Array | Float64Array;

/**
 * One optimiser update rule with its settings (PyTorch's formulas; src/optim
 * resolves them per parameter group). Which optional state buffers are present
 * says which variant runs (momentum, AMSGrad, centred).
 */
export type OptimizerRule =
  /** `first`: the momentum buffer starts at this step's gradient (PyTorch's first step). */
  | { rule: 'sgd'; lr: number; momentum: number; dampening: number; nesterov: boolean; weightDecay: number; first: boolean }
  /** `step` counts from 1 (bias correction); `decoupled`: AdamW's decay of the weight. */
  | { rule: 'adam'; lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean; step: number }
  | { rule: 'rmsprop'; lr: number; alpha: number; eps: number; momentum: number; weightDecay: number };

/**
 * The state buffers of an update, each the parameter's size and dtype: SGD
 * `momentum` (when momentum ≠ 0); Adam `expAvg`, `expAvgSq`, `maxExpAvgSq` (AMSGrad);
 * RMSprop `squareAvg`, `gradAvg` (centred), `momentum` (when momentum ≠ 0).
 */
export type OptimizerState = Partial<Record<'momentum' | 'expAvg' | 'expAvgSq' | 'maxExpAvgSq' | 'squareAvg' | 'gradAvg', FloatArray>>;

export interface KernelSignatures {
  /** One optimiser update of one parameter, in place on `w` and the state buffers (the gradient `g` is read only). */
  OptimizerStep(w: FloatArray, g: FloatArray, state: OptimizerState, attrs: OptimizerRule): void;
  Unary(x: Tensor, attrs: { op: UnaryOp; alpha?: number; beta?: number }): Tensor;
  /** Elementwise with broadcasting; the result has `outShape` and the promoted dtype. */
  Binary(a: Tensor, b: Tensor, attrs: { op: BinaryOp; outShape: readonly number[] }): Tensor;
  /** cond != 0 ? a : b, broadcast to outShape. */
  Where(cond: Tensor, a: Tensor, b: Tensor, attrs: { outShape: readonly number[] }): Tensor;
  /** Reduce the listed axes, keeping them as size 1. */
  Reduce(x: Tensor, attrs: { op: ReduceOp; axes: readonly number[] }): Tensor;
  /** Index of the max/min along one axis (first on ties), kept as size 1; int32. */
  ArgReduce(x: Tensor, attrs: { op: 'argmax' | 'argmin'; axis: number }): Tensor;
  Cast(x: Tensor, attrs: { dtype: DType }): Tensor;
  Transpose(x: Tensor, attrs: { perm: readonly number[] }): Tensor;
  /** Elements begin[i], begin[i]+step[i], … below end[i] on each axis (step > 0). */
  Slice(x: Tensor, attrs: { begin: readonly number[]; end: readonly number[]; step: readonly number[] }): Tensor;
  /** Constant padding, before/after per axis (non-negative). */
  Pad(x: Tensor, attrs: { pads: readonly (readonly [number, number])[]; value: number }): Tensor;
  Concat(xs: readonly Tensor[], attrs: { axis: number }): Tensor;
  BroadcastTo(x: Tensor, attrs: { shape: readonly number[] }): Tensor;
  /**
   * Batched matrix product: a [B, M, K] (or [B, K, M] if transA) times b [B, K, N] (or [B, N, K] if transB).
   * `weightB`: b is a layer's weight, so a backend may keep its own copy or layout of it until b.version moves.
   */
  MatMul(a: Tensor, b: Tensor, attrs: { transA: boolean; transB: boolean; weightB?: boolean }): Tensor;
  /** y[n, oc, oh, ow] = bias[oc] + Σ x[n, ic, oh·s − p + kh·d, …] · w[oc, ic, kh, kw] over the group's channels. */
  Conv2D(x: Tensor, w: Tensor, bias: Tensor | null, attrs: Conv2DInfo): Tensor;
  /** dL/dx of Conv2D given dy [N, outC, outH, outW]: the full convolution of dy with the 180°-rotated kernel. */
  Conv2DBackpropInput(dy: Tensor, w: Tensor, attrs: Conv2DInfo): Tensor;
  /** dL/dw of Conv2D: the correlation of the layer input x with dy. */
  Conv2DBackpropFilter(x: Tensor, dy: Tensor, attrs: Conv2DInfo): Tensor;
  /**
   * Both gradients of Conv2D in one call (what a training step needs), so a backend
   * can share work on dy between them; a gradient not wanted is null.
   */
  Conv2DBackprop(x: Tensor, w: Tensor, dy: Tensor, attrs: Conv2DInfo, wants: { input: boolean; filter: boolean }): { dx: Tensor | null; dw: Tensor | null };
  /** Max pooling; also returns, per output, the flat index (within its H×W plane) of the chosen input. */
  MaxPool2D(x: Tensor, attrs: Pool2DInfo): { y: Tensor; argmax: Tensor };
  /** Route each dy to the input position that won the max (argmax from MaxPool2D). */
  MaxPool2DGrad(dy: Tensor, argmax: Tensor, attrs: Pool2DInfo): Tensor;
  AvgPool2D(x: Tensor, attrs: Pool2DInfo): Tensor;
  /** Spread each dy evenly over its window (the decks' δ ⊗ M). */
  AvgPool2DGrad(dy: Tensor, attrs: Pool2DInfo): Tensor;
  AdaptiveAvgPool2D(x: Tensor, attrs: { outH: number; outW: number }): Tensor;
  AdaptiveAvgPool2DGrad(dy: Tensor, attrs: { inH: number; inW: number }): Tensor;
  ResizeNearest(x: Tensor, attrs: ResizeInfo): Tensor;
  ResizeNearestGrad(dy: Tensor, attrs: ResizeInfo): Tensor;
  ResizeBilinear(x: Tensor, attrs: ResizeInfo): Tensor;
  ResizeBilinearGrad(dy: Tensor, attrs: ResizeInfo): Tensor;
  /** Per-channel mean and biased variance of x [N, C, ...] over every axis but 1 (batch norm's statistics); [C] each. */
  ChannelMoments(x: Tensor): { mean: Tensor; variance: Tensor };
  /** Per channel, Σ a and Σ a·(b − center[c]) over every axis but 1 (batch norm's gradient sums); [C] each. */
  ChannelDots(a: Tensor, b: Tensor, center: Tensor): { sum: Tensor; dot: Tensor };
  /** y = scale[c]·u + vScale[c]·v + shift[c] along channel axis 1 (v optional): batch norm's output and input gradient. */
  ChannelAffine(u: Tensor, v: Tensor | null, attrs: { scale: Tensor; vScale: Tensor | null; shift: Tensor }): Tensor;
  /**
   * Local response normalisation across channels (axis 1) of x [N, C, ...]:
   * scale = k + α/size · Σ_window x², y = x · scale^−β, the window [c − ⌊size/2⌋, c + ⌊(size−1)/2⌋].
   */
  LocalResponseNorm(x: Tensor, attrs: LRNInfo): { y: Tensor; scale: Tensor };
  /** dL/dx of LocalResponseNorm: dy·scale^−β − 2αβ/size · x · Σ_window' dy·y/scale. */
  LocalResponseNormGrad(dy: Tensor, x: Tensor, y: Tensor, scale: Tensor, attrs: LRNInfo): Tensor;
}

/** Local response normalisation's parameters (AlexNet: size 5, α 1e-4, β 0.75, k 2). */
export interface LRNInfo {
  size: number;
  alpha: number;
  beta: number;
  k: number;
}

export type KernelName = keyof KernelSignatures;

/** A backend is a table of kernels; fast backends may leave some out and fall back to the reference. */
export interface Backend {
  readonly name: string;
  readonly kernels: Partial<KernelSignatures>;
  /** Called once when the backend becomes active (load wasm, start workers). */
  init?(): Promise<void> | void;
}

/** The reference backend must implement every kernel: a missing one is a compile error. */
export interface CompleteBackend extends Backend {
  readonly kernels: KernelSignatures;
}
