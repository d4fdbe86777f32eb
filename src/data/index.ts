// Browser-safe parts first; idx-node and mnist-node read files with node:fs.
export * from './idx.js';
export * from './dataset.js';
export * from './dataloader.js';
export * from './transforms.js';
export * from './augment.js';
export * from './mnist.js';
export * from './idx-node.js';
export * from './mnist-node.js';
