/**
 * Side-effect module: make 'reference' the active backend at load time, so that
 * the first op does not start the wasm backend (the test runner's first pass):
 *   node --conditions=source --import tsx --import ./src/backend/reference/activate.ts --test test/ops/*.test.ts
 */
import { setBackend } from '../registry.js';

void setBackend('reference');
