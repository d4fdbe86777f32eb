/**
 * Receptive: convolutional neural networks in TypeScript.
 *
 * This entry point is browser-safe (no Node built-ins). File loaders, atomic
 * checkpoint writes and other Node-only helpers are in `receptive/node`.
 */
export * from './tensor/index.js';
export * from './backend/index.js';
export * from './autograd/index.js';
export * from './ops/index.js';
/** The functional namespace, as torch.nn.functional. */
export * as F from './ops/index.js';
export * from './nn/index.js';
export * as losses from './losses/index.js';
export type { LossFn } from './losses/index.js';
export * from './optim/index.js';
export * from './data/idx.js';
export * from './data/dataset.js';
export * from './data/dataloader.js';
export * from './data/transforms.js';
export * from './data/augment.js';
export * from './data/mnist.js';
export * from './models/index.js';
export * from './train/index.js';
export * from './io/safetensors.js';
export { enableWasmBackend, setNumThreads, getNumThreads, wasmSimdSupported, setConvAlgorithm, getConvAlgorithm, type ConvAlgorithm } from './backend/wasm/index.js';

// The wasm backend is the default wherever WebAssembly SIMD is available; the
// reference backend stays one call away: setBackend('reference').
import { enableWasmBackend as enableWasm } from './backend/wasm/index.js';
try {
  await enableWasm();
} catch (e) {
  console.warn(`receptive: the wasm backend failed to start (${(e as Error).message}); using the reference backend`);
}
export * from './io/onnx/index.js';
export * from './io/tfjs/index.js';
