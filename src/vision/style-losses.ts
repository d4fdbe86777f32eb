/*
 * The losses of neural style transfer (Gatys, Ecker & Bethge 2016): content as the
 * distance between deep feature maps, style as the distance between Gram matrices
 * (channel-by-channel correlations, which drop where things are and keep texture),
 * and a total-variation term that keeps neighbouring pixels close.
 */
import { ShapeError, Tensor } from '../tensor/index.js';
import { add, div, matmul, mul, reshape, slice, sub, sum, transpose } from '../ops/index.js';

/** G = F·Fᵀ / (C·H·W) per sample, for features [N, C, H, W]; [N, C, C]. */
export function gramMatrix(features: Tensor): Tensor {
  if (!(features instanceof Tensor) || features.rank !== 4) throw new ShapeError('gramMatrix', 'features [N, C, H, W]', features instanceof Tensor ? features.shape : []);
  const [n, c, h, w] = features.shape;
  const f = reshape(features, [n, c, h * w]);
  return div(matmul(f, transpose(f, 1, 2)), c * h * w);
}

const sumSq = (x: Tensor) => sum(mul(x, x));

/**
 * ‖a − b‖² / ‖b‖²: the squared error relative to the target's own size, so one
 * weight means the same for every layer and every network (Gatys et al. weight
 * layers by hand, with constants tied to VGG's feature magnitudes).
 */
export function relativeSquaredError(a: Tensor, target: Tensor, op = 'relativeSquaredError'): Tensor {
  if (a.shape.length !== target.shape.length || a.shape.some((d, i) => d !== target.shape[i])) throw new ShapeError(op, `the target's shape [${target.shape.join(', ')}]`, a.shape);
  const scale = sumSq(target).data[0] || 1;
  return div(sumSq(sub(a, target)), scale);
}

/** Content loss: the features' relative squared distance to the content image's features. */
export function contentLoss(features: Tensor, target: Tensor): Tensor {
  return relativeSquaredError(features, target, 'contentLoss');
}

/** Style loss: Σ_l w_l·‖G(F_l) − G_l‖² / ‖G_l‖² over the style layers (weights default to 1/L each). */
export function styleLoss(features: readonly Tensor[], targetGrams: readonly Tensor[], weights?: readonly number[]): Tensor {
  if (features.length === 0 || features.length !== targetGrams.length) throw new ShapeError('styleLoss', `as many Gram targets as feature maps (${features.length})`, [targetGrams.length]);
  if (weights && weights.length !== features.length) throw new ShapeError('styleLoss', `one weight per layer (${features.length})`, [weights.length]);
  let total: Tensor | null = null;
  features.forEach((f, l) => {
    const term = mul(relativeSquaredError(gramMatrix(f), targetGrams[l], 'styleLoss'), weights ? weights[l] : 1 / features.length);
    total = total ? add(total, term) : term;
  });
  return total!;
}

/** Total variation (squared form): mean over the image of the squared differences to the right and downward neighbours. */
export function totalVariation(image: Tensor): Tensor {
  if (!(image instanceof Tensor) || image.rank !== 4) throw new ShapeError('totalVariation', 'an image [N, C, H, W]', image instanceof Tensor ? image.shape : []);
  const [n, c, h, w] = image.shape;
  const dy = sub(slice(image, [0, 0, 1, 0], [n, c, h, w]), slice(image, [0, 0, 0, 0], [n, c, h - 1, w]));
  const dx = sub(slice(image, [0, 0, 0, 1], [n, c, h, w]), slice(image, [0, 0, 0, 0], [n, c, h, w - 1]));
  return div(add(sumSq(dy), sumSq(dx)), image.size);
}
