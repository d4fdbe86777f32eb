export * from './tape.js';
export * from './gradcheck.js';
export { trace, isTracing, type Trace, type TracedOp, type ModuleScope } from './trace.js';
export * from './hooks.js';
