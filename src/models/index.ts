export * from './lenet.js';
export * from './registry.js';
export * from './alexnet.js';
export * from './vgg.js';
export * from './inception.js';
export * from './googlenet.js';
export * from './input-size.js';
export * from './depth.js';
