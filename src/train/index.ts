export * from './metrics.js';
export * from './evaluate.js';
export * from './fit.js';
export * from './callbacks.js';
export * from './checkpoint.js';
