export * from './conv.js';
export * from './linear.js';
export * from './pool.js';
export * from './activation.js';
export * from './norm.js';
