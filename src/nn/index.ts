export * from './module.js';
export * from './init.js';
export * from './layers/index.js';
export * from './summary.js';
