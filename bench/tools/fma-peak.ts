// The wasm FMA peak on one thread right now, GFLOP/s: a quick check of how fast this
// shared machine is at the moment before timing anything (47-58 when it is quiet).
// node --conditions=source --import tsx bench/tools/fma-peak.ts
import { enableWasmBackend, measureFmaPeak } from '../../src/backend/wasm/index.js';

await enableWasmBackend();
console.log(`wasm FMA peak, 1 thread: ${measureFmaPeak().toFixed(1)} GFLOP/s`);
process.exit(0);
