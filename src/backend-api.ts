/**
 * `receptive/backend`: the layer below the user API, for writing ops and backends.
 *  - `kernel(name)`: the active backend's kernel (the reference one where it has none);
 *  - `record(name, out, inputs, backward)`, `needsGrad`: attach an op's backward rule;
 *  - `registerBackend`, `activeBackend`, `withBackend`, `reference`: backends and
 *    the kernel types (`Backend`, `KernelSignatures`, `Conv2DInfo`, …);
 *  - `WORKER_SOURCE`: the wasm worker script, to serve as a file for `ready({ workerUrl })`
 *    on pages whose Content-Security-Policy refuses `blob:` workers.
 * Everything the top-level `receptive` exports about backends (setBackend, ready, …) is here too.
 */
export * from './backend/index.js';
export * from './backend/public.js';
export { record, needsGrad } from './autograd/tape.js';
export { wasmBackend, wasmInfo, measureFmaPeak } from './backend/wasm/index.js';
export { WORKER_SOURCE } from './backend/wasm/worker-source.js';
export { MAX_HEAP_BYTES, MAX_THREADS } from './backend/wasm/runtime.js';
