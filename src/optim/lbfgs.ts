import { ArgumentError, show, Tensor } from '../tensor/index.js';
import { checkHyper } from './optimizer.js';
import { absMax, dot, strongWolfe, type Vec } from './line-search.js';

export interface LBFGSOptions {
  /** Step length (the first iteration's step is scaled by min(1, 1/‖g‖₁) as PyTorch). Default 1. */
  lr?: number;
  /** Iterations per step() call. Default 20. */
  maxIter?: number;
  /** Closure evaluations per step() call. Default maxIter × 5/4. */
  maxEval?: number;
  /** Stop when the largest gradient entry is at most this. Default 1e-7. */
  toleranceGrad?: number;
  /** Stop when f or the parameters change less than this. Default 1e-9. */
  toleranceChange?: number;
  /** Correction pairs kept. Default 100. */
  historySize?: number;
  /** 'strongWolfe', or none (fixed step lr). Default none. */
  lineSearch?: 'strongWolfe' | null;
}

/**
 * L-BFGS (Nocedal 1980; Liu & Nocedal 1989) as torch.optim.LBFGS: the two-loop
 * recursion over the last historySize (s, y) pairs, optional strong-Wolfe line
 * search, one parameter group. Unlike the first-order optimisers it needs the
 * function itself: step(closure) calls closure() (which computes the loss, runs
 * backward and returns the loss) several times. The gradients are cleared before
 * each call, so the closure need not do it. Arithmetic is in float64.
 */
export class LBFGS {
  readonly params: Tensor[];
  readonly lr: number;
  readonly maxIter: number;
  /** May be changed between step() calls (e.g. to spend a fixed budget of evaluations). */
  maxEval: number;
  readonly toleranceGrad: number;
  readonly toleranceChange: number;
  readonly historySize: number;
  readonly lineSearch: 'strongWolfe' | null;
  /** Closure evaluations and iterations over all step() calls. */
  funcEvals = 0;
  nIter = 0;
  private d: Vec | null = null;
  private t = 0;
  private oldDirs: Vec[] = [];
  private oldSteps: Vec[] = [];
  private ro: number[] = [];
  private hDiag = 1;
  private prevFlatGrad: Vec | null = null;
  private readonly numel: number;

  constructor(params: Iterable<Tensor>, opts: LBFGSOptions = {}) {
    const op = 'LBFGS';
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) throw new ArgumentError(op, `params must be a list of tensors, got ${show(params)}`);
    this.params = [...params];
    if (this.params.length === 0) throw new ArgumentError(op, 'got an empty parameter list');
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ArgumentError(op, `parameter ${i} is not a Tensor, got ${show(p)}`);
      if (p.dtype === 'int32') throw new ArgumentError(op, `parameter ${i} has dtype int32; only float parameters can be optimised`);
    });
    this.lr = checkHyper(op, 'lr', opts.lr ?? 1, 0);
    this.maxIter = checkHyper(op, 'maxIter', opts.maxIter ?? 20, 1);
    this.maxEval = checkHyper(op, 'maxEval', opts.maxEval ?? Math.floor((this.maxIter * 5) / 4), 1);
    this.toleranceGrad = checkHyper(op, 'toleranceGrad', opts.toleranceGrad ?? 1e-7, 0);
    this.toleranceChange = checkHyper(op, 'toleranceChange', opts.toleranceChange ?? 1e-9, 0);
    this.historySize = checkHyper(op, 'historySize', opts.historySize ?? 100, 1);
    const ls = opts.lineSearch ?? null;
    if (ls !== null && ls !== 'strongWolfe') throw new ArgumentError(op, `lineSearch must be 'strongWolfe' or null, got ${show(ls)}`);
    this.lineSearch = ls;
    this.numel = this.params.reduce((n, p) => n + p.size, 0);
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  private flatGrad(): Vec {
    const g = new Float64Array(this.numel);
    let o = 0;
    for (const p of this.params) {
      if (p.grad) g.set(p.grad.data, o);
      o += p.size;
    }
    return g;
  }

  private addToParams(t: number, d: Vec): void {
    let o = 0;
    for (const p of this.params) {
      const w = p.data;
      for (let i = 0; i < p.size; i++) w[i] += t * d[o + i];
      o += p.size;
      p.markModified();
    }
  }

  private evaluate(closure: () => number): { f: number; g: Vec } {
    this.zeroGrad();
    const f = Number(closure());
    if (!Number.isFinite(f)) throw new ArgumentError('LBFGS', `the closure returned ${f}; it must return the loss as a finite number`);
    return { f, g: this.flatGrad() };
  }

  /** Run up to maxIter iterations; returns the loss at the parameters step() started from. */
  step(closure: () => number): number {
    if (typeof closure !== 'function') throw new ArgumentError('LBFGS', 'step needs a closure that computes the loss, runs backward and returns the loss');
    let { f: loss, g: flatGrad } = this.evaluate(closure);
    const origLoss = loss;
    let evals = 1;
    this.funcEvals++;
    if (absMax(flatGrad) <= this.toleranceGrad) return origLoss;
    let n = 0;
    while (n < this.maxIter) {
      n++;
      this.nIter++;
      let d: Vec;
      if (this.nIter === 1) {
        d = flatGrad.map((v) => -v);
        [this.oldDirs, this.oldSteps, this.ro, this.hDiag] = [[], [], [], 1];
      } else {
        const y = flatGrad.map((v, i) => v - this.prevFlatGrad![i]);
        const s = this.d!.map((v) => v * this.t);
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (this.oldDirs.length === this.historySize) [this.oldDirs, this.oldSteps, this.ro].forEach((a) => a.shift());
          this.oldDirs.push(y);
          this.oldSteps.push(s);
          this.ro.push(1 / ys);
          this.hDiag = ys / dot(y, y);
        }
        // Two-loop recursion: d = −H·g with H the L-BFGS inverse-Hessian estimate.
        const k = this.oldDirs.length;
        const al = new Array<number>(k);
        const q = flatGrad.map((v) => -v);
        for (let i = k - 1; i >= 0; i--) {
          al[i] = dot(this.oldSteps[i], q) * this.ro[i];
          const yi = this.oldDirs[i];
          for (let j = 0; j < q.length; j++) q[j] -= al[i] * yi[j];
        }
        d = q.map((v) => v * this.hDiag);
        for (let i = 0; i < k; i++) {
          const be = dot(this.oldDirs[i], d) * this.ro[i];
          const si = this.oldSteps[i];
          for (let j = 0; j < d.length; j++) d[j] += (al[i] - be) * si[j];
        }
      }
      this.d = d;
      this.prevFlatGrad = Float64Array.from(flatGrad);
      const prevLoss = loss;
      let gl1 = 0;
      for (const v of flatGrad) gl1 += Math.abs(v);
      this.t = this.nIter === 1 ? Math.min(1, 1 / gl1) * this.lr : this.lr;
      const gtd = dot(flatGrad, d);
      if (gtd > -this.toleranceChange) break;
      let lsEvals = 0;
      let optimal = false;
      if (this.lineSearch === 'strongWolfe') {
        const evalAt = (t: number) => {
          this.addToParams(t, d);
          const r = this.evaluate(closure);
          this.addToParams(-t, d);
          return r;
        };
        const r = strongWolfe(evalAt, this.t, d, loss, flatGrad, gtd);
        [loss, flatGrad, this.t, lsEvals] = [r.f, r.g, r.t, r.evals];
        this.addToParams(this.t, d);
        optimal = absMax(flatGrad) <= this.toleranceGrad;
      } else {
        this.addToParams(this.t, d);
        if (n !== this.maxIter) {
          ({ f: loss, g: flatGrad } = this.evaluate(closure));
          optimal = absMax(flatGrad) <= this.toleranceGrad;
          lsEvals = 1;
        }
      }
      evals += lsEvals;
      this.funcEvals += lsEvals;
      if (n === this.maxIter || evals >= this.maxEval || optimal) break;
      if (absMax(d) * Math.abs(this.t) <= this.toleranceChange) break;
      if (Math.abs(loss - prevLoss) < this.toleranceChange) break;
    }
    return origLoss;
  }
}
