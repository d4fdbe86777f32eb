export * from './safetensors.js';
// Node-only (node:fs).
export * from './atomic.js';
