import { allocate, ArgumentError, DTypeError, formatShape, shapesEqual, ShapeError, sizeOf, Tensor } from '../tensor/index.js';
import { logSoftmax, softplus } from './activation.js';
import { add, clamp, div, log, mul, neg, square, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { reshape } from './shape.js';
import { checkFloat, checkNumber, checkOptions, checkTensor, describe, view } from './util.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
}

const options = <T extends object>(op: string, opts: unknown): Partial<T> => checkOptions(op, opts as Partial<T> | undefined);

function reductionOf(op: string, r: unknown): Reduction {
  const v = r ?? 'mean';
  if (v !== 'mean' && v !== 'sum' && v !== 'none') throw new ArgumentError(op, `reduction must be 'mean', 'sum' or 'none', got ${describe(v)}`);
  return v;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? loss : reduction === 'sum' ? sum(loss) : mean(loss);
}

/** Two float tensors of one shape (input first, named as in the op's signature). */
function samePair(op: string, a: unknown, b: unknown, names: [string, string]): [Tensor, Tensor] {
  const x = checkFloat(op, names[0], checkTensor(op, names[0], a));
  const y = checkFloat(op, names[1], checkTensor(op, names[1], b));
  if (!shapesEqual(x.shape, y.shape)) throw new ShapeError(op, `${names[1]} of the ${names[0]}'s shape ${formatShape(x.shape)}`, y.shape);
  return [x, y];
}

/** Mean (or summed) squared error, as torch.nn.functional.mse_loss. */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const reduction = reductionOf('mseLoss', options<LossOptions>('mseLoss', opts).reduction);
  const [x, y] = samePair('mseLoss', input, target, ['input', 'target']);
  return reduce(square(sub(x, y)), reduction);
}

/** The decks' cost J = ½ Σ (a − y)², summed over every element. */
export function halfSumSquaredError(output: Tensor, target: Tensor): Tensor {
  const [a, y] = samePair('halfSumSquaredError', output, target, ['output', 'target']);
  return mul(sum(square(sub(a, y))), 0.5);
}

export interface NllOptions extends LossOptions {
  /** Per-class weights [C]. */
  weight?: Tensor | null;
  /** Target value whose positions contribute neither loss nor gradient. */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  /** ε: the target becomes (1 − ε)·target + ε/C. */
  labelSmoothing?: number;
}

interface Resolved {
  reduction: Reduction;
  weight: Float64Array | null;
  ignoreIndex: number;
  smoothing: number;
}

function resolve(op: string, opts: unknown, C: number): Resolved {
  const o = options<CrossEntropyOptions>(op, opts);
  const reduction = reductionOf(op, o.reduction);
  let weight: Float64Array | null = null;
  if (o.weight != null) {
    const w = checkFloat(op, 'weight', checkTensor(op, 'weight', o.weight));
    if (w.rank !== 1 || w.shape[0] !== C) throw new ShapeError(op, `weight [${C}] (one per class)`, w.shape);
    weight = Float64Array.from(w.data);
  }
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new ArgumentError(op, `ignoreIndex must be an integer, got ${describe(ignoreIndex)}`);
  const smoothing = checkNumber(op, 'labelSmoothing', o.labelSmoothing ?? 0);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new ArgumentError(op, `labelSmoothing must be in [0, 1], got ${smoothing}`);
  return { reduction, weight, ignoreIndex, smoothing };
}

/** [N, C, d1...] scores; a rank-1 [C] input is one unbatched sample. */
function checkScores(op: string, name: string, x: unknown): Tensor {
  const t = checkFloat(op, name, checkTensor(op, name, x));
  if (t.rank < 1) throw new ShapeError(op, `${name} [N, C] or [N, C, d1, ...]`, t.shape);
  return t;
}

/**
 * The loss from class indices, from log-probabilities `logp` [N, C, D...]:
 * loss_i = −Σ_c coef_ic·logp_ic with coef = w_y(1 − ε)·[c = y] + (ε/C)·w_c, zero
 * on ignored positions; 'mean' divides by Σ w_y over the positions kept
 * (PyTorch's rule for nll_loss and cross_entropy).
 */
function indexLoss(op: string, logp: Tensor, target: Tensor, r: Resolved): Tensor {
  const [N, C] = logp.shape;
  const inner = logp.shape.slice(2);
  const expected = [N, ...inner];
  if (!shapesEqual(target.shape, expected)) {
    throw new ShapeError(op, `target ${formatShape(expected)} of class indices for input ${formatShape(logp.shape)}`, target.shape);
  }
  const D = sizeOf(inner);
  const coef = allocate(logp.dtype, logp.size);
  const w = (c: number) => (r.weight ? r.weight[c] : 1);
  let denom = 0;
  for (let i = 0; i < target.size; i++) {
    const y = target.data[i];
    if (y === r.ignoreIndex) continue;
    if (y < 0 || y >= C) throw new ArgumentError(op, `target class ${y} at position ${i} is outside [0, ${C})`);
    const n = Math.floor(i / D);
    const base = n * C * D + (i % D);
    for (let c = 0; c < C; c++) coef[base + c * D] = (r.smoothing / C) * w(c);
    coef[base + y * D] += (1 - r.smoothing) * w(y);
    denom += w(y);
  }
  const loss = neg(sum(mul(logp, new Tensor(coef, logp.shape)), { axis: 1 }));
  if (r.reduction === 'none') return loss;
  const total = sum(loss);
  return r.reduction === 'sum' ? total : div(total, denom);
}

/** The loss from class probabilities of the input's shape; 'mean' divides by the number of samples. */
function probabilityLoss(op: string, logp: Tensor, target: Tensor, r: Resolved): Tensor {
  checkFloat(op, 'target', target);
  const C = logp.shape[1];
  let t: Tensor = target;
  if (r.smoothing > 0) t = add(mul(t, 1 - r.smoothing), r.smoothing / C);
  if (r.weight) t = mul(t, view(new Tensor(allocFrom(logp, r.weight), [C]), logp.shape.map((d, i) => (i === 1 ? d : 1))));
  const loss = neg(sum(mul(logp, t), { axis: 1 }));
  return reduce(loss, r.reduction);
}

function allocFrom(like: Tensor, values: Float64Array): Float32Array | Float64Array | Int32Array {
  const d = allocate(like.dtype, values.length);
  d.set(values);
  return d;
}

/**
 * Normalise an unbatched [C] input to [1, C] (and its target to [1]) with the
 * differentiable reshape; the caller reshapes 'none' results back.
 */
function batched(x: Tensor, target: Tensor): [Tensor, Tensor, boolean] {
  if (x.rank !== 1) return [x, target, false];
  const t = target.rank === 0 ? reshape(target, [1]) : target.rank === 1 && target.dtype !== 'int32' ? reshape(target, [1, ...target.shape]) : target;
  return [reshape(x, [1, x.shape[0]]), t, true];
}

function lossFrom(op: string, logp: Tensor, target: Tensor, r: Resolved): Tensor {
  if (target.dtype === 'int32') return indexLoss(op, logp, target, r);
  if (!shapesEqual(target.shape, logp.shape)) {
    // A float target of index shape is almost always class labels made without dtype 'int32': say so.
    const indexShape = [logp.shape[0], ...logp.shape.slice(2)];
    if (shapesEqual(target.shape, indexShape)) {
      throw new DTypeError(op, `int32 class indices for a target of shape ${formatShape(target.shape)} (make labels with tensor(labels, { dtype: 'int32' })), or float probabilities of shape ${formatShape(logp.shape)}`, target.dtype);
    }
    throw new ShapeError(op, `target of int32 class indices [N, d1, ...] or of probabilities ${formatShape(logp.shape)}`, target.shape);
  }
  if (r.ignoreIndex !== -100) throw new ArgumentError(op, 'ignoreIndex applies only to class-index targets');
  return probabilityLoss(op, logp, target, r);
}

/**
 * Cross-entropy between logits [N, C, d1...] and class indices (int32) or
 * class probabilities, as torch.nn.functional.cross_entropy: log-softmax over
 * the class axis 1, then the negative log-likelihood, with optional class
 * weights, ignoreIndex and label smoothing.
 */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const x0 = checkScores(op, 'logits', logits);
  const t0 = checkTensor(op, 'target', target);
  const [x, t, unbatched] = batched(x0, t0);
  const r = resolve(op, opts, x.shape[1]);
  const out = lossFrom(op, logSoftmax(x, 1), t, r);
  return unbatched && r.reduction === 'none' ? reshape(out, []) : out;
}

/** Negative log-likelihood of log-probabilities [N, C, d1...] at int32 class indices (torch's nll_loss). */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  const op = 'nllLoss';
  const x0 = checkScores(op, 'logProbs', logProbs);
  const t0 = checkTensor(op, 'target', target);
  if (t0.dtype !== 'int32') throw new DTypeError(op, 'int32 class indices for target', t0.dtype);
  const [x, t, unbatched] = batched(x0, t0);
  const o = options<NllOptions>(op, opts);
  const r = resolve(op, { reduction: o.reduction, weight: o.weight, ignoreIndex: o.ignoreIndex }, x.shape[1]);
  const out = indexLoss(op, x, t, r);
  return unbatched && r.reduction === 'none' ? reshape(out, []) : out;
}

export interface BCEOptions extends LossOptions {
  /** Per-element weights, broadcast against the input. */
  weight?: Tensor | null;
}

function weighted(op: string, loss: Tensor, weight: unknown): Tensor {
  if (weight == null) return loss;
  return mul(loss, checkFloat(op, 'weight', checkTensor(op, 'weight', weight)));
}

/**
 * −(t·log p + (1 − t)·log(1 − p)) on probabilities in [0, 1]; each log is
 * clamped at −100, as PyTorch does, so p = 0 or 1 gives a finite loss.
 */
export function binaryCrossEntropy(probs: Tensor, target: Tensor, opts: BCEOptions = {}): Tensor {
  const op = 'binaryCrossEntropy';
  const o = options<BCEOptions>(op, opts);
  const reduction = reductionOf(op, o.reduction);
  const [p, t] = samePair(op, probs, target, ['probs', 'target']);
  for (let i = 0; i < p.size; i++) {
    const v = p.data[i];
    if (!(v >= 0 && v <= 1)) throw new ArgumentError(op, `probs must lie in [0, 1], got ${v} at position ${i}`);
  }
  const logP = clamp(log(p), -100);
  const log1mP = clamp(log(sub(1, p)), -100);
  const loss = neg(add(mul(t, logP), mul(sub(1, t), log1mP)));
  return reduce(weighted(op, loss, o.weight), reduction);
}

export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of the positive term, per class (broadcast over the last axis). */
  posWeight?: Tensor | null;
}

/**
 * Sigmoid + binary cross-entropy in one stable expression:
 * (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x), never taking log of 0 or exp of a large x.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, opts: BCEWithLogitsOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  const o = options<BCEWithLogitsOptions>(op, opts);
  const reduction = reductionOf(op, o.reduction);
  const [x, t] = samePair(op, logits, target, ['logits', 'target']);
  let logWeight: Tensor | number = 1;
  if (o.posWeight != null) {
    const pw = checkFloat(op, 'posWeight', checkTensor(op, 'posWeight', o.posWeight));
    const last = x.shape[x.rank - 1];
    if (pw.rank > 1 || (pw.rank === 1 && pw.shape[0] !== last && pw.shape[0] !== 1)) {
      throw new ShapeError(op, `posWeight [${last ?? 1}] (one per class on the last axis)`, pw.shape);
    }
    logWeight = add(mul(sub(pw, 1), t), 1);
  }
  const loss = add(mul(sub(1, t), x), mul(logWeight, softplus(neg(x))));
  return reduce(weighted(op, loss, o.weight), reduction);
}
