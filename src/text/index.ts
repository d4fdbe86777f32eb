export * from './tokenize.js';
export * from './vocab.js';
