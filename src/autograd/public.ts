/*
 * The autograd names of the top-level `receptive` namespace. `record` and
 * `needsGrad`, which ops use to attach backward rules, are in `receptive/backend`.
 */
export { backward, detach, noGrad, withGrad, isGradEnabled, type BackwardOptions } from './tape.js';
export { retainGrad, registerHook, type GradHook } from './hooks.js';
export * from './gradcheck.js';
export { trace, isTracing, type Trace, type TracedOp, type ModuleScope } from './trace.js';
