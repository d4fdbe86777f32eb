import { ArgumentError, ReceptiveError, ShapeError, Tensor, allocate, type DType } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import { enterModule, exitModule } from '../autograd/trace.js';
import { StateDictError, type LoadStateDictOptions, checkStateDict, remapKeys } from './state-dict.js';
import { callStack, currentPath, flatTensors, runHooks, type ForwardHook, type ForwardPreHook, type HookHandle, GLOBAL_HOOKS, addHook } from './hooks.js';

export { StateDictError, type LoadStateDictOptions } from './state-dict.js';
export { registerModuleForwardHook, registerModuleForwardPreHook, type ForwardHook, type ForwardPreHook, type HookHandle } from './hooks.js';

/** A learnable tensor: a Tensor with requiresGrad set, registered on a Module. */
export type Parameter = Tensor;

export function parameter(t: Tensor): Parameter {
  t.requiresGrad = true;
  return t;
}

/** What a module may take and return: GoogLeNet's auxiliary heads and detection heads return several tensors. */
export type ModuleValue = Tensor | Tensor[] | { [name: string]: Tensor };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = Module<any[], any>;

/** Internal state, kept off the object so that its own enumerable properties are exactly its fields and children. */
const STATES = new WeakMap<object, ModuleState>();
const st = (m: object): ModuleState => STATES.get(m)!;
/** Marks an error already prefixed with the module it came from. */
const ANNOTATED = Symbol('receptive.annotated');

interface ModuleState {
  params: Map<string, Parameter | null>;
  buffers: Map<string, Tensor | null>;
  parent: AnyModule | null;
  nameInParent: string;
  preHooks: Map<number, ForwardPreHook>;
  hooks: Map<number, ForwardHook>;
  frozen: boolean;
}

/**
 * The base of every layer and model, as torch.nn.Module: parameters, buffers and
 * children by name; train/eval mode; hooks; state dicts with dotted paths.
 *
 * Children are the module's own properties whose value is a Module: assigning
 * `model.fc = new Linear({ inFeatures: 512, outFeatures: 10 })` replaces the child
 * for forward, parameters() and stateDict() at once (there is no second list to
 * keep in step). Parameters and buffers are registered by name and read and
 * written through properties of the same name.
 */
export abstract class Module<I extends unknown[] = [Tensor], O = Tensor> {
  /** A stable type name (class names do not survive minification); subclasses set their own. */
  static readonly typeName?: string;
  training = true;

  constructor() {
    const state: ModuleState = { params: new Map(), buffers: new Map(), parent: null, nameInParent: '', preHooks: new Map(), hooks: new Map(), frozen: false };
    STATES.set(this, state);
  }

  /** The computation; call the module with `m.call(x)` so that hooks, tracing and error context apply. */
  abstract forward(...inputs: I): O;

  /** Short description of the configuration, for toString. */
  protected extraRepr(): string {
    return '';
  }

  /** The layer's configuration as JSON-safe values, enough to rebuild it (see moduleToJSON). */
  toConfig(): Record<string, unknown> {
    return {};
  }

  /** The class's typeName, or its constructor name for user classes that set none. */
  get typeName(): string {
    const c = this.constructor as { typeName?: string; name: string };
    return Object.hasOwn(c, 'typeName') && c.typeName ? c.typeName : c.name;
  }

  call(...inputs: I): O {
    inputs.forEach((x, i) => {
      if (!isModuleValue(x)) throw new ArgumentError(this.label(), `input ${i} must be a Tensor, an array of Tensors or an object of Tensors, got ${x === null ? 'null' : typeof x}`);
    });
    const path = callStack.length ? currentPath(this) : this.path;
    callStack.push({ module: this, path });
    let entered = false;
    let outputs: Tensor[] = [];
    try {
      const args = runHooks.pre(this, GLOBAL_HOOKS.pre, st(this).preHooks, inputs) as I;
      enterModule(this, path, this.typeName, flatTensors(args));
      entered = true;
      const out = runHooks.post(this, GLOBAL_HOOKS.post, st(this).hooks, args, this.forward(...args)) as O;
      outputs = flatTensors(out);
      return out;
    } catch (e) {
      throw annotate(e, `${this.typeName} "${path || '(root)'}"`);
    } finally {
      callStack.pop();
      if (entered) exitModule(outputs);
    }
  }

  /** Eval mode, no gradient recording, the previous mode restored afterwards: inference in one call. */
  predict(...inputs: I): O {
    const modes = this.namedModules().map(([, m]) => [m, m.training] as const);
    this.eval();
    try {
      return noGrad(() => this.call(...inputs));
    } finally {
      for (const [m, t] of modes) m.training = t;
    }
  }

  registerForwardPreHook(hook: ForwardPreHook): HookHandle {
    return addHook(st(this).preHooks, hook);
  }

  /** hook(module, inputs, output) runs after forward; a returned value replaces the output. */
  registerForwardHook(hook: ForwardHook): HookHandle {
    return addHook(st(this).hooks, hook);
  }

  /** Dotted path from the root module ('' for the root), through the first parent that registered it. */
  get path(): string {
    const s = st(this);
    if (!s.parent) return '';
    const p = s.parent.path;
    return p ? `${p}.${s.nameInParent}` : s.nameInParent;
  }

  /** `Conv2d "features.3"`: the type and path, for error messages. */
  label(): string {
    return `${this.typeName} "${(callStack.length ? currentPath(this) : this.path) || '(root)'}"`;
  }

  /** Throw a ShapeError naming this layer if x does not match the pattern (strings = any size). */
  protected expectShape(x: Tensor, pattern: readonly (number | string)[], input = 0): void {
    const ok = x.rank === pattern.length && pattern.every((p, i) => typeof p === 'string' || p === x.shape[i]);
    if (!ok) throw markAnnotated(new ShapeError(`${this.label()} input ${input}`, `[${pattern.join(', ')}]`, x.shape));
  }

  registerParameter(name: string, t: Tensor | null): Parameter | null {
    if (t !== null && !(t instanceof Tensor)) throw new ArgumentError(this.label(), `parameter "${name}" must be a Tensor or null`);
    if (t) parameter(t);
    this.defineSlot(name, st(this).params, 'parameter');
    st(this).params.set(name, t);
    return t;
  }

  registerBuffer(name: string, t: Tensor | null): Tensor | null {
    if (t !== null && !(t instanceof Tensor)) throw new ArgumentError(this.label(), `buffer "${name}" must be a Tensor or null`);
    this.defineSlot(name, st(this).buffers, 'buffer');
    st(this).buffers.set(name, t);
    return t;
  }

  /** Same as assigning `this[name] = m`; returns m. */
  registerModule<M extends AnyModule>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new ArgumentError(this.label(), `child "${name}" must be a Module`);
    if (st(this).params.has(name) || st(this).buffers.has(name)) throw new ArgumentError(this.label(), `"${name}" is already a parameter or buffer`);
    Object.defineProperty(this, name, { value: m, enumerable: true, writable: true, configurable: true });
    adopt(this, name, m);
    return m;
  }

  /** A property that reads and writes the registered tensor, so `conv.weight = t` and stateDict() agree. */
  private defineSlot(name: string, map: Map<string, Tensor | null>, kind: string): void {
    if (map.has(name)) return;
    const label = () => this.label();
    Object.defineProperty(this, name, {
      enumerable: false,
      configurable: true,
      get: () => map.get(name) ?? null,
      set: (v: unknown) => {
        if (v !== null && !(v instanceof Tensor)) throw new ArgumentError(label(), `${kind} "${name}" must be a Tensor or null`);
        if (v && kind === 'parameter') parameter(v);
        map.set(name, v);
      },
    });
  }

  getParameter(name: string): Parameter | null {
    return st(this).params.get(name) ?? null;
  }

  getBuffer(name: string): Tensor | null {
    return st(this).buffers.get(name) ?? null;
  }

  /** Replace a registered buffer. */
  setBuffer(name: string, t: Tensor): void {
    if (!st(this).buffers.has(name)) throw new ArgumentError(this.label(), `no buffer named "${name}"`);
    st(this).buffers.set(name, t);
  }

  /** Direct children in definition order (own properties holding a Module). */
  namedChildren(): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    for (const k of Object.keys(this)) {
      const v = (this as unknown as Record<string, unknown>)[k];
      if (v instanceof Module) {
        adopt(this, k, v);
        out.push([k, v]);
      }
    }
    return out;
  }

  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** Every module in the tree, depth-first, with its path (the root as ''); a shared module is listed once. */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const visit = (m: AnyModule, p: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [n, c] of m.namedChildren()) visit(c, p ? `${p}.${n}` : n);
    };
    visit(this, prefix);
    return out;
  }

  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Own parameters by name (not the children's), registered order. */
  ownParameters(): [string, Parameter][] {
    return [...st(this).params].filter((e): e is [string, Parameter] => e[1] !== null);
  }

  ownBuffers(): [string, Tensor][] {
    return [...st(this).buffers].filter((e): e is [string, Tensor] => e[1] !== null);
  }

  /** Every parameter with its dotted path; a tensor shared by two modules is listed once. */
  namedParameters(): [string, Parameter][] {
    return collect(this, (m) => m.ownParameters());
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    return collect(this, (m) => m.ownBuffers());
  }

  /** Set training mode here and in every child (dropout, batch norm); frozen modules stay in eval mode. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode && !st(m).frozen;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Fine-tuning: no parameter here or below takes gradients, and this subtree stays
   * in eval mode (batch-norm statistics are not updated) whatever train() is called on.
   */
  freeze(): this {
    for (const [, m] of this.namedModules()) {
      st(m).frozen = true;
      m.training = false;
      for (const [, p] of m.ownParameters()) p.requiresGrad = false;
    }
    return this;
  }

  unfreeze(): this {
    for (const [, m] of this.namedModules()) {
      st(m).frozen = false;
      for (const [, p] of m.ownParameters()) p.requiresGrad = true;
    }
    return this;
  }

  get frozen(): boolean {
    return st(this).frozen;
  }

  /** Convert every parameter and buffer (int32 buffers excepted) to dtype, in place; build optimisers after this. */
  to(dtype: DType): this {
    if (dtype !== 'float32' && dtype !== 'float64') throw new ArgumentError(this.label(), `to() takes 'float32' or 'float64', got ${String(dtype)}`);
    for (const [, m] of this.namedModules()) {
      for (const map of [st(m).params, st(m).buffers]) {
        for (const [n, t] of map) {
          if (!t || t.dtype === dtype || t.dtype === 'int32') continue;
          const data = allocate(dtype, t.size);
          data.set(t.data);
          map.set(n, new Tensor(data, t.shape, t.requiresGrad));
        }
      }
    }
    return this;
  }

  /** Call fn on every module, children first (as PyTorch's apply), e.g. to initialise weights. */
  apply(fn: (m: AnyModule) => void): this {
    for (const [, c] of this.namedChildren()) c.apply(fn);
    fn(this);
    return this;
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Parameters and buffers by dotted path, in PyTorch's order (each module's own
   * parameters, then its buffers, then its children). The tensors are the live ones.
   */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [k, t] of collect(this, (m) => [...m.ownParameters(), ...m.ownBuffers()])) sd[k] = t;
    return sd;
  }

  /**
   * Copy values from a state dict (a PyTorch state_dict saved as safetensors loads
   * as it is). Everything is checked before anything is written, so a refused dict
   * leaves the module exactly as it was. `remap` renames the incoming keys first.
   */
  loadStateDict(sd: Record<string, Tensor>, opts: boolean | LoadStateDictOptions = true): { missing: string[]; unexpected: string[] } {
    const o: LoadStateDictOptions = typeof opts === 'boolean' ? { strict: opts } : opts;
    const incoming = o.remap ? remapKeys(sd, o.remap) : sd;
    const own = this.stateDict();
    const report = checkStateDict(own, incoming, o.strict ?? true);
    noGrad(() => {
      for (const k of Object.keys(own)) {
        if (!(k in incoming)) continue;
        own[k].data.set(incoming[k].data);
        own[k].markModified();
      }
    });
    return report;
  }

  toString(): string {
    const extra = this.extraRepr();
    const kids = this.namedChildren();
    if (kids.length === 0) return `${this.typeName}(${extra})`;
    const lines = kids.map(([n, c]) => `  (${n}): ${c.toString().split('\n').join('\n  ')}`);
    return `${this.typeName}(${extra}\n${lines.join('\n')}\n)`;
  }
}

function adopt(parent: AnyModule, name: string, child: AnyModule): void {
  const s = st(child);
  if (!s.parent) {
    s.parent = parent;
    s.nameInParent = name;
  } else if (s.parent === parent && s.nameInParent !== name && !(s.nameInParent in parent)) {
    s.nameInParent = name;
  }
}

function collect<T>(root: AnyModule, own: (m: AnyModule) => [string, T][]): [string, T][] {
  const out: [string, T][] = [];
  const seen = new Set<T>();
  for (const [p, m] of root.namedModules()) {
    for (const [n, t] of own(m)) {
      if (seen.has(t)) continue;
      seen.add(t);
      out.push([p ? `${p}.${n}` : n, t]);
    }
  }
  return out;
}

function isModuleValue(x: unknown): boolean {
  if (x instanceof Tensor) return true;
  if (Array.isArray(x)) return x.every((v) => v instanceof Tensor);
  if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) return Object.values(x).every((v) => v instanceof Tensor);
  return false;
}

function markAnnotated<E extends Error>(e: E): E {
  (e as unknown as Record<symbol, boolean>)[ANNOTATED] = true;
  return e;
}

/** Prefix a library error with the module it was raised in (once: the innermost module names it). */
function annotate(e: unknown, where: string): unknown {
  if (!(e instanceof ReceptiveError) || (e as unknown as Record<symbol, boolean>)[ANNOTATED]) return e;
  const old = e.message;
  e.message = `${where}: ${old}`;
  if (e.stack?.startsWith(`${e.name}: ${old}`)) e.stack = `${e.name}: ${e.message}${e.stack.slice(e.name.length + 2 + old.length)}`;
  return markAnnotated(e);
}
