import type { Tensor } from '../tensor/index.js';

/**
 * Scale all gradients together so their global L2 norm is at most maxNorm
 * (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  const ps = [...params].filter((p) => p.grad);
  let sq = 0;
  for (const p of ps) for (const v of p.grad!.data) sq += v * v;
  const norm = Math.sqrt(sq);
  const scale = maxNorm / (norm + 1e-6);
  if (scale < 1) for (const p of ps) for (let i = 0; i < p.grad!.size; i++) p.grad!.data[i] *= scale;
  return norm;
}

/** Clamp every gradient value to [−clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  for (const p of params) {
    if (!p.grad) continue;
    const d = p.grad.data;
    for (let i = 0; i < d.length; i++) d[i] = Math.min(Math.max(d[i], -clipValue), clipValue);
  }
}
