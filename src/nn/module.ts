import { ArgumentError, ReceptiveError, ShapeError, Tensor, formatShape } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';

/** A learnable tensor: a Tensor with requiresGrad set, registered on a Module. */
export type Parameter = Tensor;

export function parameter(t: Tensor): Parameter {
  t.requiresGrad = true;
  return t;
}

/** Raised by loadStateDict, listing every missing, unexpected and mis-shaped key at once. */
export class StateDictError extends ReceptiveError {
  constructor(
    readonly missing: string[],
    readonly unexpected: string[],
    readonly misShaped: { key: string; expected: number[]; got: number[] }[],
  ) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
    if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
    if (misShaped.length) parts.push(`mis-shaped: ${misShaped.map((m) => `${m.key} expected ${formatShape(m.expected)} got ${formatShape(m.got)}`).join('; ')}`);
    super(`loadStateDict: ${parts.join('; ')}`);
  }
}

/** What `summary` records for each module call. */
export interface CallRecord {
  module: Module;
  path: string;
  output: readonly number[];
}

let recorder: CallRecord[] | null = null;

/** Run fn and return every module call it made, in order (used by summary). */
export function recordCalls<T>(fn: () => T): { result: T; calls: CallRecord[] } {
  const prev = recorder;
  recorder = [];
  try {
    const result = fn();
    return { result, calls: recorder };
  } finally {
    recorder = prev;
  }
}

/**
 * The base of every layer and model, as torch.nn.Module: registered parameters,
 * buffers and children; train/eval mode; state dicts with dotted paths.
 */
export abstract class Module {
  training = true;
  private readonly params = new Map<string, Parameter | null>();
  private readonly buffers = new Map<string, Tensor | null>();
  private readonly children = new Map<string, Module>();
  private parentRef: Module | null = null;
  private nameInParent = '';

  /** The computation; call the module with `m.call(x)` so that hooks and error context apply. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Short description of the constructor arguments, for toString. */
  protected extraRepr(): string {
    return '';
  }

  call(...inputs: Tensor[]): Tensor {
    inputs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw new ArgumentError(this.label(), `input ${i} must be a Tensor, got ${typeof x}`);
    });
    const out = this.forward(...inputs);
    if (recorder) recorder.push({ module: this, path: this.path, output: out.shape });
    return out;
  }

  /** Dotted path from the root module ('' for the root itself). */
  get path(): string {
    if (!this.parentRef) return '';
    const p = this.parentRef.path;
    return p ? `${p}.${this.nameInParent}` : this.nameInParent;
  }

  /** `Conv2d "features.3"`: the type and path, for error messages. */
  label(): string {
    return `${this.constructor.name} "${this.path || '(root)'}"`;
  }

  /** Throw a ShapeError naming this layer if x does not match the pattern (null = any size). */
  protected expectShape(x: Tensor, pattern: readonly (number | string)[], input = 0): void {
    const ok = x.rank === pattern.length && pattern.every((p, i) => typeof p === 'string' || p === x.shape[i]);
    if (!ok) throw new ShapeError(`${this.label()} input ${input}`, `[${pattern.join(', ')}]`, x.shape);
  }

  registerParameter(name: string, t: Tensor | null): Parameter | null {
    if (t) parameter(t);
    this.params.set(name, t);
    return t;
  }

  registerBuffer(name: string, t: Tensor | null): Tensor | null {
    this.buffers.set(name, t);
    return t;
  }

  registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new ArgumentError(this.label(), `child "${name}" must be a Module`);
    m.parentRef = this;
    m.nameInParent = name;
    this.children.set(name, m);
    return m;
  }

  getParameter(name: string): Parameter | null {
    return this.params.get(name) ?? null;
  }

  getBuffer(name: string): Tensor | null {
    return this.buffers.get(name) ?? null;
  }

  /** Replace a registered buffer (batch-norm running stats are updated in place instead). */
  setBuffer(name: string, t: Tensor): void {
    if (!this.buffers.has(name)) throw new ArgumentError(this.label(), `no buffer named "${name}"`);
    this.buffers.set(name, t);
  }

  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /** Every module in the tree, depth-first, with its path (the root as ''). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, c] of this.children) out.push(...c.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [p, m] of this.namedModules()) {
      for (const [n, t] of m.params) if (t) out.push([p ? `${p}.${n}` : n, t]);
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules()) {
      for (const [n, t] of m.buffers) if (t) out.push([p ? `${p}.${n}` : n, t]);
    }
    return out;
  }

  /** Set training mode here and in every child (dropout, batch norm). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Call fn on every module, children first (as PyTorch's apply), e.g. to initialise weights. */
  apply(fn: (m: Module) => void): this {
    for (const [, c] of this.children) c.apply(fn);
    fn(this);
    return this;
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by dotted path. The tensors are the live ones, not copies. */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [k, t] of this.namedParameters()) sd[k] = t;
    for (const [k, t] of this.namedBuffers()) sd[k] = t;
    return sd;
  }

  /**
   * Copy values from a state dict. Everything is checked before anything is
   * written, so a refused dict leaves the module exactly as it was.
   */
  loadStateDict(sd: Record<string, Tensor>, strict = true): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in sd));
    const unexpected = Object.keys(sd).filter((k) => !(k in own));
    const misShaped = Object.keys(own)
      .filter((k) => k in sd && (!(sd[k] instanceof Tensor) || formatShape(sd[k].shape) !== formatShape(own[k].shape)))
      .map((k) => ({ key: k, expected: [...own[k].shape], got: sd[k] instanceof Tensor ? [...sd[k].shape] : [] }));
    if (misShaped.length || (strict && (missing.length || unexpected.length))) throw new StateDictError(missing, unexpected, misShaped);
    noGrad(() => {
      for (const k of Object.keys(own)) {
        if (!(k in sd)) continue;
        own[k].data.set(sd[k].data);
        own[k].markModified();
      }
    });
  }

  toString(): string {
    const extra = this.extraRepr();
    if (this.children.size === 0) return `${this.constructor.name}(${extra})`;
    const lines = [...this.children].map(([n, c]) => `  (${n}): ${c.toString().split('\n').join('\n  ')}`);
    return `${this.constructor.name}(${extra}\n${lines.join('\n')}\n)`;
  }
}

/** Children applied in order; children are named '0', '1', … */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((l, i) => this.registerModule(String(i), l));
  }
  forward(x: Tensor): Tensor {
    for (const l of this.layers) x = l.call(x);
    return x;
  }
}

/** Returns its input: stands where an architecture has an optional layer. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
