import { ArgumentError, show } from '../tensor/index.js';
import type { Optimizer } from './optimizer.js';

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** Each reduction multiplies every group's lr by factor (< 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before a reduction. Default 10. */
  patience?: number;
  /** How much better counts as better (relative or absolute, see thresholdMode). Default 1e-4. */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs after a reduction during which bad epochs are not counted. Default 0. */
  cooldown?: number;
  /** The floor of the lr: one number or one per group. Default 0. */
  minLr?: number | readonly number[];
  /** A reduction smaller than eps is skipped. Default 1e-8. */
  eps?: number;
}

export interface ReduceLROnPlateauState {
  /** Metrics seen (PyTorch's last_epoch). */
  lastStep: number;
  /** The best metric so far; null before the first (JSON has no Infinity). */
  best: number | null;
  numBadEpochs: number;
  cooldownCounter: number;
}

/**
 * Cut the learning rate when a metric stops improving (torch.optim.lr_scheduler.
 * ReduceLROnPlateau, same rules and defaults): call step(metric) once per
 * epoch, usually with the validation loss. After more than `patience` epochs
 * without an improvement every group's lr is multiplied by `factor` (not below
 * minLr), then `cooldown` epochs pass before bad epochs count again. Not a
 * closed-form schedule: its state (best, counters) is saved, and the lrs
 * themselves live in the optimiser's state.
 */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: readonly number[];
  readonly eps: number;
  lastStep = 0;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(readonly optimizer: Optimizer, opts: ReduceLROnPlateauOptions = {}) {
    const op = 'ReduceLROnPlateau';
    if (opts === null || typeof opts !== 'object') throw new ArgumentError(op, `options must be an object, got ${show(opts)}`);
    this.mode = opts.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') throw new ArgumentError(op, `mode must be 'min' or 'max', got ${show(opts.mode)}`);
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new ArgumentError(op, `thresholdMode must be 'rel' or 'abs', got ${show(opts.thresholdMode)}`);
    this.factor = opts.factor ?? 0.1;
    if (typeof this.factor !== 'number' || !(this.factor >= 0 && this.factor < 1)) throw new ArgumentError(op, `factor must be a number in [0, 1), got ${show(opts.factor)}`);
    this.patience = count(op, 'patience', opts.patience ?? 10);
    this.cooldown = count(op, 'cooldown', opts.cooldown ?? 0);
    this.threshold = nonNegative(op, 'threshold', opts.threshold ?? 1e-4);
    this.eps = nonNegative(op, 'eps', opts.eps ?? 1e-8);
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw new ArgumentError(op, `minLr lists ${minLr.length} values, the optimiser has ${n} parameter groups`);
      this.minLrs = minLr.map((m, i) => nonNegative(op, `minLr[${i}]`, m));
    } else this.minLrs = new Array<number>(n).fill(nonNegative(op, 'minLr', minLr));
    this.best = this.worst();
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (1 + t) : a > best + t;
  }

  /** Record one epoch's metric; reduces the lrs when the plateau has lasted long enough. */
  step(metric: number): void {
    // NaN is accepted and never better (as PyTorch): a diverged loss counts as a bad epoch.
    if (typeof metric !== 'number') throw new ArgumentError('ReduceLROnPlateau.step', `metric must be a number, got ${show(metric)}`);
    this.lastStep++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  stateDict(): ReduceLROnPlateauState {
    return { lastStep: this.lastStep, best: Number.isFinite(this.best) ? this.best : null, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter };
  }

  loadStateDict(s: ReduceLROnPlateauState): void {
    const op = 'ReduceLROnPlateau.loadStateDict';
    if (s === null || typeof s !== 'object') throw new ArgumentError(op, `state must be an object, got ${show(s)}`);
    const lastStep = count(op, 'lastStep', s.lastStep);
    const bad = count(op, 'numBadEpochs', s.numBadEpochs);
    const cool = count(op, 'cooldownCounter', s.cooldownCounter);
    if (s.best !== null && (typeof s.best !== 'number' || !Number.isFinite(s.best))) throw new ArgumentError(op, `best must be a finite number or null, got ${show(s.best)}`);
    this.lastStep = lastStep;
    this.numBadEpochs = bad;
    this.cooldownCounter = cool;
    this.best = s.best ?? this.worst();
  }
}

function count(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ArgumentError(op, `${name} must be an integer >= 0, got ${show(v)}`);
  return v;
}

function nonNegative(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ArgumentError(op, `${name} must be a finite number >= 0, got ${show(v)}`);
  return v;
}
