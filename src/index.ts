/**
 * Receptive: convolutional neural networks in TypeScript.
 *
 * This entry point is browser-safe (no Node built-ins). File loaders, atomic
 * checkpoint writes and other Node-only helpers are in `receptive/node`; kernels,
 * `record` and backend registration in `receptive/backend`.
 *
 * Importing it starts nothing (no workers, no engine flags, no output, no
 * top-level await): `await ready()` starts the wasm backend, or the first op
 * does where the engine allows a synchronous start (see backend/startup.ts).
 */
// The modules that add Tensor methods (t.add, t.backward, t.registerHook…): this file
// and they are the package's only side effects ("sideEffects" in package.json), so a
// bundle that uses only `tensor` still has the methods.
import './ops/methods.js';
import './autograd/tape.js';
import './autograd/hooks.js';
export * from './tensor/index.js';
export * from './backend/public.js';
export * from './autograd/public.js';
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
export * from './io/onnx/index.js';
export * from './io/tfjs/index.js';
export * from './data/image.js';
export * as viz from './viz/index.js';
export * as filters from './viz/filters.js';
export * from './ops/unpool.js';
export * from './audio/index.js';
