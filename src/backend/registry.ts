import { ArgumentError, allocationContext } from '../tensor/index.js';
import type { Backend, CompleteBackend, KernelName, KernelSignatures } from './kernels.js';
import { referenceBackend } from './reference/index.js';
import { startDefaultBackend } from './startup.js';
import { wasmBackend } from './wasm/index.js';

const backends = new Map<string, Backend>([[referenceBackend.name, referenceBackend]]);
// The wasm backend is known from the start, added on first use: registry.ts and
// wasm/index.ts import each other, and either may be evaluated first.
let builtins = false;
function known(): Map<string, Backend> {
  if (!builtins) {
    builtins = true;
    if (!backends.has(wasmBackend.name)) backends.set(wasmBackend.name, wasmBackend);
  }
  return backends;
}
let lastSwitch: Promise<void> = Promise.resolve();
let active: Backend = referenceBackend;
const inits = new Map<string, Promise<void>>();
const initialised = new Set<string>([referenceBackend.name]);
let switches = 0;

/*
 * How the active backend was chosen: 'unset' until the first op, `ready()` or
 * `setBackend`; 'default' once the default start ran (the first op in Node starts
 * wasm synchronously; see startup.ts); 'explicit' after setBackend, which the
 * default start and ready() never override.
 */
let choice: 'unset' | 'default' | 'explicit' = 'unset';

export const reference: CompleteBackend = referenceBackend;

export function registerBackend(backend: Backend): void {
  known().set(backend.name, backend);
}

export function listBackends(): string[] {
  return [...known().keys()];
}

/** Settles when the last setBackend's switch has (for ready()). */
export function backendSwitched(): Promise<void> {
  return lastSwitch;
}

/** How the active backend was chosen (see `choice` above). */
export function backendChoice(): 'unset' | 'default' | 'explicit' {
  return choice;
}

/** Make `b` active for the default start (startup.ts): its init must have completed. */
export function activateDefault(b: Backend): void {
  if (choice === 'explicit') return;
  known().set(b.name, b);
  initialised.add(b.name);
  active = b;
  choice = 'default';
}

/** Run the default start once, before the first kernel runs or the active backend is read. */
function settle(): void {
  if (choice !== 'unset') return;
  choice = 'default';
  startDefaultBackend();
}

/**
 * Make a backend the active one; this choice stands (the default start and
 * `ready()` leave it alone). A backend whose init is done or synchronous switches
 * at once; await the promise for those that load code or start workers. The
 * last call wins, even if an earlier one's init finishes later.
 */
export function setBackend(name: string): Promise<void> {
  const b = known().get(name);
  if (!b) throw new ArgumentError('setBackend', `unknown backend "${name}" (known: ${listBackends().join(', ')})`);
  choice = 'explicit';
  const token = ++switches;
  if (initialised.has(name)) {
    active = b;
    return Promise.resolve();
  }
  let p = inits.get(name);
  if (!p) {
    const r = b.init?.();
    if (!(r instanceof Promise)) {
      initialised.add(name);
      active = b;
      return Promise.resolve();
    }
    p = r.then(
      () => void initialised.add(name),
      (e: unknown) => {
        inits.delete(name);
        throw e;
      },
    );
    inits.set(name, p);
  }
  lastSwitch = p.then(() => {
    if (token === switches) active = b;
  });
  return lastSwitch;
}

export function getBackend(): string {
  settle();
  return active.name;
}

export function activeBackend(): Backend {
  settle();
  return active;
}

/** The active backend's kernel, or the reference kernel where the active one has none. */
export function kernel<K extends KernelName>(name: K): KernelSignatures[K] {
  if (choice === 'unset') settle();
  allocationContext.kernel = name; // names the kernel in a size error raised while it allocates
  return (active.kernels[name] ?? referenceBackend.kernels[name]) as KernelSignatures[K];
}

/** Run fn with a given backend active, restoring the previous one after (for parity tests). */
export function withBackend<T>(name: string, fn: () => T): T {
  const b = known().get(name);
  if (!b) throw new ArgumentError('withBackend', `unknown backend "${name}"`);
  settle();
  const prev = active;
  active = b;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
