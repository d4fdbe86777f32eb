import type { Tensor } from '../../src/tensor/index.js';
import { BatchNorm2d, type AnyModule } from '../../src/nn/index.js';

/*
 * Helpers for the zoo tests: the decks' "depth" (weight layers with parameters
 * on the longest path) read off the autograd graph of a real forward pass, and
 * running statistics that make eval-mode batch norm do something.
 */

const WEIGHT_OPS = new Set(['conv2d', 'linear', 'matmul']);

/** Convolutions and dense layers applying one of the model's parameters, on the longest input → output path of out's graph. */
export function weightLayersOnLongestPath(model: AnyModule, out: Tensor): number {
  const params = new Set<Tensor>(model.parameters());
  const depth = new Map<Tensor, number>();
  const stack: [Tensor, boolean][] = [[out, false]];
  while (stack.length) {
    const [t, ready] = stack.pop()!;
    if (depth.has(t)) continue;
    const fn = t.gradFn;
    if (!fn) {
      depth.set(t, 0);
    } else if (!ready) {
      stack.push([t, true]);
      for (const i of fn.inputs) if (!depth.has(i)) stack.push([i, false]);
    } else {
      const below = Math.max(0, ...fn.inputs.map((i) => depth.get(i) ?? 0));
      depth.set(t, below + (WEIGHT_OPS.has(fn.name) && fn.inputs.some((i) => params.has(i)) ? 1 : 0));
    }
  }
  return depth.get(out)!;
}

/** Give every batch norm running statistics away from 0/1 and non-trivial affine parameters, from a seeded stream. */
export function randomizeBatchNorm(model: AnyModule, random: () => number): void {
  for (const m of model.modules()) {
    if (!(m instanceof BatchNorm2d)) continue;
    const fill = (t: Tensor | null, f: () => number) => {
      if (!t) return;
      for (let i = 0; i < t.size; i++) t.data[i] = f();
      t.markModified();
    };
    fill(m.getBuffer('running_mean'), () => 0.2 * (random() - 0.5));
    fill(m.getBuffer('running_var'), () => 0.5 + random());
    fill(m.weight, () => 0.5 + random());
    fill(m.bias, () => random() - 0.5);
  }
}
