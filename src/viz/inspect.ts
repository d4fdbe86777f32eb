/*
 * Looking inside any Module: the activations of chosen layers by module path
 * (through forward hooks), and the kernels of a convolution as pictures.
 */
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import { Module, type AnyModule } from '../nn/module.js';
import { flatTensors } from '../nn/hooks.js';
import { grid, mapToImage } from './render.js';

/** The module at a dotted path, or an error listing every valid path. */
export function moduleAt(model: AnyModule, path: string, op = 'viz'): AnyModule {
  const all = model.namedModules();
  const hit = all.find(([p]) => p === path);
  if (!hit) {
    throw new ArgumentError(op, `no module at path ${JSON.stringify(path)}; valid paths: ${all.map(([p]) => (p === '' ? '"" (the model)' : p)).join(', ')}`);
  }
  return hit[1];
}

/** Run fn with every module in eval mode and the parameters' .grad untouched, restoring both after. */
export function inEval<T>(model: AnyModule, fn: () => T): T {
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  const grads = model.parameters().map((p) => [p, p.grad] as const);
  model.eval();
  try {
    return fn();
  } finally {
    for (const [m, t] of modes) m.training = t;
    for (const [p, g] of grads) p.grad = g;
  }
}

/** The single tensor a module returned (the first, for a module with several outputs). */
export function outputTensor(path: string, out: unknown): Tensor {
  const ts = flatTensors(out);
  if (ts.length === 0) throw new ArgumentError('viz', `module ${JSON.stringify(path)} returned no tensor`);
  return ts[0];
}

export interface FeatureMapsOptions {
  /** Module paths, as namedModules() lists them ('features.0', 'classifier.2'). */
  layers: readonly string[];
}

/** The outputs of the chosen layers for input x (eval mode, no gradients), by path. */
export function featureMaps(model: AnyModule, x: Tensor, opts: FeatureMapsOptions): Record<string, Tensor> {
  if (!(model instanceof Module)) throw new ArgumentError('featureMaps', 'expected a Module');
  if (!opts?.layers?.length) throw new ArgumentError('featureMaps', 'layers must list at least one module path');
  const out: Record<string, Tensor> = {};
  const handles = opts.layers.map((p) => moduleAt(model, p, 'featureMaps').registerForwardHook((_m, _in, o) => void (out[p] = outputTensor(p, o))));
  try {
    inEval(model, () => noGrad(() => model.call(x)));
  } finally {
    for (const h of handles) h.remove();
  }
  const missed = opts.layers.filter((p) => !(p in out));
  if (missed.length) throw new ArgumentError('featureMaps', `layers ${missed.join(', ')} were not called by the model's forward`);
  return out;
}

/** The channels of one sample's feature map [1, C, H, W] (or [C, H, W]) as a labelled grid of viridis images. */
export function featureMapGrid(map: Tensor, opts: { scale?: number; cols?: number; maxChannels?: number } = {}): Tensor {
  const s = map.rank === 4 ? map.shape.slice(1) : map.shape;
  if (s.length !== 3) throw new ShapeError('featureMapGrid', 'a feature map [1, C, H, W] or [C, H, W]', map.shape);
  const [c, h, w] = s;
  const n = Math.min(c, opts.maxChannels ?? c);
  const cells = Array.from({ length: n }, (_, k) => mapToImage(new Tensor(map.data.slice(k * h * w, (k + 1) * h * w), [h, w]), { scale: opts.scale ?? 1 }));
  return grid(cells, { cols: opts.cols, labels: cells.map((_, k) => String(k)) });
}

/**
 * The kernels of a convolution weight [O, I, kH, kW] (or a module with one) as a
 * grid: RGB pictures when I = 3 (first layers of colour models, one shared scale
 * with grey at zero), else one diverging map per (output, input) pair.
 */
export function kernelImages(weightOrModule: Tensor | AnyModule, opts: { scale?: number } = {}): Tensor {
  const w = weightOrModule instanceof Tensor ? weightOrModule : (weightOrModule as unknown as { weight?: unknown }).weight;
  if (!(w instanceof Tensor) || w.rank !== 4) throw new ShapeError('kernelImages', 'a convolution weight [outChannels, inChannels, kH, kW] or a module with one', w instanceof Tensor ? w.shape : []);
  const [o, i, kh, kw] = w.shape;
  const scale = opts.scale ?? Math.max(1, Math.floor(32 / Math.max(kh, kw)));
  let m = 0;
  for (const v of w.data) m = Math.max(m, Math.abs(v));
  m = m || 1;
  if (i === 3) {
    const cells = Array.from({ length: o }, (_, k) => {
      const rgb = new Float32Array(3 * kh * kw);
      for (let j = 0; j < rgb.length; j++) rgb[j] = 0.5 + w.data[k * rgb.length + j] / (2 * m);
      return mapScaled(new Tensor(rgb, [3, kh, kw]), scale);
    });
    return grid(cells, { labels: cells.map((_, k) => String(k)) });
  }
  const cells: Tensor[] = [];
  const labels: string[] = [];
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      cells.push(mapToImage(new Tensor(w.data.slice((a * i + b) * kh * kw, (a * i + b + 1) * kh * kw), [kh, kw]), { cmap: 'RdBu_r', range: [-m, m], scale }));
      labels.push(i === 1 ? String(a) : `${a}.${b}`);
    }
  }
  return grid(cells, { cols: i === 1 ? Math.min(o, 8) : i, labels });
}

function mapScaled(rgb: Tensor, scale: number): Tensor {
  const [, h, w] = rgb.shape;
  const out = new Float32Array(3 * h * w * scale * scale);
  const W = w * scale;
  const H = h * scale;
  for (let k = 0; k < 3; k++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[k * H * W + y * W + x] = rgb.data[k * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)];
  return new Tensor(out, [3, H, W]);
}
