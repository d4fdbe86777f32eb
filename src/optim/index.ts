export * from './optimizer.js';
export * from './sgd.js';
export * from './adam.js';
export * from './rmsprop.js';
export * from './schedule.js';
export * from './clip.js';
export * from './plateau.js';
export * from './lbfgs.js';
