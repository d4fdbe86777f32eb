/*
 * What the wasm runtime needs to know about the engine it runs on: SIMD and
 * relaxed-SIMD probes, Node's built-ins (loaded without a literal import, so
 * browser bundlers leave them alone), whether a synchronous start is possible,
 * and the core count.
 */

export function base64ToBytes(b64: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64'));
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
/** Relaxed-SIMD probe: a tiny module using f32x4.relaxed_madd. */
/** Relaxed-SIMD probe: a tiny module using f32x4.relaxed_madd. */
export function hasRelaxedSimd(): boolean {
  // (module (func (result v128) v128.const i32x4 0 0 0 0 ... f32x4.relaxed_madd))
  const bytes = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
    253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    253, 133, 2, 11,
  ]);
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** SIMD probe: a module returning a v128.const. */
export function hasSimd(): boolean {
  if (typeof WebAssembly !== 'object') return false;
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

export const isNode = typeof process !== 'undefined' && !!process.versions?.node;

export interface NodeBuiltins {
  os: typeof import('node:os');
  v8: typeof import('node:v8');
  Worker: typeof import('node:worker_threads').Worker;
}
let node: NodeBuiltins | null = null;
type GetBuiltin = (id: string) => unknown;
// Non-literal specifiers, so browser bundlers leave Node's built-ins alone.
const nodeImport = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);

/** Node's built-ins without an await (process.getBuiltinModule: Node >= 20.16), or null where that is missing. */
export function nodeBuiltinsSync(): NodeBuiltins | null {
  if (node || !isNode) return node;
  const get = (process as unknown as { getBuiltinModule?: GetBuiltin }).getBuiltinModule;
  if (typeof get !== 'function') return null;
  node = { os: get('node:os') as NodeBuiltins['os'], v8: get('node:v8') as NodeBuiltins['v8'], Worker: (get('node:worker_threads') as typeof import('node:worker_threads')).Worker };
  return node;
}

export async function nodeBuiltins(): Promise<NodeBuiltins> {
  const n = nodeBuiltinsSync();
  if (n) return n;
  const [os, v8, wt] = await Promise.all([nodeImport('node:os'), nodeImport('node:v8'), nodeImport('node:worker_threads')]);
  node = { os: os as NodeBuiltins['os'], v8: v8 as NodeBuiltins['v8'], Worker: (wt as typeof import('node:worker_threads')).Worker };
  return node;
}

/**
 * True where the runtime can start without an await: Node with
 * process.getBuiltinModule, and browser workers (which may compile a module
 * synchronously; a page's main thread may not, beyond a few KB).
 */
export function canStartSync(): boolean {
  if (isNode) return nodeBuiltinsSync() !== null;
  const g = globalThis as { document?: unknown; importScripts?: unknown };
  return g.document === undefined && typeof g.importScripts === 'function';
}

/**
 * Node 20 (V8 11.3) implements relaxed SIMD but validates it only behind
 * --experimental-wasm-relaxed-simd; Node 22+ and current browsers ship it. The
 * flag only decides which wasm modules validate, so it is set here, when the
 * backend starts and before its module is compiled, letting the probe pick the
 * FMA build (f32x4.relaxed_madd: one rounding per multiply-add, ~30% more
 * multiply-adds per second on x64 with FMA). RECEPTIVE_RELAXED_SIMD=0 leaves V8 alone.
 */
export function enableRelaxedSimdInNode(v8: NodeBuiltins['v8']): void {
  if (hasRelaxedSimd() || process.env.RECEPTIVE_RELAXED_SIMD === '0') return;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // An engine without the flag keeps the plain SIMD build.
  }
}

/** Cores of this machine (os.availableParallelism in Node, navigator.hardwareConcurrency elsewhere). */
export function coreCount(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const n = nodeBuiltinsSync();
  if (n) return (n.os.availableParallelism?.() ?? n.os.cpus().length) || 1;
  return nav?.hardwareConcurrency || 1;
}

/** Node's built-ins once loaded (by nodeBuiltins or nodeBuiltinsSync), else null. */
export function loadedNodeBuiltins(): NodeBuiltins | null {
  return node;
}
