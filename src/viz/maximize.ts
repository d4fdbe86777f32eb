/*
 * Activation maximisation (Erhan et al. 2009; the Keras blog's "How convolutional
 * neural networks see the world"): gradient ascent on the input to raise one
 * filter's mean activation, with the usual regularisers: random jitter (shift the
 * image a few pixels each step), an occasional Gaussian blur, and L2 decay.
 */
import { ArgumentError, RNG, Tensor } from '../tensor/index.js';
import { backward } from '../autograd/index.js';
import type { AnyModule } from '../nn/module.js';
import { inEval, moduleAt, outputTensor } from './inspect.js';
import { gaussian } from './filters.js';

export interface MaximizeOptions {
  layer: string;
  channel: number;
  /** Input shape [1, C, H, W]. */
  shape: readonly number[];
  steps?: number;
  /** Step size on the L2-normalised gradient (default 1). */
  lr?: number;
  /** Largest random shift in pixels per step (default 2; 0 turns jitter off). */
  jitter?: number;
  /** Blur with this sigma every blurEvery steps (default 0.5 every 4; 0 turns it off). */
  blurSigma?: number;
  blurEvery?: number;
  /** Multiply the image by (1 − l2) every step (default 1e-3). */
  l2?: number;
  rng?: RNG;
}

function roll(x: Float32Array, c: number, h: number, w: number, dy: number, dx: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let k = 0; k < c; k++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[k * h * w + ((i + dy + h) % h) * w + ((j + dx + w) % w)] = x[k * h * w + i * w + j];
  return out;
}

/** The input [1, C, H, W] found by gradient ascent, and the channel's mean activation on it after each step. */
export function maximizeActivation(model: AnyModule, opts: MaximizeOptions): { image: Tensor; history: number[] } {
  const op = 'maximizeActivation';
  const layer = moduleAt(model, opts?.layer, op);
  const [n, c, h, w] = opts.shape;
  if (n !== 1 || opts.shape.length !== 4) throw new ArgumentError(op, `shape must be [1, C, H, W], got ${JSON.stringify(opts.shape)}`);
  const rng = opts.rng ?? new RNG(0);
  const steps = opts.steps ?? 100;
  const lr = opts.lr ?? 1;
  const jitter = opts.jitter ?? 2;
  const sigma = opts.blurSigma ?? 0.5;
  const every = opts.blurEvery ?? 4;
  const l2 = opts.l2 ?? 1e-3;
  let x = new Float32Array(c * h * w).map(() => 0.01 * rng.normal());
  const history: number[] = [];
  let act: Tensor | null = null;
  const hook = layer.registerForwardHook((_m, _i, out) => void (act = outputTensor(opts.layer, out)));
  try {
    inEval(model, () => {
      for (let s = 0; s < steps; s++) {
        const dy = jitter ? rng.int(-jitter, jitter + 1) : 0;
        const dx = jitter ? rng.int(-jitter, jitter + 1) : 0;
        const xi = new Tensor(roll(x, c, h, w, dy, dx), [1, c, h, w], true);
        model.call(xi);
        const a = act as unknown as Tensor;
        if (!a || a.rank < 2 || opts.channel < 0 || opts.channel >= a.shape[1] || !Number.isInteger(opts.channel)) {
          throw new ArgumentError(op, `channel ${opts.channel} is outside [0, ${a ? a.shape[1] : 0}) of ${JSON.stringify(opts.layer)}`);
        }
        const per = a.size / a.shape[1];
        const seed = new Float32Array(a.size);
        let mean = 0;
        for (let i = 0; i < per; i++) { seed[opts.channel * per + i] = 1 / per; mean += a.data[opts.channel * per + i] / per; }
        history.push(mean);
        backward(a, new Tensor(a.dtype === 'float64' ? Float64Array.from(seed) : seed, a.shape));
        const g = roll(Float32Array.from(xi.grad!.data), c, h, w, -dy, -dx);
        let norm = 0;
        for (const v of g) norm += v * v;
        norm = Math.sqrt(norm / g.length) || 1;
        for (let i = 0; i < x.length; i++) x[i] = (x[i] + (lr * g[i]) / norm) * (1 - l2);
        if (sigma > 0 && (s + 1) % every === 0) x = Float32Array.from(gaussian(new Tensor(x, [c, h, w]), sigma).data);
      }
    });
  } finally {
    hook.remove();
  }
  return { image: new Tensor(x, [1, c, h, w]), history };
}
