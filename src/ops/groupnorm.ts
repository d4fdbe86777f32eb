import { ArgumentError, ShapeError, type Tensor } from '../tensor/index.js';
import { kernel } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { checkFloat, checkInt, checkOptions, checkTensor, view } from './util.js';
import { checkEps, coefs, perChannel } from './norm-args.js';

export interface GroupNormOptions {
  /** Per-channel scale γ, [C]. */
  weight?: Tensor | null;
  /** Per-channel shift β, [C]. */
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Normalise x [N, C, ...] over each group of C/G channels (and all other axes
 * but the batch) with the group's mean and biased variance, then apply a
 * per-channel affine map. Built on the batch-norm kernels by viewing x as
 * [1, N·G, (C/G)·S] for the statistics and [1, N·C, S] for the per-(n, c)
 * affine passes, so forward and backward are each one or two passes.
 */
function groupNormCore(op: string, x: Tensor, G: number, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const [N, C] = x.shape;
  const S = N * C === 0 ? 0 : x.size / (N * C);
  const cg = C / G;
  const M = cg * S;
  const { mean, variance } = kernel('ChannelMoments')(view(x, [1, N * G, M]));
  const mu = Float64Array.from(mean.data);
  const r = Float64Array.from(variance.data, (v) => 1 / Math.sqrt(v + eps));
  const gamma = (c: number) => (weight ? weight.data[c] : 1);
  // Index helpers over the N·C planes: plane k = n·C + c belongs to group n·G + ⌊c / cg⌋.
  const grp = (k: number) => Math.floor(k / C) * G + Math.floor((k % C) / cg);
  const ch = (k: number) => k % C;
  const NC = N * C;
  const xv = view(x, [1, NC, S]);
  const y = kernel('ChannelAffine')(xv, null, {
    scale: coefs(x.dtype, NC, (k) => gamma(ch(k)) * r[grp(k)]),
    vScale: null,
    shift: coefs(x.dtype, NC, (k) => (bias ? bias.data[ch(k)] : 0) - mu[grp(k)] * gamma(ch(k)) * r[grp(k)]),
  });
  return record(op, view(y, x.shape), [x, weight, bias], (dy) => {
    // Per plane: Σ δ and Σ δ·(x − μ). With x̂ = (x − μ)·r and g = γ·δ (the gradient at x̂),
    //   dβ_c = Σ_n Σ δ,  dγ_c = Σ_n r·Σ δ·(x − μ),
    //   dx = r·(g − mean_group(g) − x̂·mean_group(g·x̂)).
    const { sum, dot } = kernel('ChannelDots')(view(dy, [1, NC, S]), xv, coefs(x.dtype, NC, (k) => mu[grp(k)]));
    const A = new Float64Array(N * G);
    const B = new Float64Array(N * G);
    for (let k = 0; k < NC; k++) {
      const j = grp(k);
      A[j] += (gamma(ch(k)) * sum.data[k]) / M;
      B[j] += (gamma(ch(k)) * r[j] * dot.data[k]) / M;
    }
    const dx = x.requiresGrad
      ? view(
          kernel('ChannelAffine')(view(dy, [1, NC, S]), xv, {
            scale: coefs(x.dtype, NC, (k) => r[grp(k)] * gamma(ch(k))),
            vScale: coefs(x.dtype, NC, (k) => -r[grp(k)] * r[grp(k)] * B[grp(k)]),
            shift: coefs(x.dtype, NC, (k) => r[grp(k)] * r[grp(k)] * B[grp(k)] * mu[grp(k)] - r[grp(k)] * A[grp(k)]),
          }),
          x.shape,
        )
      : null;
    const perC = (t: Tensor, f: (k: number) => number) =>
      coefs(t.dtype, C, (c) => {
        let s = 0;
        for (let n = 0; n < N; n++) s += f(n * C + c);
        return s;
      });
    const dw = weight?.requiresGrad ? perC(weight, (k) => r[grp(k)] * dot.data[k]) : null;
    const db = bias?.requiresGrad ? perC(bias, (k) => sum.data[k]) : null;
    return [dx, dw, db];
  });
}

/**
 * Group normalisation (Wu & He 2018; torch.nn.functional.group_norm): x [N, C, ...]
 * is normalised over each group of C/numGroups channels and all spatial positions,
 * per sample, so the result does not depend on the batch.
 */
export function groupNorm(x: Tensor, numGroups: number, opts: GroupNormOptions = {}): Tensor {
  const op = 'groupNorm';
  checkFloat(op, 'x', checkTensor(op, 'x', x));
  const o = checkOptions(op, opts);
  const G = checkInt(op, 'numGroups', numGroups, 1);
  if (x.rank < 2) throw new ShapeError(op, 'input [N, C, ...]', x.shape);
  const C = x.shape[1];
  if (C % G !== 0) throw new ShapeError(op, `a channel count divisible by numGroups ${G}`, x.shape, `${C} channels`);
  const eps = checkEps(op, o.eps);
  return groupNormCore(op, x, G, perChannel(op, 'weight', o.weight, C), perChannel(op, 'bias', o.bias, C), eps);
}

export interface InstanceNormOptions extends GroupNormOptions {
  /** Not supported: instance norm here always normalises with each sample's own statistics. */
  runningMean?: never;
  runningVar?: never;
}

/**
 * Instance normalisation (Ulyanov et al. 2016; torch.nn.functional.instance_norm
 * with use_input_stats): each (sample, channel) plane of x [N, C, ...] is
 * normalised with its own mean and biased variance. Running statistics are not
 * kept (PyTorch's default, track_running_stats=False).
 */
export function instanceNorm(x: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const op = 'instanceNorm';
  checkFloat(op, 'x', checkTensor(op, 'x', x));
  const o = checkOptions(op, opts);
  if ('runningMean' in o || 'runningVar' in o) {
    throw new ArgumentError(op, 'running statistics are not supported: instance norm normalises each sample with its own statistics');
  }
  if (x.rank < 3) throw new ShapeError(op, 'input [N, C, ...] with at least one spatial axis', x.shape);
  const [N, C] = x.shape;
  if (N * C > 0 && x.size / (N * C) <= 1) throw new ShapeError(op, 'more than 1 spatial element per channel', x.shape);
  const eps = checkEps(op, o.eps);
  return groupNormCore(op, x, Math.max(C, 1), perChannel(op, 'weight', o.weight, C), perChannel(op, 'bias', o.bias, C), eps);
}
