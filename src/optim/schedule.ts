import { ArgumentError } from '../tensor/index.js';
import type { Optimizer } from './optimizer.js';

/**
 * Learning-rate schedules in closed form: lr is a function of the step count
 * alone, so saving `lastStep` is enough to resume exactly. Call step() once per
 * epoch or once per batch, whichever the schedule was built for.
 */
export abstract class LRScheduler {
  lastStep = 0;
  readonly baseLr: number;
  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  abstract lrAt(step: number): number;
  step(): void {
    this.lastStep++;
    this.optimizer.lr = this.lrAt(this.lastStep);
  }
  stateDict(): { lastStep: number } {
    return { lastStep: this.lastStep };
  }
  loadStateDict(s: { lastStep: number }): void {
    if (!Number.isInteger(s?.lastStep) || s.lastStep < 0) throw new ArgumentError(this.constructor.name, `lastStep must be a non-negative integer, got ${String(s?.lastStep)}`);
    this.lastStep = s.lastStep;
    this.optimizer.lr = this.lrAt(this.lastStep);
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
  lrAt(t: number): number {
    return this.baseLr * Math.pow(this.gamma, Math.floor(t / this.stepSize));
  }
}

/** lr = base · γ^step */
export class ExponentialLR extends LRScheduler {
  constructor(opt: Optimizer, readonly gamma: number) {
    super(opt);
    positive('ExponentialLR', 'gamma', gamma);
  }
  lrAt(t: number): number {
    return this.baseLr * Math.pow(this.gamma, t);
  }
}

/** Half a cosine from base down to etaMin over tMax steps, then flat. */
export class CosineAnnealingLR extends LRScheduler {
  constructor(opt: Optimizer, readonly tMax: number, readonly etaMin = 0) {
    super(opt);
    positive('CosineAnnealingLR', 'tMax', tMax);
  }
  lrAt(t: number): number {
    const c = Math.min(t, this.tMax);
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * c) / this.tMax))) / 2;
  }
}

/** Linear ramp from startFactor·base to base over warmupSteps, then constant. */
export class LinearWarmup extends LRScheduler {
  constructor(opt: Optimizer, readonly warmupSteps: number, readonly startFactor = 0.1) {
    super(opt);
    positive('LinearWarmup', 'warmupSteps', warmupSteps);
    opt.lr = this.lrAt(0);
  }
  lrAt(t: number): number {
    const f = Math.min(t / this.warmupSteps, 1);
    return this.baseLr * (this.startFactor + (1 - this.startFactor) * f);
  }
}

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  pctStart?: number;
  divFactor?: number;
  finalDivFactor?: number;
}

/**
 * Smith's one-cycle policy with cosine annealing (torch's OneCycleLR, momentum
 * cycling left out): up from maxLr/divFactor to maxLr, then down to
 * maxLr/(divFactor·finalDivFactor).
 */
export class OneCycleLR extends LRScheduler {
  readonly opts: Required<OneCycleOptions>;
  constructor(opt: Optimizer, opts: OneCycleOptions) {
    super(opt);
    positive('OneCycleLR', 'maxLr', opts.maxLr);
    positive('OneCycleLR', 'totalSteps', opts.totalSteps);
    this.opts = { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4, ...opts };
    opt.lr = this.lrAt(0);
  }
  lrAt(t: number): number {
    const { maxLr, totalSteps, pctStart, divFactor, finalDivFactor } = this.opts;
    const initial = maxLr / divFactor;
    const final = initial / finalDivFactor;
    const up = pctStart * totalSteps - 1;
    const cos = (a: number, b: number, p: number) => b + ((a - b) * (1 + Math.cos(Math.PI * Math.min(Math.max(p, 0), 1)))) / 2;
    if (t <= up) return cos(initial, maxLr, t / up);
    return cos(maxLr, final, (t - up) / (totalSteps - 1 - up));
  }
}
