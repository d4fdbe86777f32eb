/**
 * Side-effect module: make 'wasm' the active backend at load time. Used to run a
 * whole test suite on the wasm backend:
 *   node --conditions=source --import tsx --import ./src/backend/wasm/activate.ts --test test/ops/*.test.ts
 */
import { enableWasmBackend } from './index.js';

if (!(await enableWasmBackend())) console.warn('receptive: WebAssembly SIMD is unavailable; the tests run on the reference backend');
