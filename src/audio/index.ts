export * from './wav.js';
export * from './fft.js';
export * from './stft.js';
export * from './mel.js';
export * from './features.js';
export * from './resample.js';
export * from './augment.js';
export * from './pipeline.js';
