import { Tensor } from '../tensor/index.js';
import type { AnyModule } from './module.js';

/*
 * Forward hooks, as torch.nn's: a pre-hook sees (and may replace) a module's
 * inputs, a forward hook its output. Global hooks run on every module, before the
 * module's own. The call stack gives each call its path even for a module that is
 * shared or called through a reference the tree does not hold.
 */

/** Returns nothing, or the new argument list (a single value stands for a one-argument list). */
export type ForwardPreHook = (module: AnyModule, inputs: unknown[]) => unknown;
export type ForwardHook = (module: AnyModule, inputs: unknown[], output: unknown) => unknown;

export interface HookHandle {
  remove(): void;
}

let nextId = 0;

export function addHook<H>(map: Map<number, H>, hook: H): HookHandle {
  if (typeof hook !== 'function') throw new TypeError('a hook must be a function');
  const id = nextId++;
  map.set(id, hook);
  return { remove: () => void map.delete(id) };
}

export const GLOBAL_HOOKS = { pre: new Map<number, ForwardPreHook>(), post: new Map<number, ForwardHook>() };

/** A pre-hook for every module's call (as torch's register_module_forward_pre_hook). */
export function registerModuleForwardPreHook(hook: ForwardPreHook): HookHandle {
  return addHook(GLOBAL_HOOKS.pre, hook);
}

/** A forward hook for every module's call (as torch's register_module_forward_hook). */
export function registerModuleForwardHook(hook: ForwardHook): HookHandle {
  return addHook(GLOBAL_HOOKS.post, hook);
}

export const runHooks = {
  pre(m: AnyModule, global: Map<number, ForwardPreHook>, own: Map<number, ForwardPreHook>, inputs: unknown[]): unknown[] {
    for (const map of [global, own]) {
      for (const h of [...map.values()]) {
        const r = h(m, inputs);
        if (r !== undefined) inputs = Array.isArray(r) ? r : [r];
      }
    }
    return inputs;
  },
  post(m: AnyModule, global: Map<number, ForwardHook>, own: Map<number, ForwardHook>, inputs: unknown[], out: unknown): unknown {
    for (const map of [global, own]) {
      for (const h of [...map.values()]) {
        const r = h(m, inputs, out);
        if (r !== undefined) out = r;
      }
    }
    return out;
  },
};

export const callStack: { module: AnyModule; path: string }[] = [];

/** The path of m called from the module on top of the stack: its own name there, else its place under the outermost call. */
export function currentPath(m: AnyModule): string {
  const top = callStack[callStack.length - 1];
  if (top.module === m) return top.path;
  for (const [k, v] of top.module.namedChildren()) {
    if (v === m) return top.path ? `${top.path}.${k}` : k;
  }
  const root = callStack[0];
  for (const [p, v] of root.module.namedModules(root.path)) if (v === m) return p;
  return m.path;
}

/** The tensors in a module's inputs or output, in order. */
export function flatTensors(v: unknown): Tensor[] {
  if (v instanceof Tensor) return [v];
  if (Array.isArray(v)) return v.flatMap(flatTensors);
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(flatTensors);
  return [];
}
