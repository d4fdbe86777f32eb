import { ArgumentError, ShapeError, Tensor, formatShape } from '../tensor/index.js';

/*
 * Gradient hooks and retained gradients on any tensor (as torch's
 * Tensor.register_hook and retain_grad): Grad-CAM reads the gradient at an inner
 * activation. Kept in side tables, so tensors without hooks carry nothing extra;
 * backward() (tape.ts) asks `gradientArrived` for each tensor's gradient once it
 * is complete.
 */

/** Receives dL/d(tensor); a returned tensor (same shape) replaces the gradient from then on. */
export type GradHook = (grad: Tensor) => Tensor | void;

export interface HookHandle {
  /** Unregister the hook; calling it again does nothing. */
  remove(): void;
}

const hooks = new WeakMap<Tensor, GradHook[]>();
const retained = new WeakSet<Tensor>();

function needsGradFor(op: string, t: Tensor): void {
  if (!(t instanceof Tensor)) throw new ArgumentError(op, 'expected a Tensor');
  if (!t.requiresGrad) throw new ArgumentError(op, 'the tensor does not require grad, so no gradient will reach it');
}

/** Register `fn` to run on the tensor's gradient during backward(), before it flows on (or into a leaf's .grad). */
export function registerHook(t: Tensor, fn: GradHook): HookHandle {
  needsGradFor('registerHook', t);
  if (typeof fn !== 'function') throw new ArgumentError('registerHook', 'expected a function (grad) => Tensor | void');
  let list = hooks.get(t);
  if (!list) hooks.set(t, (list = []));
  list.push(fn);
  return {
    remove() {
      const l = hooks.get(t);
      const i = l ? l.indexOf(fn) : -1;
      if (i >= 0) l!.splice(i, 1);
    },
  };
}

/** Keep the gradient of a non-leaf tensor in its `.grad` on backward() (leaves always keep theirs). */
export function retainGrad(t: Tensor): void {
  needsGradFor('retainGrad', t);
  if (!t.isLeaf) retained.add(t);
}

/** True where backward() fills t.grad: leaves requiring grad and tensors with retainGrad(). */
export function retainsGrad(t: Tensor): boolean {
  return t.requiresGrad && (t.isLeaf || retained.has(t));
}

/**
 * The complete gradient of `t` has been computed: run its hooks in order (each
 * may replace it), keep it in .grad if retained, and return what flows on.
 */
export function gradientArrived(t: Tensor, g: Tensor): Tensor {
  const list = hooks.get(t);
  if (list) {
    for (const fn of list.slice()) {
      const r = fn(g);
      if (r === undefined) continue;
      if (!(r instanceof Tensor) || r.shape.length !== g.shape.length || r.shape.some((d, i) => d !== g.shape[i])) {
        throw new ShapeError('gradient hook', `a Tensor of shape ${formatShape(g.shape)} (the gradient it was given) or nothing`, r instanceof Tensor ? r.shape : typeof r);
      }
      g = r;
    }
  }
  return g;
}

/** Whether a non-leaf's gradient is kept (tape.ts accumulates it into .grad). */
export function isRetained(t: Tensor): boolean {
  return retained.has(t);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Run fn on this tensor's gradient during backward(); it may return a replacement. */
    registerHook(fn: GradHook): HookHandle;
    /** Fill this non-leaf tensor's .grad on backward(). */
    retainGrad(): void;
    /** True where backward() fills .grad (leaves requiring grad, and after retainGrad()). */
    readonly retainsGrad: boolean;
  }
}

Tensor.prototype.registerHook = function (this: Tensor, fn: GradHook) {
  return registerHook(this, fn);
};
Tensor.prototype.retainGrad = function (this: Tensor) {
  retainGrad(this);
};
Object.defineProperty(Tensor.prototype, 'retainsGrad', {
  get(this: Tensor) {
    return retainsGrad(this);
  },
  configurable: true,
});
