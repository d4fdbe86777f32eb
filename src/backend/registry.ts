import { ArgumentError } from '../tensor/index.js';
import type { Backend, CompleteBackend, KernelName, KernelSignatures } from './kernels.js';
import { referenceBackend } from './reference/index.js';

const backends = new Map<string, Backend>([[referenceBackend.name, referenceBackend]]);
let active: Backend = referenceBackend;
const ready = new Map<string, Promise<void>>([[referenceBackend.name, Promise.resolve()]]);

export const reference: CompleteBackend = referenceBackend;

export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * Make a backend the active one. Backends whose init is synchronous switch at
 * once; await the promise for those that load code or start workers.
 */
export function setBackend(name: string): Promise<void> {
  const b = backends.get(name);
  if (!b) throw new ArgumentError('setBackend', `unknown backend "${name}" (known: ${listBackends().join(', ')})`);
  let p = ready.get(name);
  if (!p) {
    const r = b.init?.();
    p = r instanceof Promise ? r : Promise.resolve();
    ready.set(name, p);
    if (!(r instanceof Promise)) {
      active = b;
      return p;
    }
    return p.then(() => {
      active = b;
    });
  }
  return p.then(() => {
    active = b;
  });
}

export function getBackend(): string {
  return active.name;
}

export function activeBackend(): Backend {
  return active;
}

/** The active backend's kernel, or the reference kernel where the active one has none. */
export function kernel<K extends KernelName>(name: K): KernelSignatures[K] {
  return (active.kernels[name] ?? referenceBackend.kernels[name]) as KernelSignatures[K];
}

/** Run fn with a given backend active, restoring the previous one after (for parity tests). */
export function withBackend<T>(name: string, fn: () => T): T {
  const b = backends.get(name);
  if (!b) throw new ArgumentError('withBackend', `unknown backend "${name}"`);
  const prev = active;
  active = b;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
