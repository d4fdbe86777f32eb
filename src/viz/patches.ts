/*
 * Zeiler & Fergus (2014, fig. 2): the dataset patches that excite one feature map
 * most. Each image scores by the channel's strongest activation anywhere in its
 * map; the k best images give one patch each: the input window that activation
 * sees, its receptive field (src/nn/receptive-field.ts), cut from the image.
 */
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';
import { noGrad, trace } from '../autograd/index.js';
import { Module, type AnyModule } from '../nn/module.js';
import { receptiveFields, type SpatialExtent } from '../nn/receptive-field.js';
import { featureMaps, inEval, moduleAt } from './inspect.js';
import { deconvnet } from './deconv.js';
import { grid, mapToImage, toRGB } from './render.js';

export interface TopPatchesOptions {
  /** Module path whose output holds the feature maps [N, C, h, w]. */
  layer: string;
  /** The feature map (channel). */
  channel: number;
  /** How many patches. Default 9. */
  k?: number;
  /** Images per forward pass. Default 256. */
  batchSize?: number;
  /** Applied to each batch before the model (normalisation); patches are cut from the untransformed images. */
  transform?: (x: Tensor) => Tensor;
  /** Value of the patch's pixels that lie outside the image (where the window reaches into padding). Default 0. */
  fill?: number;
}

/** An input window in pixels: rows top … top + height − 1, columns left … left + width − 1 (may extend past the image). */
export interface PixelWindow {
  top: number;
  left: number;
  height: number;
  width: number;
}

export interface TopPatch {
  /** The image's index in the dataset. */
  index: number;
  /** Where in the feature map the strongest activation is. */
  y: number;
  x: number;
  activation: number;
  window: PixelWindow;
  /** The window cut from the image, [C, height, width]. */
  patch: Tensor;
}

export interface TopPatches {
  patches: TopPatch[];
  /** The layer output's receptive field, jump and start. */
  extent: SpatialExtent;
}

/** The receptive field of a layer's output, from one traced forward pass of a sample input [1, C, H, W]. */
export function layerExtent(model: AnyModule, layer: string, sample: Tensor, op = 'layerExtent'): SpatialExtent {
  const target = moduleAt(model, layer, op);
  const { ops, calls } = inEval(model, () => trace(() => noGrad(() => model.call(sample))));
  const call = calls.find((c) => c.module === target);
  if (!call || !call.outputs.length) throw new ArgumentError(op, `layer ${JSON.stringify(layer)} was not called by the model's forward`);
  const out = call.outputs[0];
  const e = receptiveFields(ops, [sample]).get(out);
  if (!e || out.rank !== 4 || e.global[0] || e.global[1]) {
    throw new ArgumentError(op, `layer ${JSON.stringify(layer)} outputs [${out.shape.join(', ')}], not feature maps whose elements see part of the input`);
  }
  return e;
}

/**
 * The layers whose outputs are a model's feature maps, in forward order: each
 * Conv2d's output, or the ReLU applied to it just after (where views of a CNN
 * are usually taken), found from one traced forward pass of `sample`.
 */
export function featureLayers(model: AnyModule, sample: Tensor): { conv: string; layer: string }[] {
  const { calls } = inEval(model, () => trace(() => noGrad(() => model.call(sample))));
  const leaves = calls.filter((c) => (c.module as AnyModule).children().length === 0 && c.outputs[0]?.rank === 4);
  return leaves.flatMap((c, i) => {
    if (c.type !== 'Conv2d') return [];
    const next = leaves[i + 1];
    const relu = next && next.type === 'ReLU' && next.inputs[0] === c.outputs[0];
    return [{ conv: c.path, layer: relu ? next.path : c.path }];
  });
}

/** The window element (y, x) of a layer with this extent sees. */
export function windowAt(e: SpatialExtent, y: number, x: number): PixelWindow {
  return { top: e.start[0] + y * e.jump[0], left: e.start[1] + x * e.jump[1], height: e.rf[0], width: e.rf[1] };
}

/** Cut a window from an image [C, H, W]; pixels outside the image get `fill`. */
export function cropWindow(image: Tensor, w: PixelWindow, fill = 0): Tensor {
  if (image.rank !== 3) throw new ShapeError('cropWindow', 'an image [C, H, W]', image.shape);
  const [c, H, W] = image.shape;
  const out = new Float32Array(c * w.height * w.width).fill(fill);
  for (let k = 0; k < c; k++) {
    for (let i = 0; i < w.height; i++) {
      const r = w.top + i;
      if (r < 0 || r >= H) continue;
      for (let j = 0; j < w.width; j++) {
        const q = w.left + j;
        if (q >= 0 && q < W) out[(k * w.height + i) * w.width + j] = image.data[(k * H + r) * W + q];
      }
    }
  }
  return new Tensor(out, [c, w.height, w.width]);
}

/** The k images of `images` [N, C, H, W] whose feature map `channel` at `layer` peaks highest, with the patch each peak sees. */
export function topPatches(model: AnyModule, images: Tensor, opts: TopPatchesOptions): TopPatches {
  const op = 'topPatches';
  if (!(model instanceof Module)) throw new ArgumentError(op, 'expected a Module');
  if (!(images instanceof Tensor) || images.rank !== 4 || images.shape[0] < 1) throw new ShapeError(op, 'images [N, C, H, W] with N >= 1', images instanceof Tensor ? images.shape : []);
  const k = opts.k ?? 9;
  const bs = opts.batchSize ?? 256;
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError(op, `k must be a positive integer, got ${k}`);
  if (!Number.isInteger(bs) || bs < 1) throw new ArgumentError(op, `batchSize must be a positive integer, got ${bs}`);
  const [n, c, h, w] = images.shape;
  const per = c * h * w;
  const batch = (from: number, to: number) => {
    const x = new Tensor(images.data.slice(from * per, to * per), [to - from, c, h, w]);
    return opts.transform ? opts.transform(x) : x;
  };
  const extent = layerExtent(model, opts.layer, batch(0, 1), op);
  const best: { index: number; at: number; value: number }[] = [];
  let mapW = 0;
  for (let from = 0; from < n; from += bs) {
    const to = Math.min(n, from + bs);
    const a = featureMaps(model, batch(from, to), { layers: [opts.layer] })[opts.layer];
    const C = a.shape[1];
    if (!Number.isInteger(opts.channel) || opts.channel < 0 || opts.channel >= C) throw new ArgumentError(op, `channel ${opts.channel} is outside [0, ${C}) (layer ${JSON.stringify(opts.layer)} has ${C} feature maps)`);
    const plane = a.shape[2] * a.shape[3];
    mapW = a.shape[3];
    for (let s = 0; s < to - from; s++) {
      const base = (s * C + opts.channel) * plane;
      let at = 0;
      for (let i = 1; i < plane; i++) if (a.data[base + i] > a.data[base + at]) at = i;
      best.push({ index: from + s, at, value: a.data[base + at] });
    }
    // Keep only the k best so far: ties go to the earlier image.
    best.sort((p, q) => q.value - p.value || p.index - q.index);
    best.length = Math.min(best.length, k);
  }
  const patches = best.map(({ index, at, value }) => {
    const y = Math.floor(at / mapW);
    const x = at % mapW;
    const win = windowAt(extent, y, x);
    const image = new Tensor(images.data.slice(index * per, (index + 1) * per), [c, h, w]);
    return { index, y, x, activation: value, window: win, patch: cropWindow(image, win, opts.fill ?? 0) };
  });
  return { patches, extent };
}

export interface PatchFigureOptions extends TopPatchesOptions {
  /** Nearest-neighbour upscaling of each patch. Default: enough for about 56 pixels a side. */
  scale?: number;
  /** Also show each patch's deconvnet projection (the paper's left half), cut to the same window. Default true. */
  projections?: boolean;
}

/**
 * The figure: the top-k patches in a row-major 3×3 grid (for k = 9), labelled
 * with image index and activation, and beside it the deconvnet projection of
 * each patch's activation (red positive, blue negative) in the same layout.
 */
export function topPatchesFigure(model: AnyModule, images: Tensor, opts: PatchFigureOptions): { figure: Tensor } & TopPatches {
  const r = topPatches(model, images, opts);
  const scale = opts.scale ?? Math.max(2, Math.ceil(56 / Math.max(...r.extent.rf)));
  const [, c, h, w] = images.shape;
  const cols = Math.ceil(Math.sqrt(r.patches.length));
  const labels = r.patches.map((p) => `#${p.index} ${p.activation.toFixed(2)}`);
  const left = grid(r.patches.map((p) => toRGB(p.patch.clamp(0, 1), scale)), { cols, labels });
  if (opts.projections === false) return { figure: left, ...r };
  const proj = r.patches.map((p) => {
    const raw = new Tensor(images.data.slice(p.index * c * h * w, (p.index + 1) * c * h * w), [1, c, h, w]);
    const d = deconvnet(model, opts.transform ? opts.transform(raw) : raw, { layer: opts.layer, channel: opts.channel });
    // Sum over colour channels: one signed map per patch.
    const [, pc, ph, pw] = d.projection.shape;
    const sum = new Float32Array(ph * pw);
    for (let k = 0; k < pc; k++) for (let i = 0; i < ph * pw; i++) sum[i] += d.projection.data[k * ph * pw + i];
    const cut = cropWindow(new Tensor(sum, [1, ph, pw]), p.window);
    return mapToImage(new Tensor(cut.data, [p.window.height, p.window.width]), { cmap: 'RdBu_r', range: 'symmetric', scale });
  });
  const right = grid(proj, { cols, labels: r.patches.map(() => ' ') });
  return { figure: grid([left, right], { cols: 2, labels: ['top patches', 'projections'] }), ...r };
}
