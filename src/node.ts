/** Node-only parts of Receptive: reading datasets and checkpoints from disk, atomic writes. */
export * from './index.js';
export * from './data/idx-node.js';
export * from './data/mnist-node.js';
export * from './io/atomic.js';
export * from './train/checkpoint-node.js';
export * from './data/image-node.js';
export * from './data/image-folder-node.js';
