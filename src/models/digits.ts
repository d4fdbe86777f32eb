import { ReceptiveError, Tensor, zeros } from '../tensor/index.js';
import { interpolate, pad } from '../ops/index.js';
import { MNIST_MEAN, MNIST_STD } from '../data/mnist.js';
import type { Module } from '../nn/index.js';
import { getModelEntry } from './registry.js';

/*
 * Training the zoo on 28×28 grey digits: every model is built with
 * numClasses 10 and (for the 3-channel ImageNet/CIFAR models) inChannels 1, a
 * config the checkpoint records, so eval and resume rebuild the same model. A
 * model that cannot take 28×28 gets its input adapted by a forward pre-hook
 * (so training, eval and predict all see the same thing, and the state dict
 * keeps its keys): zero-padded up to 32 (CIFAR ResNets, VGG), resized beyond
 * (AlexNet's 63).
 */

/** The config a registered model is built with for digits (the CLI, the lab): LeNet-5 keeps its variant; other models 10 classes and one channel. */
export function digitModelConfig(name: string, variant = 'modern'): Record<string, unknown> {
  if (name === 'lenet5') return { variant };
  return getModelEntry(name).inputShape[1] === 1 ? { numClasses: 10 } : { inChannels: 1, numClasses: 10 };
}

export interface InputAdaptation {
  kind: 'none' | 'pad' | 'resize';
  /** Side of the square input the model gets. */
  size: number;
}

/** Padding only up to this side; larger gaps are resized (padding 28 → 63 would leave the digit a small patch). */
const MAX_PAD_SIDE = 32;

/**
 * What a model needs for a side×side input: its designed size when that is
 * small (a CIFAR net's 32), else the smallest size it accepts, found by one
 * forward at `side` (models refuse a too-small input up front, naming the minimum).
 */
export function inputAdaptationFor(name: string, model: Module, side = 28): InputAdaptation {
  const designed = getModelEntry(name).inputShape[2];
  const target = designed <= MAX_PAD_SIDE ? designed : minimumSide(model, side);
  if (target <= side) return { kind: 'none', size: side };
  return { kind: target <= MAX_PAD_SIDE ? 'pad' : 'resize', size: target };
}

function minimumSide(model: Module, side: number): number {
  const channels = (model as unknown as { config?: { inChannels?: number } }).config?.inChannels ?? 1;
  try {
    model.predict(zeros([1, channels, side, side]));
    return side;
  } catch (e) {
    const m = e instanceof ReceptiveError ? /at least (\d+)x(\d+)/.exec(e.message) : null;
    if (!m) throw e;
    return Math.max(Number(m[1]), Number(m[2]));
  }
}

const ADAPTED = new WeakMap<Module, InputAdaptation>();

/** The adaptation adaptModelInput gave this model, if any. */
export function adaptationOf(model: Module): InputAdaptation | undefined {
  return ADAPTED.get(model);
}

/** Register the adaptation as a forward pre-hook; returns it (kind 'none' registers nothing). */
export function adaptModelInput(name: string, model: Module, side = 28): InputAdaptation {
  const a = inputAdaptationFor(name, model, side);
  ADAPTED.set(model, a);
  if (a.kind === 'none') return a;
  // The digits' background is 0 before normalisation: pad with its normalised value.
  const background = -MNIST_MEAN / MNIST_STD;
  model.registerForwardPreHook((_m, inputs) => {
    const x = inputs[0];
    if (!(x instanceof Tensor) || x.rank !== 4 || (x.shape[2] >= a.size && x.shape[3] >= a.size)) return undefined;
    if (a.kind === 'resize') return [interpolate(x, { size: [a.size, a.size], mode: 'bilinear' }), ...inputs.slice(1)];
    const [h, w] = [x.shape[2], x.shape[3]];
    const ph = Math.max(0, a.size - h);
    const pw = Math.max(0, a.size - w);
    return [pad(x, [[ph >> 1, ph - (ph >> 1)], [pw >> 1, pw - (pw >> 1)]], background), ...inputs.slice(1)];
  });
  return a;
}

/** One-line description of an adaptation, for the training log. */
export function describeAdaptation(a: InputAdaptation, side = 28): string {
  if (a.kind === 'none') return `input ${side}x${side} as it is`;
  return `input ${side}x${side} ${a.kind === 'pad' ? 'zero-padded' : 'resized (bilinear)'} to ${a.size}x${a.size}`;
}
