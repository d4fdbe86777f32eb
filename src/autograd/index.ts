export * from './tape.js';
export * from './gradcheck.js';
export * from './trace.js';
