/*
 * The backend names of the top-level `receptive` namespace: choosing and starting
 * a backend. Kernels, registration and the kernel types are in `receptive/backend`
 * (src/backend-api.ts).
 */
export { setBackend, getBackend, listBackends } from './registry.js';
export { ready, type ReadyOptions } from './startup.js';
export { enableWasmBackend, setNumThreads, getNumThreads, wasmSimdSupported, setConvAlgorithm, getConvAlgorithm, type ConvAlgorithm } from './wasm/index.js';
