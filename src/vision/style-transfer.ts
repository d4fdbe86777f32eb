/*
 * Neural style transfer (Gatys, Ecker & Bethge 2016): optimise the pixels of an
 * image so that a fixed network's deep features match the content photo and the
 * Gram matrices of several layers match the style image. Any Module serves as
 * the network: the chosen layers are read through forward hooks by module path.
 */
import { ArgumentError, ReceptiveError, RNG, Tensor } from '../tensor/index.js';
import { add, mul, reshape } from '../ops/index.js';
import { backward, noGrad } from '../autograd/index.js';
import { Adam } from '../optim/adam.js';
import { LBFGS } from '../optim/lbfgs.js';
import { relu, sigmoid } from '../ops/activation.js';
import type { AnyModule } from '../nn/module.js';
import { moduleAt, outputTensor } from '../viz/inspect.js';
import { resize } from '../data/image.js';
import { contentLoss, gramMatrix, styleLoss, totalVariation } from './style-losses.js';

/** Thrown from a hook once every wanted layer has run, so the rest of the network is skipped. */
class EnoughLayers extends Error {}

export interface FeatureExtractorOptions {
  /** Maps an image batch [N, 3, H, W] in [0, 1] to the network's input (e.g. ImageNet normalisation). */
  preprocess?: (x: Tensor) => Tensor;
  /** Apply ReLU to the captured outputs (for networks whose activations are not modules of their own). */
  relu?: boolean;
}

/**
 * The outputs of chosen layers of a frozen network, by module path. The network
 * runs only as far as the last layer needed; gradients flow to the input.
 */
export class FeatureExtractor {
  readonly layers: readonly string[];
  constructor(readonly model: AnyModule, layers: readonly string[], readonly opts: FeatureExtractorOptions = {}) {
    if (!layers.length) throw new ArgumentError('FeatureExtractor', 'give at least one layer (a module path)');
    for (const l of layers) moduleAt(model, l, 'FeatureExtractor');
    this.layers = [...new Set(layers)];
    model.freeze();
  }

  /** Every layer's output for x [N, 3, H, W] in [0, 1]. */
  extract(x: Tensor): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const handles = this.layers.map((p) => moduleAt(this.model, p).registerForwardHook((_m, _i, o) => {
      if (p in out) return;
      out[p] = this.opts.relu ? relu(outputTensor(p, o)) : outputTensor(p, o);
      if (Object.keys(out).length === this.layers.length) throw new EnoughLayers();
    }));
    try {
      this.model.call(this.opts.preprocess ? this.opts.preprocess(x) : x);
    } catch (e) {
      if (!(e instanceof EnoughLayers)) throw e;
    } finally {
      for (const h of handles) h.remove();
    }
    const missed = this.layers.filter((p) => !(p in out));
    if (missed.length) throw new ArgumentError('FeatureExtractor', `layers ${missed.join(', ')} were not called by the model's forward`);
    return out;
  }
}

export interface StyleTransferOptions {
  extractor: FeatureExtractor;
  contentLayer: string;
  styleLayers: readonly string[];
  /** Per style layer (default equal, summing to 1). */
  styleLayerWeights?: readonly number[];
  contentWeight?: number;
  styleWeight?: number;
  tvWeight?: number;
  /** Adam steps, or L-BFGS closure evaluations. Default 200. */
  steps?: number;
  optimizer?: 'adam' | 'lbfgs';
  /** Adam's learning rate on pixels in [0, 1] (default 0.02); L-BFGS's step (default 1). */
  lr?: number;
  /** Start from the content photo (default) or from uniform noise. */
  init?: 'content' | 'noise';
  /** L-BFGS's line search: strongWolfe (default), or null for fixed steps of lr (barely moves here: the gradients are small). */
  lineSearch?: 'strongWolfe' | null;
  seed?: number;
  /** Called with each recorded iteration and for notes (e.g. a resized style image). */
  onStep?: (r: StyleStep) => void;
  log?: (line: string) => void;
}

export interface StyleStep {
  step: number;
  content: number;
  style: number;
  tv: number;
  /** contentWeight·content + styleWeight·style + tvWeight·tv. */
  total: number;
  seconds: number;
}

/** [3, H, W] or [1, 3, H, W] → [1, 3, H, W]. */
function asBatch(x: Tensor, what: string): Tensor {
  if (!(x instanceof Tensor) || !((x.rank === 3 && x.shape[0] === 3) || (x.rank === 4 && x.shape[0] === 1 && x.shape[1] === 3))) {
    throw new ArgumentError('styleTransfer', `the ${what} image must be RGB [3, H, W] or [1, 3, H, W], got ${x instanceof Tensor ? `[${x.shape.join(', ')}]` : typeof x}`);
  }
  return x.rank === 3 ? reshape(x, [1, ...x.shape]) : x;
}

/**
 * Stylise `content` ([3, H, W] in [0, 1]) with `style`. A style image of another
 * size is resized to the content's (bilinear, antialiased) with a note through
 * log. Returns the image [3, H, W] in [0, 1] and the losses at every iteration.
 */
export function styleTransfer(content: Tensor, style: Tensor, opts: StyleTransferOptions): { image: Tensor; history: StyleStep[] } {
  const op = 'styleTransfer';
  const c = asBatch(content, 'content');
  let s = asBatch(style, 'style');
  const [, , H, W] = c.shape;
  if (s.shape[2] !== H || s.shape[3] !== W) {
    opts.log?.(`note: the style image is ${s.shape[3]}×${s.shape[2]}; resized to the content's ${W}×${H}`);
    s = resize(s, [H, W]);
  }
  const { extractor, contentLayer, styleLayers } = opts;
  if (!styleLayers.length) throw new ArgumentError(op, 'styleLayers must list at least one layer');
  for (const l of [contentLayer, ...styleLayers]) {
    if (!extractor.layers.includes(l)) throw new ArgumentError(op, `layer ${JSON.stringify(l)} is not one the extractor reads (${extractor.layers.join(', ')})`);
  }
  const cw = opts.contentWeight ?? 1, sw = opts.styleWeight ?? 10, tw = opts.tvWeight ?? 1;
  const steps = opts.steps ?? 200;
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError(op, `steps must be a positive integer, got ${steps}`);
  const { contentTarget, gramTargets } = noGrad(() => {
    const fc = extractor.extract(c);
    const fs = extractor.extract(s);
    return { contentTarget: fc[contentLayer], gramTargets: styleLayers.map((l) => gramMatrix(fs[l])) };
  });
  const x = new Tensor(Float32Array.from(c.data), c.shape, true);
  if ((opts.init ?? 'content') === 'noise') {
    const rng = new RNG(opts.seed ?? 0);
    for (let i = 0; i < x.size; i++) x.data[i] = rng.random();
  }
  // L-BFGS has no box constraint: it optimises z with pixels sigmoid(z), which stay in (0, 1).
  const bounded = (opts.optimizer ?? 'adam') === 'lbfgs';
  if (bounded) for (let i = 0; i < x.size; i++) { const v = Math.min(0.99, Math.max(0.01, x.data[i])); x.data[i] = Math.log(v / (1 - v)); }
  const pixels = () => (bounded ? sigmoid(x) : x);
  const t0 = performance.now();
  const history: StyleStep[] = [];
  const evaluate = (): number => {
    const img = pixels();
    const f = extractor.extract(img);
    const lc = contentLoss(f[contentLayer], contentTarget);
    const ls = styleLoss(styleLayers.map((l) => f[l]), gramTargets, opts.styleLayerWeights);
    const lt = totalVariation(img);
    const total = add(add(mul(lc, cw), mul(ls, sw)), mul(lt, tw));
    backward(total);
    const r = { step: history.length, content: lc.data[0], style: ls.data[0], tv: lt.data[0], total: total.data[0], seconds: (performance.now() - t0) / 1000 };
    if (!Number.isFinite(r.total)) throw new ReceptiveError(`styleTransfer: the loss became ${r.total} at iteration ${r.step}; lower the learning rate`);
    history.push(r);
    opts.onStep?.(r);
    return r.total;
  };
  const clampPixels = () => {
    for (let i = 0; i < x.size; i++) x.data[i] = Math.min(1, Math.max(0, x.data[i]));
    x.markModified();
  };
  if ((opts.optimizer ?? 'adam') === 'adam') {
    const adam = new Adam([x], { lr: opts.lr ?? 0.02 });
    for (let k = 0; k < steps; k++) {
      adam.zeroGrad();
      evaluate();
      adam.step();
      clampPixels();
    }
  } else {
    // One long run (clamping between iterations would break the curvature pairs it collects).
    const lbfgs = new LBFGS([x], { lr: opts.lr ?? 1, maxIter: steps, maxEval: steps, historySize: 50, lineSearch: opts.lineSearch === undefined ? 'strongWolfe' : opts.lineSearch, toleranceChange: 0 });
    lbfgs.step(evaluate);
  }
  return { image: reshape(new Tensor(Float32Array.from(noGrad(pixels).data), x.shape), [3, H, W]), history };
}
