/*
 * The decks' claim that a CNN is not rotation invariant, as a measurement: a
 * classifier's accuracy on images turned by each angle, and how often its
 * prediction differs from the one it gives the upright image.
 */
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import type { AnyModule } from '../nn/module.js';
import { rotate } from '../data/augment.js';
import { inEval } from './inspect.js';

export interface RotationResult {
  degrees: number;
  accuracy: number;
  /** Share of images whose predicted class differs from the upright image's. */
  changed: number;
}

function predictions(model: AnyModule, x: Tensor, transform?: (x: Tensor) => Tensor): number[] {
  const logits = inEval(model, () => noGrad(() => model.call(transform ? transform(x) : x))) as Tensor;
  if (logits.rank !== 2 || logits.shape[0] !== x.shape[0]) throw new ShapeError('underRotation', `logits [${x.shape[0]}, classes]`, logits.shape);
  const k = logits.shape[1];
  return Array.from({ length: x.shape[0] }, (_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (logits.data[i * k + c] > logits.data[i * k + best]) best = c;
    return best;
  });
}

/**
 * Accuracy and prediction changes of `model` on `images` [N, C, H, W] (in [0, 1],
 * background `fill` where the turn brings in pixels from outside) rotated by each
 * angle in degrees (counter-clockwise), `transform` applied before the model.
 */
export function underRotation(model: AnyModule, images: Tensor, labels: ArrayLike<number>, angles: readonly number[], opts: { transform?: (x: Tensor) => Tensor; fill?: number } = {}): RotationResult[] {
  if (!(images instanceof Tensor) || images.rank !== 4) throw new ShapeError('underRotation', 'images [N, C, H, W]', images instanceof Tensor ? images.shape : []);
  if (labels.length !== images.shape[0]) throw new ArgumentError('underRotation', `${images.shape[0]} images but ${labels.length} labels`);
  const upright = predictions(model, images, opts.transform);
  return angles.map((degrees) => {
    const p = degrees === 0 ? upright : predictions(model, rotate(images, degrees, opts.fill ?? 0), opts.transform);
    let right = 0;
    let changed = 0;
    p.forEach((c, i) => {
      if (c === labels[i]) right++;
      if (c !== upright[i]) changed++;
    });
    return { degrees, accuracy: right / p.length, changed: changed / p.length };
  });
}
