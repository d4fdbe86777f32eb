import { ArgumentError, Tensor } from '../tensor/index.js';

/** Per-parameter optimiser state (momentum buffers, Adam moments), as plain typed arrays. */
export type ParamState = Record<string, Float32Array | Float64Array | number>;

export interface OptimizerStateDict {
  type: string;
  lr: number;
  stepCount: number;
  /** One entry per parameter, in the order given to the constructor. */
  state: Record<string, number[] | number>[];
}

/**
 * Base optimiser over a flat list of parameters. Updates run on the raw data
 * (no graph is recorded) and bump each parameter's version so caches of packed
 * weights refresh.
 */
export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  stepCount = 0;
  protected readonly state: ParamState[];

  constructor(params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    if (this.params.length === 0) throw new ArgumentError(this.constructor.name, 'got an empty parameter list');
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ArgumentError(this.constructor.name, `parameter ${i} is not a Tensor`);
      if (p.dtype === 'int32') throw new ArgumentError(this.constructor.name, `parameter ${i} has dtype int32; only float parameters can be optimised`);
    });
    checkHyper(this.constructor.name, 'lr', lr, 0);
    this.lr = lr;
    this.state = this.params.map(() => ({}));
  }

  /** Apply one update from the current gradients; parameters without a gradient are skipped. */
  step(): void {
    this.stepCount++;
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      this.update(p.data, p.grad.data, this.state[i]);
      p.markModified();
    });
  }

  protected abstract update(w: Float32Array | Float64Array | Int32Array, g: ArrayLike<number>, s: ParamState): void;

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
    };
  }

  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.type !== this.constructor.name) throw new ArgumentError('Optimizer.loadStateDict', `state is for ${sd.type}, this optimiser is ${this.constructor.name}`);
    if (!Array.isArray(sd.state) || sd.state.length !== this.params.length) {
      throw new ArgumentError('Optimizer.loadStateDict', `state has ${sd.state?.length} parameters, the optimiser has ${this.params.length}`);
    }
    sd.state.forEach((s, i) => {
      for (const [k, v] of Object.entries(s)) {
        if (Array.isArray(v) && v.length !== this.params[i].size) {
          throw new ArgumentError('Optimizer.loadStateDict', `state "${k}" of parameter ${i} has ${v.length} values, the parameter has ${this.params[i].size}`);
        }
      }
    });
    this.lr = sd.lr;
    this.stepCount = sd.stepCount;
    sd.state.forEach((s, i) => {
      const isF64 = this.params[i].dtype === 'float64';
      this.state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : isF64 ? Float64Array.from(v) : Float32Array.from(v)]));
    });
  }
}

export function checkHyper(op: string, name: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    // Infinity is never accepted, so an open upper end reads "a finite number >= min", not "[min, Infinity]".
    const want = max === Infinity ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`;
    throw new ArgumentError(op, `${name} must be ${want}, got ${String(v)}`);
  }
  return v;
}
