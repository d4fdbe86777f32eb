import { ArgumentError, Tensor, zeros } from '../tensor/index.js';
import { withGrad } from '../autograd/index.js';
import { Module, type AnyModule } from '../nn/index.js';

/** Ops that are "weight layers" in the decks' sense when one of their inputs is a model parameter. */
const WEIGHT_OPS = new Set(['conv1d', 'conv2d', 'convTranspose2d', 'linear']);

function outputsOf(v: unknown): Tensor[] {
  if (v instanceof Tensor) return [v];
  if (Array.isArray(v)) return v.flatMap(outputsOf);
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(outputsOf);
  return [];
}

/**
 * The decks' depth of a network: the most weight layers (convolutions and
 * fully-connected layers with parameters; batch norm does not count) on any
 * path from the input to an output ("VGG-16: 16 weight layers", "GoogLeNet:
 * 22 layers", ResNet-152's 152). It runs one forward pass in eval mode on zeros
 * of `inputShape` and takes the longest path through the recorded autograd
 * graph, so branches (Inception) and shortcuts (ResNet) count as they run.
 */
export function weightLayerDepth(model: AnyModule, inputShape: readonly number[]): number {
  if (!(model instanceof Module)) throw new ArgumentError('weightLayerDepth', 'model must be a Module');
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  let outs: Tensor[];
  try {
    const x = zeros(inputShape);
    x.requiresGrad = true; // so the graph is recorded even for a frozen model
    outs = outputsOf(withGrad(true, () => model.call(x)));
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
  return weightLayersOnLongestPath(model, outs);
}

/**
 * The most weight layers (ops in WEIGHT_OPS applying one of `model`'s
 * parameters) on any path of the recorded autograd graph that ends in one of
 * `outputs`: the depth of an already-run forward pass.
 */
export function weightLayersOnLongestPath(model: AnyModule, outputs: Tensor | readonly Tensor[]): number {
  const params = new Set<Tensor>(model.parameters());
  // Iterative (a deep ResNet's graph would overflow a recursive walk).
  const depth = new Map<Tensor, number>();
  let best = 0;
  for (const out of outputs instanceof Tensor ? [outputs] : outputs) {
    const stack: Tensor[] = [out];
    while (stack.length) {
      const t = stack[stack.length - 1];
      if (depth.has(t)) {
        stack.pop();
        continue;
      }
      const node = t.gradFn;
      if (!node) {
        depth.set(t, 0);
        stack.pop();
        continue;
      }
      const pending = node.inputs.filter((i) => !depth.has(i));
      if (pending.length) {
        stack.push(...pending);
        continue;
      }
      const weighted = WEIGHT_OPS.has(node.name) && node.inputs.some((i) => params.has(i));
      depth.set(t, Math.max(0, ...node.inputs.map((i) => depth.get(i)!)) + (weighted ? 1 : 0));
      stack.pop();
    }
    best = Math.max(best, depth.get(out)!);
  }
  return best;
}
