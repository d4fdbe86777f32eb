/*
 * Which pixels a prediction depends on: saliency (Simonyan et al. 2014: the
 * gradient of the class score; gradient × input; SmoothGrad, Smilkov et al. 2017),
 * Grad-CAM (Selvaraju et al. 2017) and occlusion (Zeiler & Fergus 2014, §4.2).
 */
import { ArgumentError, RNG, ShapeError, Tensor, globalRNG } from '../tensor/index.js';
import { backward, noGrad } from '../autograd/index.js';
import type { AnyModule } from '../nn/module.js';
import { softmax } from '../ops/activation.js';
import { mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { resize } from '../data/image.js';
import { inEval, moduleAt, outputTensor } from './inspect.js';

function checkInput(op: string, x: Tensor): [number, number, number] {
  if (!(x instanceof Tensor) || x.rank !== 4 || x.shape[0] !== 1) throw new ShapeError(op, 'one input [1, C, H, W]', x instanceof Tensor ? x.shape : []);
  return [x.shape[1], x.shape[2], x.shape[3]];
}

/** The class to explain: the given one (checked against the model's outputs) or the predicted one. */
export function resolveTarget(op: string, logits: Tensor, target: number | undefined): number {
  if (logits.rank !== 2) throw new ShapeError(op, 'model output [N, classes]', logits.shape);
  const k = logits.shape[1];
  if (target === undefined) {
    let best = 0;
    for (let i = 1; i < k; i++) if (logits.data[i] > logits.data[best]) best = i;
    return best;
  }
  if (!Number.isInteger(target) || target < 0 || target >= k) throw new ArgumentError(op, `target class ${target} is outside [0, ${k}) (the model has ${k} outputs)`);
  return target;
}

function classScore(logits: Tensor, target: number): Tensor {
  const mask = new Float32Array(logits.size);
  mask[target] = 1;
  return sum(mul(logits, new Tensor(logits.dtype === 'float64' ? Float64Array.from(mask) : mask, logits.shape)));
}

/** d score_target / d x for one input, with the model in eval mode. */
function inputGradient(model: AnyModule, x: Tensor, target: number | undefined, op: string): { grad: Tensor; target: number } {
  return inEval(model, () => {
    const xi = new Tensor(x.data.slice(), x.shape, true);
    const logits = model.call(xi) as Tensor;
    const t = resolveTarget(op, logits, target);
    backward(classScore(logits, t));
    return { grad: xi.grad as Tensor, target: t };
  });
}

export interface SaliencyOptions {
  method?: 'gradient' | 'gradientXInput' | 'smoothGrad';
  target?: number;
  /** SmoothGrad: noisy copies (default 25) and noise σ as a fraction of the input's range (default 0.15). */
  samples?: number;
  noise?: number;
  rng?: RNG;
}

export interface Saliency {
  /** Same shape as x: the gradient (or gradient × input, or the SmoothGrad mean gradient). */
  attribution: Tensor;
  /** [H, W]: max over channels of |attribution| (gradient, smoothGrad) or the channel sum (gradientXInput, signed). */
  map: Tensor;
  target: number;
}

export function saliency(model: AnyModule, x: Tensor, opts: SaliencyOptions = {}): Saliency {
  const op = 'saliency';
  const [c, h, w] = checkInput(op, x);
  const method = opts.method ?? 'gradient';
  let attribution: Tensor;
  let target: number;
  if (method === 'gradient' || method === 'gradientXInput') {
    ({ grad: attribution, target } = inputGradient(model, x, opts.target, op));
    if (method === 'gradientXInput') attribution = noGrad(() => mul(attribution, x));
  } else if (method === 'smoothGrad') {
    const n = opts.samples ?? 25;
    if (!Number.isInteger(n) || n < 1) throw new ArgumentError(op, `samples must be a positive integer, got ${n}`);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const sigma = (opts.noise ?? 0.15) * (hi - lo || 1);
    const rng = opts.rng ?? globalRNG;
    target = inputGradient(model, x, opts.target, op).target;
    const acc = new Float64Array(x.size);
    for (let s = 0; s < n; s++) {
      const noisy = new Float32Array(x.size);
      for (let i = 0; i < x.size; i++) noisy[i] = x.data[i] + sigma * rng.normal();
      const g = inputGradient(model, new Tensor(noisy, x.shape), target, op).grad;
      for (let i = 0; i < x.size; i++) acc[i] += g.data[i] / n;
    }
    attribution = new Tensor(Float32Array.from(acc), x.shape);
  } else throw new ArgumentError(op, `method must be gradient, gradientXInput or smoothGrad, got ${JSON.stringify(method)}`);
  const map = new Float32Array(h * w);
  for (let i = 0; i < h * w; i++) {
    let v = method === 'gradientXInput' ? 0 : -Infinity;
    for (let k = 0; k < c; k++) {
      const a = attribution.data[k * h * w + i];
      v = method === 'gradientXInput' ? v + a : Math.max(v, Math.abs(a));
    }
    map[i] = v;
  }
  return { attribution, map: new Tensor(map, [h, w]), target };
}

export interface GradCamOptions {
  /** Module path of a layer with a [1, K, h, w] output (usually the last convolution block). */
  layer: string;
  target?: number;
}

export interface GradCam {
  /** [h, w] at the layer's resolution: ReLU(Σ_k α_k A_k), α_k the spatial mean of d score / d A_k. */
  cam: Tensor;
  /** [H, W]: cam resized bilinearly to the input. */
  upsampled: Tensor;
  target: number;
}

export function gradCam(model: AnyModule, x: Tensor, opts: GradCamOptions): GradCam {
  const op = 'gradCam';
  const [, H, W] = checkInput(op, x);
  const layer = moduleAt(model, opts?.layer, op);
  let act: Tensor | null = null;
  // Replace the layer's output by a leaf copy so that its .grad is the gradient there.
  const handle = layer.registerForwardHook((_m, _i, out) => {
    const a = outputTensor(opts.layer, out);
    if (a.rank !== 4) throw new ShapeError(op, `layer ${JSON.stringify(opts.layer)} to output [1, K, h, w]`, a.shape);
    act = new Tensor(a.data.slice(), a.shape, true);
    return act;
  });
  let target: number;
  try {
    target = inEval(model, () => {
      const logits = model.call(x) as Tensor;
      const t = resolveTarget(op, logits, opts.target);
      backward(classScore(logits, t));
      return t;
    });
  } finally {
    handle.remove();
  }
  if (!act) throw new ArgumentError(op, `layer ${JSON.stringify(opts.layer)} was not called by the model's forward`);
  const a = act as Tensor;
  const [, K, h, w] = a.shape;
  const g = a.grad as Tensor;
  const cam = new Float32Array(h * w);
  for (let k = 0; k < K; k++) {
    let alpha = 0;
    for (let i = 0; i < h * w; i++) alpha += g.data[k * h * w + i];
    alpha /= h * w;
    for (let i = 0; i < h * w; i++) cam[i] += alpha * a.data[k * h * w + i];
  }
  for (let i = 0; i < h * w; i++) cam[i] = Math.max(0, cam[i]);
  const camT = new Tensor(cam, [h, w]);
  return { cam: camT, upsampled: resize(camT, [H, W], { antialias: false }), target };
}

export interface OcclusionOptions {
  target?: number;
  /** Side of the square (default 8) and step between positions (default half the window). */
  window?: number;
  stride?: number;
  /** The square's value (default 0.5, Zeiler and Fergus's grey). */
  fill?: number;
  /** Also map, per position, the strongest activation of the channel of this layer that is strongest on the clean input. */
  layer?: string;
  batchSize?: number;
}

export interface Occlusion {
  /** [nh, nw]: the target's probability with the square at each position (row-major top-left corners). */
  probability: Tensor;
  /** The target's probability on the clean input. */
  baseline: number;
  /** Top-left corners of the rows and columns of the map. */
  ys: number[];
  xs: number[];
  window: number;
  target: number;
  /** With opts.layer: [nh, nw] activation of the strongest feature, and its channel. */
  feature?: Tensor;
  channel?: number;
}

export function occlusion(model: AnyModule, x: Tensor, opts: OcclusionOptions = {}): Occlusion {
  const op = 'occlusion';
  const [C, H, W] = checkInput(op, x);
  const win = opts.window ?? 8;
  const stride = opts.stride ?? Math.max(1, Math.floor(win / 2));
  const fill = opts.fill ?? 0.5;
  if (!Number.isInteger(win) || win < 1 || win > Math.min(H, W)) throw new ArgumentError(op, `window must be an integer in [1, ${Math.min(H, W)}], got ${win}`);
  if (!Number.isInteger(stride) || stride < 1) throw new ArgumentError(op, `stride must be a positive integer, got ${stride}`);
  const layerModule = opts.layer === undefined ? null : moduleAt(model, opts.layer, op);
  const ys: number[] = [];
  const xs: number[] = [];
  for (let y = 0; y + win <= H; y += stride) ys.push(y);
  for (let q = 0; q + win <= W; q += stride) xs.push(q);
  const positions = ys.flatMap((y) => xs.map((q) => [y, q] as const));
  let captured: Tensor | null = null;
  const handle = layerModule?.registerForwardHook((_m, _i, out) => void (captured = outputTensor(opts.layer as string, out)));
  try {
    return inEval(model, () => noGrad(() => {
      const clean = model.call(x) as Tensor;
      const target = resolveTarget(op, clean, opts.target);
      const baseline = softmax(clean, -1).data[target];
      let channel: number | undefined;
      if (captured) {
        const f = captured as Tensor;
        const per = f.size / f.shape[1];
        let best = -Infinity;
        for (let i = 0; i < f.size; i++) if (f.data[i] > best) { best = f.data[i]; channel = Math.floor(i / per); }
      }
      const prob = new Float32Array(positions.length);
      const feat = new Float32Array(positions.length);
      const bs = opts.batchSize ?? 64;
      const plane = C * H * W;
      for (let b0 = 0; b0 < positions.length; b0 += bs) {
        const chunk = positions.slice(b0, b0 + bs);
        const data = new Float32Array(chunk.length * plane);
        chunk.forEach(([y, q], n) => {
          data.set(x.data.subarray(0, plane), n * plane);
          for (let k = 0; k < C; k++) for (let i = y; i < y + win; i++) data.fill(fill, n * plane + k * H * W + i * W + q, n * plane + k * H * W + i * W + q + win);
        });
        const logits = model.call(new Tensor(data, [chunk.length, C, H, W])) as Tensor;
        const p = softmax(logits, -1);
        const K = p.shape[1];
        chunk.forEach((_, n) => (prob[b0 + n] = p.data[n * K + target]));
        if (captured && channel !== undefined) {
          const f = captured as Tensor;
          const per = f.size / (f.shape[0] * f.shape[1]);
          chunk.forEach((_, n) => {
            let m = -Infinity;
            const o = (n * f.shape[1] + (channel as number)) * per;
            for (let i = 0; i < per; i++) m = Math.max(m, f.data[o + i]);
            feat[b0 + n] = m;
          });
        }
      }
      const res: Occlusion = { probability: new Tensor(prob, [ys.length, xs.length]), baseline, ys, xs, window: win, target };
      if (channel !== undefined) { res.feature = new Tensor(feat, [ys.length, xs.length]); res.channel = channel; }
      return res;
    }));
  } finally {
    handle?.remove();
  }
}
