export * from './kernels.js';
export * from './registry.js';
