import { ArgumentError, type Tensor } from '../tensor/index.js';
import { Module, type AnyModule } from './module.js';

/** Children applied in order; children are named '0', '1', … */
export class Sequential extends Module<[Tensor], Tensor> {
  static override readonly typeName = 'Sequential';
  constructor(...layers: AnyModule[]) {
    super();
    layers.forEach((l, i) => this.registerModule(String(i), l));
  }
  /** The children in order (replace one with `seq.registerModule('3', m)` or `seq[3] = m`). */
  get layers(): AnyModule[] {
    return this.children();
  }
  get length(): number {
    return this.namedChildren().length;
  }
  forward(x: Tensor): Tensor {
    for (const l of this.children()) x = l.call(x);
    return x;
  }
}

/** Returns its input: stands where an architecture has an optional layer. */
export class Identity extends Module {
  static override readonly typeName = 'Identity';
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** A list of modules whose parameters are registered (as torch.nn.ModuleList); it has no forward of its own. */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  static override readonly typeName = 'ModuleList';
  constructor(modules: readonly M[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }
  append(m: M): this {
    this.registerModule(String(this.length), m);
    return this;
  }
  get(i: number): M {
    const n = this.length;
    const k = i < 0 ? n + i : i;
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new ArgumentError(this.label(), `index ${i} is outside a list of ${n} modules`);
    return (this as unknown as Record<string, M>)[String(k)];
  }
  get length(): number {
    return this.namedChildren().length;
  }
  [Symbol.iterator](): Iterator<M> {
    return (this.children() as M[])[Symbol.iterator]();
  }
  forward(): never {
    throw new ArgumentError(this.label(), 'a ModuleList has no forward: call its modules');
  }
}

/** Modules by name, in insertion order (as torch.nn.ModuleDict). */
export class ModuleDict<M extends AnyModule = AnyModule> extends Module<never[], never> {
  static override readonly typeName = 'ModuleDict';
  private readonly order: string[] = [];
  /** An object, or [key, module] pairs where keys that look like numbers must keep their place (an object sorts them first). */
  constructor(modules: Readonly<Record<string, M>> | readonly (readonly [string, M])[] = {}) {
    super();
    for (const [k, m] of Array.isArray(modules) ? modules : Object.entries(modules)) this.set(k, m);
  }
  set(key: string, m: M): this {
    if (!this.order.includes(key)) this.order.push(key);
    this.registerModule(key, m);
    return this;
  }
  get(key: string): M {
    if (!this.has(key)) throw new ArgumentError(this.label(), `no module "${key}" (keys: ${this.keys().join(', ')})`);
    return (this as unknown as Record<string, M>)[key];
  }
  has(key: string): boolean {
    return this.order.includes(key);
  }
  keys(): string[] {
    return [...this.order];
  }
  /** Insertion order, also for keys that look like numbers (which own properties would sort first). */
  override namedChildren(): [string, AnyModule][] {
    const all = new Map(super.namedChildren());
    return this.order.filter((k) => all.has(k)).map((k) => [k, all.get(k)!]);
  }
  forward(): never {
    throw new ArgumentError(this.label(), 'a ModuleDict has no forward: call its modules');
  }
}
