export * from './conv.js';
export * from './linear.js';
export * from './pool.js';
export * from './activation.js';
export * from './norm.js';
export * from './extra-norm.js';
export * from './pixel-shuffle.js';
export * from './dropout2d.js';
