export * from './module.js';
export * from './containers.js';
export * from './init.js';
export * from './layers/index.js';
export * from './summary.js';
export * from './serialize.js';
