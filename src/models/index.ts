export * from './lenet.js';
export * from './registry.js';
