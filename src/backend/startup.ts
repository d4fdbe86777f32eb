import { ReceptiveError } from '../tensor/index.js';
import { activateDefault, backendChoice, backendSwitched, getBackend, setBackend } from './registry.js';
import { setRuntimeOptions, startWasmSync, wasmBackend, wasmStarted } from './wasm/index.js';
import { hasSimd } from './wasm/runtime.js';

/*
 * Explicit start-up. Importing Receptive starts nothing: no workers, no engine
 * flags, no output. The wasm backend starts
 *  - on `await ready()`, everywhere (the way to start it in a browser page), or
 *  - at the first op (or getBackend()), synchronously, where the engine allows
 *    it: Node >= 20.16 (process.getBuiltinModule) and browser workers. On a
 *    page's main thread, which may not compile a large module synchronously,
 *    ops run on the reference backend until ready() has resolved.
 * setBackend(name) is an explicit choice that neither path overrides.
 */

export interface ReadyOptions {
  /** 'auto' (default): wasm where WebAssembly SIMD exists, else the reference backend. */
  backend?: 'auto' | 'wasm' | 'reference';
  /** No console message where the wasm backend falls back to one thread or fails to start. */
  quiet?: boolean;
  /**
   * Browsers: the URL of a worker script with `WORKER_SOURCE` (from `receptive/backend`),
   * for pages whose Content-Security-Policy refuses `blob:` workers. Node ignores it.
   */
  workerUrl?: string | URL;
}

let started: Promise<string> | null = null;
let warnedFailure = false;

function warnFailure(e: unknown, quiet: boolean | undefined): void {
  if (quiet || warnedFailure) return;
  warnedFailure = true;
  console.warn(`receptive: the wasm backend failed to start (${(e as Error).message}); using the reference backend`);
}

/** The default start at the first op: wasm, synchronously, where possible (called once by the registry). */
export function startDefaultBackend(): void {
  if (!hasSimd()) return;
  try {
    if (startWasmSync()) activateDefault(wasmBackend);
  } catch (e) {
    warnFailure(e, false);
  }
}

/**
 * Start the default backend and resolve to the name of the active one
 * ('wasm' or 'reference'). Idempotent: later calls resolve to the same start.
 * Call it once before the first op; a `setBackend` made before is kept.
 */
export async function ready(opts: ReadyOptions = {}): Promise<string> {
  setRuntimeOptions({ quiet: opts.quiet, workerUrl: opts.workerUrl });
  const want = opts.backend ?? 'auto';
  if (want === 'reference') {
    await setBackend('reference');
    return 'reference';
  }
  if (want === 'wasm') {
    if (!hasSimd()) throw new ReceptiveError('ready: the wasm backend needs WebAssembly SIMD, which this engine lacks');
    await setBackend('wasm');
    return 'wasm';
  }
  if (backendChoice() === 'explicit') {
    await backendSwitched();
    return getBackend();
  }
  started ??= (async () => {
    if (hasSimd()) {
      try {
        if (!wasmStarted()) await wasmBackend.init?.();
        activateDefault(wasmBackend);
      } catch (e) {
        warnFailure(e, opts.quiet);
      }
    }
    return getBackend();
  })();
  return started;
}
