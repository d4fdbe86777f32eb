/** A small step-based training loop over scene sets, shared by the vision tasks. */
import { ArgumentError, RNG, Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/public.js';
import { Adam, CosineAnnealingLR } from '../optim/index.js';
import type { Module } from '../nn/index.js';
import type { SceneObject, SceneSet } from './scenes.js';

export interface SceneBatch {
  /** float32 [B, 1, S, S]. */
  images: Tensor;
  /** int32 [B, S, S]. */
  masks: Tensor;
  objects: SceneObject[][];
}

/** The scenes at `indices` as one batch (copies). */
export function sceneBatch(set: SceneSet, indices: ArrayLike<number>): SceneBatch {
  const S = set.size;
  const C = set.images.shape[1];
  const B = indices.length;
  const img = new Float32Array(B * C * S * S);
  const msk = new Int32Array(B * S * S);
  const objects: SceneObject[][] = [];
  for (let b = 0; b < B; b++) {
    const i = indices[b];
    if (!(i >= 0 && i < set.images.shape[0])) throw new ArgumentError('sceneBatch', `index ${i} is outside [0, ${set.images.shape[0]})`);
    img.set(set.images.data.subarray(i * C * S * S, (i + 1) * C * S * S), b * C * S * S);
    msk.set(set.masks.data.subarray(i * S * S, (i + 1) * S * S), b * S * S);
    objects.push(set.objects[i]);
  }
  return { images: new Tensor(img, [B, C, S, S]), masks: new Tensor(msk, [B, S, S]), objects };
}

export interface TrainLoopOptions {
  model: Module<[Tensor], unknown>;
  train: SceneSet;
  steps: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  seed?: number;
  /** The loss of one batch (its forward pass included). */
  loss: (batch: SceneBatch) => Tensor;
  log?: (step: number, loss: number) => void;
  logEvery?: number;
}

/** Adam with cosine decay over `steps` steps of shuffled mini-batches; returns the mean loss of each logged window. */
export function trainOnScenes(o: TrainLoopOptions): number[] {
  const { model, train, steps, batchSize = 16, lr = 3e-3, seed = 0, logEvery = 25 } = o;
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError('trainOnScenes', `steps must be a positive integer, got ${steps}`);
  const rng = new RNG(seed);
  const N = train.images.shape[0];
  const opt = new Adam(model.parameters(), { lr, weightDecay: o.weightDecay ?? 0 });
  const sched = new CosineAnnealingLR(opt, steps);
  let perm = rng.permutation(N);
  let pos = 0;
  const curve: number[] = [];
  let acc = 0;
  let k = 0;
  model.train();
  for (let step = 1; step <= steps; step++) {
    if (pos + batchSize > N) { perm = rng.permutation(N); pos = 0; }
    const batch = sceneBatch(train, perm.subarray(pos, pos + Math.min(batchSize, N)));
    pos += batchSize;
    opt.zeroGrad();
    const loss = o.loss(batch);
    loss.backward();
    opt.step();
    sched.step();
    acc += loss.item();
    k++;
    if (step % logEvery === 0 || step === steps) {
      curve.push(acc / k);
      o.log?.(step, acc / k);
      acc = 0;
      k = 0;
    }
  }
  model.eval();
  return curve;
}

/** Run the model in eval mode without gradients over the set in batches; `each` receives every batch and its output. */
export function predictScenes<O>(model: Module<[Tensor], O>, set: SceneSet, batchSize: number, each: (batch: SceneBatch, out: O, start: number) => void): void {
  model.eval();
  const N = set.images.shape[0];
  for (let s = 0; s < N; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, N - s) }, (_v, j) => s + j);
    const batch = sceneBatch(set, idx);
    const out = noGrad(() => model.call(batch.images));
    each(batch, out, s);
  }
}
