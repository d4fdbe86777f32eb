/** Seeing what a CNN sees: colour maps, image grids, hand-crafted filters, HOG, and views inside a model. */
export * from './colormap.js';
export * from './render.js';
export { drawText, textWidth } from './font.js';
export * as filters from './filters.js';
export * from './hog.js';
export * from './inspect.js';
export * from './attribution.js';
export * from './deconv.js';
export * from './maximize.js';
export * from './patches.js';
export * from './svg.js';
export * from './curves.js';
export * from './invariance.js';
