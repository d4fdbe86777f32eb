import { ArgumentError, ReceptiveError, ShapeError, Tensor, allocate, shapesEqual, type GradNode } from '../tensor/index.js';
import { traceOp } from './trace.js';
import { gradientArrived, isRetained } from './hooks.js';

/*
 * Reverse-mode automatic differentiation. Each op that sees an input requiring
 * a gradient leaves a GradNode on its output: the inputs and a closure with the
 * local backward rule (as in micrograd). backward() orders the graph
 * topologically and applies the chain rule from the output back to the leaves.
 */

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run fn without recording a graph (inference, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Run fn with recording switched on or off explicitly. */
export function withGrad<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** True when an op on these inputs must record its backward rule. */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/**
 * Attach a backward rule to an op's output when any input requires a gradient.
 * `backward` receives dL/d(out) and returns dL/d(input) per input, in order.
 * The op is reported to an active tracer first, with its resolved `attrs`,
 * whether or not a gradient is needed (see trace.ts).
 */
export function record(
  name: string,
  out: Tensor,
  inputs: readonly (Tensor | null | undefined)[],
  backward: (g: Tensor) => (Tensor | null)[],
  attrs?: Record<string, unknown>,
): Tensor {
  traceOp(name, attrs ?? {}, inputs, [out]);
  if (!needsGrad(...inputs)) return out;
  const ins = inputs.map((t) => t ?? ABSENT_INPUT);
  const node: GradNode = { name, inputs: ins, backward };
  out.gradFn = node;
  out.requiresGrad = true;
  return out;
}

/** Stands for an optional input that was not given (a conv without bias): never requires grad. */
const ABSENT_INPUT = new Tensor(new Float32Array(0), [0]);

function addInto(a: Tensor | undefined, b: Tensor): Tensor {
  if (!a) return b;
  const out = allocate(a.dtype, a.size);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return new Tensor(out, a.shape);
}

/** Graph nodes reachable from root, each after all nodes that consume it (iterative: ResNet-152 is deep). */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const ins = t.gradFn?.inputs ?? [];
    if (i < ins.length) {
      top[1]++;
      const c = ins[i];
      if (c.requiresGrad && !seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order.reverse();
}

export interface BackwardOptions {
  /**
   * Keep the graph (its saved tensors and backward rules) for another backward()
   * through it, as PyTorch's retain_graph. By default it is released.
   */
  retainGraph?: boolean;
}

/**
 * Drop what a node holds (its inputs, and the closure with the tensors its rule
 * saved): a loss kept for logging then keeps a few bytes, not its whole graph.
 */
function release(node: GradNode): void {
  const name = node.name;
  node.inputs = [];
  node.backward = () => {
    throw new ReceptiveError(
      `backward: the graph through ${name} was already released by an earlier backward() (its saved tensors are freed); ` +
        `pass { retainGraph: true } to the first backward() to go through it twice`,
    );
  };
}

/**
 * Backpropagate from `root`. Without `grad`, root must hold one element and
 * dL/droot = 1. Gradients accumulate into `.grad` of leaf tensors that require
 * them, and of tensors with retainGrad() (call zeroGrad between steps, as in
 * PyTorch); gradient hooks run on each tensor's complete gradient. Afterwards the
 * graph is released unless `{ retainGraph: true }`.
 */
export function backward(root: Tensor, grad?: Tensor | BackwardOptions, opts: BackwardOptions = {}): void {
  if (grad !== undefined && !(grad instanceof Tensor)) {
    opts = grad;
    grad = undefined;
  }
  if (!root.requiresGrad) {
    throw new ArgumentError('backward', 'the tensor does not require grad: no input of the ops that made it had requiresGrad');
  }
  let seed: Tensor;
  if (grad === undefined) {
    if (root.size !== 1) throw new ShapeError('backward', 'a one-element tensor (or pass the upstream gradient)', root.shape);
    const d = allocate(root.dtype, 1);
    d[0] = 1;
    seed = new Tensor(d, root.shape);
  } else {
    if (!shapesEqual(grad.shape, root.shape)) throw new ShapeError('backward', `gradient of shape [${root.shape.join(', ')}]`, grad.shape);
    seed = grad;
  }
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const order = topoOrder(root);
  noGrad(() => {
    for (const t of order) {
      let g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      g = gradientArrived(t, g);
      if (!t.gradFn) {
        t.grad = addInto(t.grad ?? undefined, g);
        continue;
      }
      if (isRetained(t)) t.grad = addInto(t.grad ?? undefined, g);
      const ins = t.gradFn.inputs;
      const gs = t.gradFn.backward(g);
      for (let i = 0; i < ins.length; i++) {
        const gi = gs[i];
        const inp = ins[i];
        if (!gi || !inp.requiresGrad) continue;
        if (!shapesEqual(gi.shape, inp.shape)) {
          throw new ShapeError(`backward of ${t.gradFn.name}`, `gradient for input ${i} of shape [${inp.shape.join(', ')}]`, gi.shape);
        }
        grads.set(inp, addInto(grads.get(inp), gi));
      }
    }
  });
  if (!opts.retainGraph) for (const t of order) if (t.gradFn) release(t.gradFn);
}

/** A tensor sharing data with t but cut from the graph. */
export function detach(t: Tensor): Tensor {
  return t.viewAs(t.shape);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Backpropagate from this tensor (see autograd `backward`); the graph is released unless `{ retainGraph: true }`. */
    backward(grad?: Tensor | BackwardOptions, opts?: BackwardOptions): void;
    /** A tensor with the same data, cut from the graph. */
    detach(): Tensor;
    /** Set requiresGrad and return this, for chaining. */
    requiresGrad_(flag?: boolean): Tensor;
  }
}

Tensor.prototype.backward = function (this: Tensor, grad?: Tensor | BackwardOptions, opts?: BackwardOptions) {
  backward(this, grad, opts);
};
Tensor.prototype.detach = function (this: Tensor) {
  return detach(this);
};
Tensor.prototype.requiresGrad_ = function (this: Tensor, flag = true) {
  this.requiresGrad = flag;
  return this;
};
