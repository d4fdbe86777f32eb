/**
 * Side-effect module: make 'wasm' the active backend at load time. Used to run a
 * whole test suite on the wasm backend:
 *   node --conditions=source --import tsx --import ./src/backend/wasm/activate.ts --test test/ops/*.test.ts
 * It starts the runtime synchronously (Node >= 20.16), so no top-level await.
 */
import { setBackend } from '../registry.js';
import { startWasmSync } from './index.js';

if (startWasmSync()) void setBackend('wasm');
else console.warn('receptive: the wasm backend cannot start here (no WebAssembly SIMD or no synchronous start); the tests run on the reference backend');
