import { ArgumentError, show, Tensor } from '../tensor/index.js';

/** Per-parameter optimiser state (momentum buffers, Adam moments), as plain typed arrays. */
export type ParamState = Record<string, Float32Array | Float64Array | number>;

/** A group's hyperparameters as saved: JSON values only. */
export type GroupHyper = Record<string, number | boolean | readonly number[]>;

/** The hyperparameters every optimiser has per group. */
export interface BaseHyper {
  lr: number;
}

/** One entry of the grouped form, as PyTorch's `[{ params, lr }, ...]`: missing settings come from the optimiser's options. */
export type ParamGroupSpec<H extends BaseHyper = BaseHyper> = { params: Iterable<Tensor> } & Partial<H>;

/** What an optimiser takes: a flat list of parameters (one group) or a list of groups. */
export type ParamsInput<H extends BaseHyper = BaseHyper> = Iterable<Tensor> | readonly ParamGroupSpec<H>[];

/** A resolved group: its parameters and every hyperparameter filled in. `lr` is the one schedules change. */
export type ParamGroup<H extends BaseHyper = BaseHyper> = { readonly params: Tensor[] } & H;

export interface OptimizerStateDict {
  type: string;
  /** The first group's learning rate (all of them in checkpoints written before groups existed). */
  lr: number;
  stepCount: number;
  /** One entry per parameter, all groups in order, each group's parameters in the order given. */
  state: Record<string, number[] | number>[];
  /** Per group: its parameter count and hyperparameters. Absent in states saved before groups existed. */
  groups?: ({ params: number } & GroupHyper)[];
}

/**
 * Base optimiser over parameter groups (a flat list is one group). Updates run
 * on the raw data (no graph is recorded) and bump each parameter's version so
 * caches of packed weights refresh.
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper> {
  /** Every parameter, group by group. */
  readonly params: Tensor[];
  readonly paramGroups: ParamGroup<H>[];
  stepCount = 0;
  protected readonly state: ParamState[];

  /**
   * @param defaults every hyperparameter, from the options
   * @param check validates and completes one group's settings (index for messages)
   */
  constructor(params: ParamsInput<H>, defaults: H, check: (h: H, where: string) => H) {
    const op = this.constructor.name;
    const specs = toGroups<H>(op, params);
    const seen = new Set<Tensor>();
    this.paramGroups = specs.map((spec, gi) => {
      const where = specs.length > 1 || isGroupList(params) ? `paramGroups[${gi}].` : '';
      const { params: ps, ...rest } = spec;
      for (const k of Object.keys(rest)) {
        if (!(k in defaults)) throw new ArgumentError(op, `${where}${k} is not a setting of ${op} (known: ${Object.keys(defaults).join(', ')})`);
      }
      const list = [...ps];
      list.forEach((p, i) => {
        if (!(p instanceof Tensor)) throw new ArgumentError(op, `${where}parameter ${i} is not a Tensor, got ${show(p)}`);
        if (p.dtype === 'int32') throw new ArgumentError(op, `${where}parameter ${i} has dtype int32; only float parameters can be optimised`);
        if (seen.has(p)) throw new ArgumentError(op, `${where}parameter ${i} appears more than once (in one group or in two)`);
        seen.add(p);
      });
      const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
      const merged = { ...defaults, ...given } as H;
      checkHyper(op, `${where}lr`, merged.lr, 0);
      return { ...check(merged, where), params: list };
    });
    this.params = this.paramGroups.flatMap((g) => g.params);
    if (this.params.length === 0) throw new ArgumentError(op, 'got an empty parameter list');
    this.state = this.params.map(() => ({}));
  }

  /** The first group's learning rate. Setting it sets every group's (schedules scale each group's own instead). */
  get lr(): number {
    return this.paramGroups[0].lr;
  }
  set lr(v: number) {
    checkHyper(this.constructor.name, 'lr', v, 0);
    for (const g of this.paramGroups) g.lr = v;
  }

  /** Apply one update from the current gradients; parameters without a gradient are skipped. */
  step(): void {
    this.stepCount++;
    let i = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const s = this.state[i++];
        if (!p.grad) continue;
        this.update(p.data, p.grad.data, s, group);
        p.markModified();
      }
    }
  }

  protected abstract update(w: Float32Array | Float64Array | Int32Array, g: ArrayLike<number>, s: ParamState, group: ParamGroup<H>): void;

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Lazily create a zeroed state buffer the size of the parameter. */
  protected buffer(s: ParamState, name: string, like: ArrayLike<number>): Float32Array | Float64Array {
    let b = s[name];
    if (typeof b !== 'object') {
      b = like instanceof Float64Array ? new Float64Array(like.length) : new Float32Array(like.length);
      s[name] = b;
    }
    return b;
  }

  stateDict(): OptimizerStateDict {
    return {
      type: this.constructor.name,
      lr: this.lr,
      stepCount: this.stepCount,
      state: this.state.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v)]))),
      groups: this.paramGroups.map(({ params, ...h }) => ({ ...(structuredClone(h) as GroupHyper), params: params.length })),
    };
  }

  /**
   * Restore buffers, step count and each group's learning rate (the one
   * hyperparameter training changes; the others stay as constructed). A state
   * saved before groups existed sets every group's lr to its single lr.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = 'Optimizer.loadStateDict';
    if (sd.type !== this.constructor.name) throw new ArgumentError(op, `state is for ${sd.type}, this optimiser is ${this.constructor.name}`);
    if (!Array.isArray(sd.state) || sd.state.length !== this.params.length) {
      throw new ArgumentError(op, `state has ${sd.state?.length} parameters, the optimiser has ${this.params.length}`);
    }
    if (sd.groups !== undefined) {
      const counts = this.paramGroups.map((g) => g.params.length);
      const saved = Array.isArray(sd.groups) ? sd.groups.map((g) => g?.params) : [];
      if (saved.length !== counts.length || saved.some((n, i) => n !== counts[i])) {
        throw new ArgumentError(op, `state has parameter groups of sizes [${saved.join(', ')}], the optimiser has [${counts.join(', ')}]`);
      }
      sd.groups.forEach((g, i) => checkHyper(op, `groups[${i}].lr`, g.lr, 0));
    }
    checkHyper(op, 'lr', sd.lr, 0);
    sd.state.forEach((s, i) => {
      for (const [k, v] of Object.entries(s)) {
        if (Array.isArray(v) && v.length !== this.params[i].size) {
          throw new ArgumentError(op, `state "${k}" of parameter ${i} has ${v.length} values, the parameter has ${this.params[i].size}`);
        }
      }
    });
    this.paramGroups.forEach((g, i) => (g.lr = sd.groups ? (sd.groups[i].lr as number) : sd.lr));
    this.stepCount = sd.stepCount;
    sd.state.forEach((s, i) => {
      const isF64 = this.params[i].dtype === 'float64';
      this.state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : isF64 ? Float64Array.from(v) : Float32Array.from(v)]));
    });
  }
}

/** A gradient's data as a float array (an update reads it in the parameter's precision). */
export function floats(g: ArrayLike<number>): Float32Array | Float64Array {
  return g instanceof Float32Array || g instanceof Float64Array ? g : Float64Array.from(g);
}

function isGroupList(x: unknown): boolean {
  return Array.isArray(x) && x.length > 0 && x.every((g) => g !== null && typeof g === 'object' && !(g instanceof Tensor) && 'params' in g);
}

/** The flat form becomes one group; the grouped form is checked entry by entry. */
function toGroups<H extends BaseHyper>(op: string, params: ParamsInput<H>): ParamGroupSpec<H>[] {
  if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
    throw new ArgumentError(op, `params must be a list of tensors or of groups { params, lr, ... }, got ${show(params)}`);
  }
  const items = [...(params as Iterable<unknown>)];
  if (items.length === 0 || items.every((p) => p instanceof Tensor)) return [{ params: items as Tensor[] } as unknown as ParamGroupSpec<H>];
  return items.map((g, i) => {
    if (g instanceof Tensor || g === null || typeof g !== 'object' || !('params' in g)) {
      throw new ArgumentError(op, `params mixes tensors and groups: entry ${i} is ${g instanceof Tensor ? 'a Tensor' : show(g)}; give a list of tensors or a list of { params, ... } groups`);
    }
    const ps = (g as { params: unknown }).params;
    if (ps === null || typeof ps !== 'object' || !(Symbol.iterator in ps)) throw new ArgumentError(op, `paramGroups[${i}].params must be a list of tensors, got ${show(ps)}`);
    return g as ParamGroupSpec<H>;
  });
}

export function checkHyper(op: string, name: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    // Infinity is never accepted, so an open upper end reads "a finite number >= min", not "[min, Infinity]".
    const want = max === Infinity ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`;
    throw new ArgumentError(op, `${name} must be ${want}, got ${String(v)}`);
  }
  return v;
}
