import { ArgumentError, globalRNG, Tensor, type RNG } from '../tensor/index.js';

/*
 * Weight initialisers, all drawing from a seeded RNG. fanIn/fanOut follow
 * PyTorch: for a conv weight [out, in/groups, kH, kW], fanIn = in/groups·kH·kW.
 */

export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.rank < 2) throw new ArgumentError('init', `fan in/out need a weight of rank >= 2, got shape [${t.shape.join(', ')}]`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

export type Nonlinearity = 'linear' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid';

/** Recommended gain for a nonlinearity (as torch.nn.init.calculate_gain). */
export function gain(nonlinearity: Nonlinearity = 'leakyRelu', negativeSlope = 0.01): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + negativeSlope * negativeSlope));
    default:
      throw new ArgumentError('init', `unknown nonlinearity "${String(nonlinearity)}"`);
  }
}

let skipping = 0;

/**
 * Build modules without initialising them (as torch.nn.utils.skip_init): inside
 * `build`, every initialiser leaves its tensor as allocated (zeros) and draws no
 * random numbers, so a model that a checkpoint will overwrite, or whose shapes
 * and parameter counts are all that is wanted, costs only its allocation (VGG-16:
 * 138M normal draws saved). The RNG streams are untouched.
 */
export function skipInit<T>(build: () => T): T {
  skipping++;
  try {
    return build();
  } finally {
    skipping--;
  }
}

function fillWith(t: Tensor, f: () => number): Tensor {
  if (skipping) return t;
  for (let i = 0; i < t.size; i++) t.data[i] = f();
  t.markModified();
  return t;
}

export function uniform_(t: Tensor, low: number, high: number, rng: RNG = globalRNG): Tensor {
  return fillWith(t, () => low + (high - low) * rng.random());
}

export function normal_(t: Tensor, mean = 0, std = 1, rng: RNG = globalRNG): Tensor {
  return fillWith(t, () => mean + std * rng.normal());
}

export function constant_(t: Tensor, value: number): Tensor {
  if (skipping) return t;
  t.data.fill(value);
  t.markModified();
  return t;
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (0 for ReLU). */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
  rng?: RNG;
}

/** He et al.: std = gain / √fan, for ReLU networks. */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  const std = gain(opts.nonlinearity ?? 'leakyRelu', opts.a ?? 0) / Math.sqrt(opts.mode === 'fanOut' ? fanOut : fanIn);
  return normal_(t, 0, std, opts.rng);
}

export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = (gain(opts.nonlinearity ?? 'leakyRelu', opts.a ?? 0) * Math.sqrt(3)) / Math.sqrt(opts.mode === 'fanOut' ? fanOut : fanIn);
  return uniform_(t, -bound, bound, opts.rng);
}

/** Glorot & Bengio: keeps the variance of activations and gradients, for tanh/sigmoid networks. */
export function xavierUniform_(t: Tensor, g = 1, rng: RNG = globalRNG): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = g * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, rng);
}

export function xavierNormal_(t: Tensor, g = 1, rng: RNG = globalRNG): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal_(t, 0, g * Math.sqrt(2 / (fanIn + fanOut)), rng);
}

/**
 * PyTorch's default for Conv and Linear: weight ~ U(±1/√fanIn) (kaiming uniform
 * with a = √5) and bias ~ U(±1/√fanIn).
 */
export function defaultLayerInit(weight: Tensor, bias: Tensor | null, rng: RNG = globalRNG): void {
  kaimingUniform_(weight, { a: Math.sqrt(5), rng });
  if (bias) {
    const bound = 1 / Math.sqrt(fans(weight).fanIn);
    uniform_(bias, -bound, bound, rng);
  }
}
