import { allocate, ArgumentError, globalRNG, RNG, ShapeError, Tensor, type DType } from '../tensor/index.js';
import { kernel } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { isTracing } from '../autograd/trace.js';
import { binaryRaw, checkFloat, checkInt, checkNumber, checkOptions, checkTensor, describe, view } from './util.js';

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/** Check an optional per-channel tensor ([C], float). */
function perChannel(op: string, name: string, t: Tensor | null | undefined, C: number): Tensor | null {
  if (t == null) return null;
  checkFloat(op, name, checkTensor(op, name, t));
  if (t.rank !== 1 || t.shape[0] !== C) throw new ShapeError(op, `${name} [${C}]`, t.shape);
  return t;
}

/** A [C] tensor of `dtype` with values f(c). */
function perChannelTensor(dtype: DType, C: number, f: (c: number) => number): Tensor {
  const d = allocate(dtype, C);
  for (let c = 0; c < C; c++) d[c] = f(c);
  return new Tensor(d, [C]);
}

/**
 * Batch normalisation over every axis but the channel axis 1 (as
 * torch.nn.functional.batch_norm). Training normalises with the batch mean and
 * biased variance and moves the running buffers towards the batch statistics
 * (the variance unbiased); eval normalises with the running buffers.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  const op = 'batchNorm';
  checkFloat(op, 'x', checkTensor(op, 'x', x));
  const o = checkOptions(op, opts);
  if (x.rank < 2) throw new ShapeError(op, 'input [N, C] or [N, C, ...]', x.shape);
  const C = x.shape[1];
  const rm = perChannel(op, 'runningMean', runningMean, C);
  const rv = perChannel(op, 'runningVar', runningVar, C);
  if ((rm === null) !== (rv === null)) throw new ArgumentError(op, 'runningMean and runningVar must both be given or both be null');
  const weight = perChannel(op, 'weight', o.weight, C);
  const bias = perChannel(op, 'bias', o.bias, C);
  const training = o.training ?? false;
  if (typeof training !== 'boolean') throw new ArgumentError(op, `training must be a boolean, got ${describe(training)}`);
  const momentum = checkNumber(op, 'momentum', o.momentum ?? 0.1);
  if (momentum < 0 || momentum > 1) throw new ArgumentError(op, `momentum must be in [0, 1], got ${momentum}`);
  const eps = checkNumber(op, 'eps', o.eps ?? 1e-5);
  if (eps < 0) throw new ArgumentError(op, `eps must be >= 0, got ${eps}`);

  const n = x.size / Math.max(C, 1);
  let mu: ArrayLike<number>;
  let sigma2: ArrayLike<number>;
  if (training) {
    if (n <= 1) throw new ShapeError(op, 'more than 1 value per channel when training', x.shape);
    const m = kernel('ChannelMoments')(x);
    mu = m.mean.data;
    sigma2 = m.variance.data;
    if (rm && rv) {
      for (let c = 0; c < C; c++) {
        rm.data[c] = (1 - momentum) * rm.data[c] + momentum * mu[c];
        rv.data[c] = (1 - momentum) * rv.data[c] + (momentum * sigma2[c] * n) / (n - 1);
      }
      rm.markModified();
      rv.markModified();
    }
  } else {
    if (!rm || !rv) throw new ArgumentError(op, 'eval mode (training: false) needs runningMean and runningVar');
    mu = rm.data.slice();
    sigma2 = rv.data.slice();
  }
  const coef = (f: (c: number) => number) => perChannelTensor(x.dtype, C, f);
  // y = γ·(x − μ)·r + β with r = 1/√(σ² + ε): one per-channel affine pass.
  const r = Float64Array.from(sigma2, (v) => 1 / Math.sqrt(v + eps));
  const gamma = Float64Array.from({ length: C }, (_, c) => (weight ? weight.data[c] : 1));
  const g = (c: number) => gamma[c];
  const y = kernel('ChannelAffine')(x, null, {
    scale: coef((c) => g(c) * r[c]),
    vScale: null,
    shift: coef((c) => (bias ? bias.data[c] : 0) - mu[c] * g(c) * r[c]),
  });
  const center = coef((c) => mu[c]);
  // The running statistics are inputs of the traced op (ONNX BatchNormalization's mean and var); they take no gradient.
  const attrs = { eps, momentum, training, hasWeight: weight !== null, hasBias: bias !== null, hasRunningStats: rm !== null };
  return record(op, y, [x, weight, bias, rm, rv], (dy) => {
    // Σ δ and Σ δ·(x − μ) per channel; then, with a = γ·r,
    //   dβ = Σ δ,  dγ = r·Σ δ·(x − μ),
    //   dx = a·δ − a·Σδ/n − a·r²·(x − μ)·Σ δ·(x − μ)/n   (training: μ, σ depend on x)
    //   dx = a·δ                                          (eval: running statistics)
    const { sum, dot } = kernel('ChannelDots')(dy, x, center);
    const a = (c: number) => g(c) * r[c];
    const b = (c: number) => (training ? (-a(c) * r[c] * r[c] * dot.data[c]) / n : 0);
    const dx = x.requiresGrad
      ? kernel('ChannelAffine')(dy, training ? x : null, {
        scale: coef(a),
        vScale: training ? coef(b) : null,
        shift: coef((c) => (training ? -b(c) * mu[c] - (a(c) * sum.data[c]) / n : 0)),
      })
      : null;
    const dw = weight?.requiresGrad ? perChannelTensor(weight.dtype, C, (c) => r[c] * dot.data[c]) : null;
    const db = bias?.requiresGrad ? perChannelTensor(bias.dtype, C, (c) => sum.data[c]) : null;
    return [dx, dw, db, null, null];
  }, attrs);
}

export interface DropoutOptions {
  /** Probability of zeroing each element, in [0, 1). */
  p?: number;
  training?: boolean;
  rng?: RNG;
}

/**
 * Inverted dropout: zero each element with probability p and scale the rest by
 * 1/(1 − p), so eval needs no rescaling. The mask comes from the seeded RNG.
 */
export function dropout(x: Tensor, opts: DropoutOptions = {}): Tensor {
  const op = 'dropout';
  checkFloat(op, 'x', checkTensor(op, 'x', x));
  const o = checkOptions(op, opts);
  const p = checkNumber(op, 'p', o.p ?? 0.5);
  if (!(p >= 0 && p < 1)) throw new ArgumentError(op, `p must be in [0, 1), got ${p}`);
  const training = o.training ?? true;
  if (typeof training !== 'boolean') throw new ArgumentError(op, `training must be a boolean, got ${describe(training)}`);
  const rng = o.rng ?? globalRNG;
  if (!(rng instanceof RNG)) throw new ArgumentError(op, `rng must be an RNG, got ${describe(rng)}`);
  const attrs = { p, training };
  // The identity: x itself, or under a trace a view of it, so the graph keeps the dropout node.
  if (!training || p === 0) return isTracing() ? record(op, view(x, x.shape), [x], (g) => [g], attrs) : x;
  const scale = 1 / (1 - p);
  const m = allocate(x.dtype, x.size);
  for (let i = 0; i < m.length; i++) m[i] = rng.random() < p ? 0 : scale;
  const mask = new Tensor(m, x.shape);
  return record(op, binaryRaw('mul', x, mask), [x], (g) => [binaryRaw('mul', g, mask)], attrs);
}

export interface LocalResponseNormOptions {
  /** Number of neighbouring channels summed over (the window is centred on the channel). */
  size: number;
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * Local response normalisation across channels (AlexNet; PyTorch's form):
 * b_c = a_c / (k + alpha/size · Σ a_j²)^beta, j over the `size` channels centred
 * on c, zero-padded past the edges.
 */
export function localResponseNorm(x: Tensor, opts: LocalResponseNormOptions): Tensor {
  const op = 'localResponseNorm';
  checkFloat(op, 'x', checkTensor(op, 'x', x));
  const o = checkOptions<Partial<LocalResponseNormOptions>>(op, opts);
  const size = checkInt(op, 'size', o.size, 1);
  const alpha = checkNumber(op, 'alpha', o.alpha ?? 1e-4);
  const beta = checkNumber(op, 'beta', o.beta ?? 0.75);
  const k = checkNumber(op, 'k', o.k ?? 1);
  if (x.rank < 3) throw new ShapeError(op, `input [N, C, ...] of rank >= 3`, x.shape);
  const info = { size, alpha, beta, k };
  const { y, scale } = kernel('LocalResponseNorm')(x, info);
  return record(op, y, [x], (dy) => [kernel('LocalResponseNormGrad')(dy, x, y, scale, info)], info);
}
