import { ArgumentError, type Tensor } from '../tensor/index.js';
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, halfSumSquaredError, mseLoss, nllLoss,
  type BCEOptions, type BCEWithLogitsOptions, type CrossEntropyOptions, type LossOptions, type NllOptions,
} from '../ops/index.js';

/**
 * A loss is any function of (prediction, target) returning a scalar tensor:
 * the built-in ones below, or a user's own made of differentiable ops.
 */
export type LossFn = (prediction: Tensor, target: Tensor) => Tensor;

export const MSELoss = (opts: LossOptions = {}): LossFn => (p, t) => mseLoss(p, t, opts);
/** The decks' J = ½ Σ (a − y)². */
export const HalfSumSquaredError = (): LossFn => (p, t) => halfSumSquaredError(p, t);
export const CrossEntropyLoss = (opts: CrossEntropyOptions = {}): LossFn => (p, t) => crossEntropy(p, t, opts);
export const NLLLoss = (opts: NllOptions = {}): LossFn => (p, t) => nllLoss(p, t, opts);
export const BCELoss = (opts: BCEOptions = {}): LossFn => (p, t) => binaryCrossEntropy(p, t, opts);
export const BCEWithLogitsLoss = (opts: BCEWithLogitsOptions = {}): LossFn => (p, t) => binaryCrossEntropyWithLogits(p, t, opts);

/** Look a loss up by the names the CLI and configs use. */
export function lossByName(name: string): LossFn {
  switch (name) {
    case 'crossEntropy':
    case 'cross-entropy':
      return CrossEntropyLoss();
    case 'mse':
      return MSELoss();
    case 'nll':
      return NLLLoss();
    case 'bce':
      return BCELoss();
    case 'bceWithLogits':
      return BCEWithLogitsLoss();
    default:
      return unknownLoss(name);
  }
}

function unknownLoss(name: string): never {
  throw new ArgumentError('lossByName', `unknown loss "${name}" (known: crossEntropy, mse, nll, bce, bceWithLogits)`);
}
