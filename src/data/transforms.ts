/** Deterministic batch transforms and composition. */
import { ArgumentError, Tensor, allocate, type RNG } from '../tensor/index.js';
import type { BatchTransform } from './dataloader.js';
import { MNIST_MEAN, MNIST_STD } from './mnist.js';

/** Apply transforms left to right, sharing the batch's generator. */
export function compose(...transforms: BatchTransform[]): BatchTransform {
  return (x: Tensor, rng: RNG) => transforms.reduce((acc, t) => t(acc, rng), x);
}

/**
 * (x - mean) / std per channel of an NCHW batch (axis 1); a single number
 * applies to every channel. Defaults are the MNIST constants.
 */
export function normalize(mean: number | readonly number[] = MNIST_MEAN, std: number | readonly number[] = MNIST_STD): BatchTransform {
  const means = typeof mean === 'number' ? [mean] : mean;
  const stds = typeof std === 'number' ? [std] : std;
  if (stds.some((s) => !(s > 0) || !Number.isFinite(s))) throw new ArgumentError('normalize', `std must be positive and finite, got [${stds.join(', ')}]`);
  return (x: Tensor) => {
    const c = x.rank >= 2 ? x.shape[1] : 1;
    if ((means.length !== 1 && means.length !== c) || (stds.length !== 1 && stds.length !== c)) {
      throw new ArgumentError('normalize', `got ${means.length} means and ${stds.length} stds for ${c} channels`);
    }
    const plane = x.rank >= 2 ? x.size / (x.shape[0] * c) : x.size;
    const out = allocate(x.dtype === 'float64' ? 'float64' : 'float32', x.size);
    for (let i = 0, p = 0; p < x.size; i++) {
      const ch = i % c;
      const m = means.length === 1 ? means[0] : means[ch];
      const inv = 1 / (stds.length === 1 ? stds[0] : stds[ch]);
      for (const end = p + plane; p < end; p++) out[p] = (x.data[p] - m) * inv;
    }
    return new Tensor(out, x.shape);
  };
}
