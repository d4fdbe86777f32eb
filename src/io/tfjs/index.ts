export { importTfjsLayers, TfjsLayersModule, type TfjsModelJSON } from './graph.js';
export { KerasBatchNorm, KerasConvTranspose } from './layers.js';
export { decodeWeights, TFJS_LIMITS, type TfjsWeightGroup, type TfjsWeightSpec } from './weights.js';
