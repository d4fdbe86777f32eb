import { ArgumentError } from '../tensor/index.js';
import type { Optimizer } from './optimizer.js';

/**
 * Learning-rate schedules in closed form: lr is a function of the step count
 * alone, so saving `lastStep` is enough to resume exactly. Call step() once per
 * epoch or once per batch, whichever the schedule was built for. With parameter
 * groups, each group follows the schedule from its own initial lr (as PyTorch's
 * schedulers scale each group's initial_lr), so their ratios are kept.
 */
export abstract class LRScheduler {
  lastStep = 0;
  /** The first group's lr when the schedule was built. */
  readonly baseLr: number;
  /** Every group's lr when the schedule was built. */
  readonly baseLrs: readonly number[];
  constructor(readonly optimizer: Optimizer) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.baseLr = this.baseLrs[0];
  }
  /** The lr at `step` for a group that started at `baseLr` (default: the first group's). */
  abstract lrAt(step: number, baseLr?: number): number;
  /** Every group's lr at `step`. */
  lrsAt(step: number): number[] {
    return this.baseLrs.map((b) => this.lrAt(step, b));
  }
  protected apply(step: number): void {
    const lrs = this.lrsAt(step);
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
  }
  step(): void {
    this.lastStep++;
    this.apply(this.lastStep);
  }
  stateDict(): { lastStep: number } {
    return { lastStep: this.lastStep };
  }
  loadStateDict(s: { lastStep: number }): void {
    if (!Number.isInteger(s?.lastStep) || s.lastStep < 0) throw new ArgumentError(this.constructor.name, `lastStep must be a non-negative integer, got ${String(s?.lastStep)}`);
    this.lastStep = s.lastStep;
    this.apply(this.lastStep);
  }
}

function positive(op: string, name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new ArgumentError(op, `${name} must be a positive number, got ${v}`);
  return v;
}

/** lr = base · γ^⌊step / stepSize⌋ */
export class StepLR extends LRScheduler {
  constructor(opt: Optimizer, readonly stepSize: number, readonly gamma = 0.1) {
    super(opt);
    positive('StepLR', 'stepSize', stepSize);
  }
  lrAt(t: number, base = this.baseLr): number {
    return base * Math.pow(this.gamma, Math.floor(t / this.stepSize));
  }
}

/** lr = base · γ^step */
export class ExponentialLR extends LRScheduler {
  constructor(opt: Optimizer, readonly gamma: number) {
    super(opt);
    positive('ExponentialLR', 'gamma', gamma);
  }
  lrAt(t: number, base = this.baseLr): number {
    return base * Math.pow(this.gamma, t);
  }
}

/** Half a cosine from base down to etaMin over tMax steps, then flat (etaMin is the same for every group, as PyTorch). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(opt: Optimizer, readonly tMax: number, readonly etaMin = 0) {
    super(opt);
    positive('CosineAnnealingLR', 'tMax', tMax);
  }
  lrAt(t: number, base = this.baseLr): number {
    const c = Math.min(t, this.tMax);
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * c) / this.tMax))) / 2;
  }
}

/** Linear ramp from startFactor·base to base over warmupSteps, then constant. */
export class LinearWarmup extends LRScheduler {
  constructor(opt: Optimizer, readonly warmupSteps: number, readonly startFactor = 0.1) {
    super(opt);
    positive('LinearWarmup', 'warmupSteps', warmupSteps);
    this.apply(0);
  }
  lrAt(t: number, base = this.baseLr): number {
    const f = Math.min(t / this.warmupSteps, 1);
    return base * (this.startFactor + (1 - this.startFactor) * f);
  }
}

export interface OneCycleOptions {
  /** The peak lr: one number (the first group's; other groups peak in proportion to their initial lr) or one per group. */
  maxLr: number | readonly number[];
  totalSteps: number;
  pctStart?: number;
  divFactor?: number;
  finalDivFactor?: number;
}

/**
 * Smith's one-cycle policy with cosine annealing (torch's OneCycleLR, momentum
 * cycling left out): up from maxLr/divFactor to maxLr, then down to
 * maxLr/(divFactor·finalDivFactor). A single maxLr with several groups scales
 * each group's peak by its initial lr over the first group's (PyTorch would give
 * every group the same peak; pass a list for that).
 */
export class OneCycleLR extends LRScheduler {
  readonly opts: Required<OneCycleOptions>;
  /** Each group's peak lr. */
  readonly maxLrs: readonly number[];
  constructor(opt: Optimizer, opts: OneCycleOptions) {
    super(opt);
    const n = this.baseLrs.length;
    if (Array.isArray(opts.maxLr)) {
      if (opts.maxLr.length !== n) throw new ArgumentError('OneCycleLR', `maxLr lists ${opts.maxLr.length} values, the optimiser has ${n} parameter groups`);
      opts.maxLr.forEach((m, i) => positive('OneCycleLR', `maxLr[${i}]`, m));
      this.maxLrs = [...opts.maxLr];
    } else {
      const m = positive('OneCycleLR', 'maxLr', opts.maxLr as number);
      this.maxLrs = this.baseLrs.map((b, i) => (i === 0 || !(this.baseLr > 0) ? m : (m * b) / this.baseLr));
    }
    positive('OneCycleLR', 'totalSteps', opts.totalSteps);
    this.opts = { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4, ...opts };
    this.apply(0);
  }
  /** The lr at step t for a group that started at `base` (its peak in proportion to the first group's). */
  lrAt(t: number, base = this.baseLr): number {
    return this.cycle(t, base === this.baseLr || !(this.baseLr > 0) ? this.maxLrs[0] : (this.maxLrs[0] * base) / this.baseLr);
  }
  override lrsAt(t: number): number[] {
    return this.maxLrs.map((m) => this.cycle(t, m));
  }
  private cycle(t: number, maxLr: number): number {
    const { totalSteps, pctStart, divFactor, finalDivFactor } = this.opts;
    const initial = maxLr / divFactor;
    const final = initial / finalDivFactor;
    const up = pctStart * totalSteps - 1;
    const cos = (a: number, b: number, p: number) => b + ((a - b) * (1 + Math.cos(Math.PI * Math.min(Math.max(p, 0), 1)))) / 2;
    if (t <= up) return cos(initial, maxLr, t / up);
    return cos(maxLr, final, (t - up) / (totalSteps - 1 - up));
  }
}
