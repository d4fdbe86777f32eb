import { formatShape, ShapeError, sizeOf, Tensor } from '../tensor/index.js';
import { kernel } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { checkFloat, checkOptions, checkTensor, view } from './util.js';
import { checkEps, checkNormalizedShape, coefs as fill } from './norm-args.js';

export interface LayerNormOptions {
  /** Elementwise scale γ, of the normalised shape. */
  weight?: Tensor | null;
  /** Elementwise shift β, of the normalised shape. */
  bias?: Tensor | null;
  eps?: number;
}

function elementwise(op: string, name: string, t: Tensor | null | undefined, shape: number[]): Tensor | null {
  if (t == null) return null;
  checkFloat(op, name, checkTensor(op, name, t));
  if (formatShape(t.shape) !== formatShape(shape)) throw new ShapeError(op, `${name} ${formatShape(shape)}`, t.shape);
  return t;
}

/**
 * Layer normalisation (Ba et al. 2016; torch.nn.functional.layer_norm): every
 * slice over the last axes, of shape normalizedShape, is normalised with its own
 * mean and biased variance, then scaled and shifted elementwise. With R slices
 * of D values, x is viewed as [1, R, D] for the per-slice statistics and as
 * [R, D, 1] for the elementwise affine map, on the batch-norm kernels.
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], opts: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  checkFloat(op, 'x', checkTensor(op, 'x', x));
  const o = checkOptions(op, opts);
  const ns = checkNormalizedShape(op, normalizedShape);
  const k = ns.length;
  if (x.rank < k || formatShape(x.shape.slice(x.rank - k)) !== formatShape(ns)) {
    throw new ShapeError(op, `input [..., ${ns.join(', ')}] (normalizedShape ${formatShape(ns)})`, x.shape);
  }
  const weight = elementwise(op, 'weight', o.weight, ns);
  const bias = elementwise(op, 'bias', o.bias, ns);
  const eps = checkEps(op, o.eps);
  const D = sizeOf(ns);
  const R = x.size / D;
  const rows = view(x, [1, R, D]);
  const { mean, variance } = kernel('ChannelMoments')(rows);
  const mu = Float64Array.from(mean.data);
  const r = Float64Array.from(variance.data, (v) => 1 / Math.sqrt(v + eps));
  const xhat = kernel('ChannelAffine')(rows, null, { scale: fill(x.dtype, R, (i) => r[i]), vScale: null, shift: fill(x.dtype, R, (i) => -mu[i] * r[i]) });
  const cols = (t: Tensor) => view(t, [R, D, 1]);
  const gammaT = weight ? fill(x.dtype, D, (d) => weight.data[d]) : null;
  const y = weight || bias
    ? kernel('ChannelAffine')(cols(xhat), null, { scale: gammaT ?? fill(x.dtype, D, () => 1), vScale: null, shift: fill(x.dtype, D, (d) => (bias ? bias.data[d] : 0)) })
    : xhat;
  return record(op, view(y, x.shape), [x, weight, bias], (dy) => {
    // g = γ·δ is the gradient at x̂; per slice dx = r·(g − mean(g) − x̂·mean(g·x̂));
    // dγ = Σ_slices δ·x̂, dβ = Σ_slices δ.
    const zerosD = fill(x.dtype, D, () => 0);
    const g = gammaT ? kernel('ChannelAffine')(cols(dy), null, { scale: gammaT, vScale: null, shift: zerosD }) : dy;
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const { sum: A, dot: B } = kernel('ChannelDots')(view(g, [1, R, D]), view(xhat, [1, R, D]), fill(x.dtype, R, () => 0));
      dx = view(
        kernel('ChannelAffine')(view(g, [1, R, D]), view(xhat, [1, R, D]), {
          scale: fill(x.dtype, R, (i) => r[i]),
          vScale: fill(x.dtype, R, (i) => (-r[i] * B.data[i]) / D),
          shift: fill(x.dtype, R, (i) => (-r[i] * A.data[i]) / D),
        }),
        x.shape,
      );
    }
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (weight?.requiresGrad || bias?.requiresGrad) {
      const { sum, dot } = kernel('ChannelDots')(cols(dy), cols(xhat), zerosD);
      if (weight?.requiresGrad) dw = new Tensor(fill(weight.dtype, D, (d) => dot.data[d]).data, ns);
      if (bias?.requiresGrad) db = new Tensor(fill(bias.dtype, D, (d) => sum.data[d]).data, ns);
    }
    return [dx, dw, db];
  });
}
