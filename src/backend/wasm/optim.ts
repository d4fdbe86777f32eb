import type { FloatArray, KernelSignatures, OptimizerState } from '../kernels.js';
import { referenceBackend } from '../reference/index.js';
import { adamScalars, need } from '../reference/optim.js';
import { ArgumentError } from '../../tensor/index.js';
import { Arena, runtime } from './heap.js';

/*
 * Optimiser updates on the wasm heap (assembly/optim.ts), float32 only: the
 * parameter, its gradient and its state are copied in, updated by every thread
 * in fixed blocks, and the parameter and state copied back. The kernels compute
 * in float64 in the reference's order, so the result is the reference's, bit for
 * bit. A ResNet-18 SGD-momentum step (11.2 M parameters) was a JavaScript loop;
 * see docs/performance.md for what this changed.
 */

const ref = referenceBackend.kernels;

// The work passed to run() (n/4 for SGD, n/2 for Adam and RMSprop, against the
// runtime's 32,768) wakes the workers from ~130 k / ~65 k elements: below that the
// ~0.1 ms wake-up costs more than the update of the second half.

export const OptimizerStep: KernelSignatures['OptimizerStep'] = (w, g, state, attrs) => {
  const bufs = Object.values(state).filter((b): b is FloatArray => b !== undefined);
  if (!(w instanceof Float32Array) || !(g instanceof Float32Array) || bufs.some((b) => !(b instanceof Float32Array))) return ref.OptimizerStep(w, g, state, attrs);
  const n = w.length;
  if (g.length !== n) throw new ArgumentError('OptimizerStep', `the gradient has ${g.length} values, the parameter ${n}`);
  const rt = runtime();
  const ar = new Arena();
  const back: [number, Float32Array][] = [];
  // Copy in (and, for what the kernel writes, back out after).
  const io = (b: Float32Array) => {
    const p = ar.put(b);
    back.push([p, b]);
    return p;
  };
  const opt = (s: OptimizerState, name: keyof OptimizerState, on: boolean) => (on ? io(need(s, name, n) as Float32Array) : 0);
  const hyper = (vals: number[]) => {
    const p = ar.alloc(vals.length * 2 + 2);
    const h = (p + 7) & ~7;
    new Float64Array(rt.memory.buffer, h, vals.length).set(vals);
    return h;
  };
  try {
    const W = io(w);
    const G = ar.put(g);
    if (attrs.rule === 'sgd') {
      const V = opt(state, 'momentum', attrs.momentum !== 0);
      const H = hyper([attrs.lr, attrs.momentum, 1 - attrs.dampening, attrs.weightDecay]);
      rt.run('sgd', [W, G, V, n, H, attrs.first ? 1 : 0, attrs.nesterov ? 1 : 0], n / 4);
    } else if (attrs.rule === 'adam') {
      const M = opt(state, 'expAvg', true);
      const V = opt(state, 'expAvgSq', true);
      const VM = opt(state, 'maxExpAvgSq', state.maxExpAvgSq !== undefined);
      const { stepSize, sqrtBc2 } = adamScalars(attrs);
      const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = attrs;
      const H = hyper([b1, 1 - b1, b2, 1 - b2, stepSize, sqrtBc2, eps, wd, 1 - lr * wd]);
      rt.run('adam', [W, G, M, V, VM, n, H, attrs.decoupled ? 1 : 0, wd ? 1 : 0], n / 2);
    } else if (attrs.rule === 'rmsprop') {
      const S = opt(state, 'squareAvg', true);
      const GA = opt(state, 'gradAvg', state.gradAvg !== undefined);
      const B = opt(state, 'momentum', attrs.momentum !== 0);
      const H = hyper([attrs.lr, attrs.alpha, 1 - attrs.alpha, attrs.eps, attrs.weightDecay, attrs.momentum]);
      rt.run('rmsprop', [W, G, S, GA, B, n, H], n / 2);
    } else return ref.OptimizerStep(w, g, state, attrs);
    const f = rt.f32();
    for (const [p, b] of back) b.set(f.subarray(p >> 2, (p >> 2) + n));
  } finally {
    ar.done();
  }
};
