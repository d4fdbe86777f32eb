/*
 * Maps and kernels as pictures: a single-channel map through a colour map, and
 * grids of many pictures with labels. Results are [3, H, W] float32 images in
 * [0, 1], ready for writePng (receptive/node) or tensorToRGBA (a canvas).
 */
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';
import { colormap, type ColormapName } from './colormap.js';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';

export interface MapImageOptions {
  /** Default 'viridis'; 'RdBu_r' for signed values. */
  cmap?: ColormapName;
  /** 'minmax' (default): lowest → 0, highest → 1; 'symmetric': ±max|v| → 0/1, zero in the middle; or a fixed [lo, hi]. */
  range?: 'minmax' | 'symmetric' | readonly [number, number];
  /** Nearest-neighbour upscaling factor (integer). Default 1. */
  scale?: number;
}

function plane(op: string, x: Tensor): [number, number] {
  if (!(x instanceof Tensor)) throw new ArgumentError(op, 'expected a tensor');
  const s = x.shape.filter((d, i) => !(d === 1 && i < x.rank - 2));
  if (s.length !== 2) throw new ShapeError(op, 'a single-channel map [H, W] (or with leading 1s)', x.shape);
  return [s[0], s[1]];
}

/** A single-channel map as a colour image [3, H·scale, W·scale]. */
export function mapToImage(x: Tensor, opts: MapImageOptions = {}): Tensor {
  const [h, w] = plane('mapToImage', x);
  const scale = opts.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1) throw new ArgumentError('mapToImage', `scale must be a positive integer, got ${scale}`);
  let lo: number;
  let hi: number;
  const range = opts.range ?? 'minmax';
  const d = x.data;
  if (range === 'minmax' || range === 'symmetric') {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < d.length; i++) if (Number.isFinite(d[i])) { lo = Math.min(lo, d[i]); hi = Math.max(hi, d[i]); }
    if (range === 'symmetric') { hi = Math.max(Math.abs(lo), Math.abs(hi)); lo = -hi; }
  } else [lo, hi] = range;
  const span = hi > lo ? hi - lo : 1;
  const H = h * scale;
  const W = w * scale;
  const out = new Float32Array(3 * H * W);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const c = colormap(opts.cmap ?? 'viridis', hi > lo ? (d[i * w + j] - lo) / span : range === 'symmetric' ? 0.5 : 0);
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) for (let k = 0; k < 3; k++) out[k * H * W + (i * scale + dy) * W + j * scale + dx] = c[k];
    }
  }
  return new Tensor(out, [3, H, W]);
}

/** An RGB image [3, H, W] (or a grey one [1, H, W] / [H, W]) upscaled by an integer factor. */
export function toRGB(x: Tensor, scale = 1): Tensor {
  const c = x.rank === 2 ? 1 : x.shape[0];
  if ((x.rank !== 2 && x.rank !== 3) || (c !== 1 && c !== 3)) throw new ShapeError('toRGB', 'an image [3, H, W], [1, H, W] or [H, W]', x.shape);
  const [h, w] = x.shape.slice(-2);
  const H = h * scale;
  const W = w * scale;
  const out = new Float32Array(3 * H * W);
  for (let k = 0; k < 3; k++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) out[k * H * W + i * W + j] = x.data[(c === 1 ? 0 : k) * h * w + Math.floor(i / scale) * w + Math.floor(j / scale)];
  return new Tensor(out, [3, H, W]);
}

export interface GridOptions {
  /** Columns; default ceil(sqrt(n)). */
  cols?: number;
  /** A label drawn under each cell. */
  labels?: readonly string[];
  /** Pixels between cells. Default 2. */
  pad?: number;
  /** Label font scale. Default 1. */
  fontScale?: number;
  /** Background grey in [0, 1]. Default 1 (white); labels are drawn in black or white to contrast. */
  background?: number;
}

/** Many RGB images [3, h, w] (sizes may differ) in a grid with optional labels, as one [3, H, W] image. */
export function grid(images: readonly Tensor[], opts: GridOptions = {}): Tensor {
  if (images.length === 0) throw new ArgumentError('grid', 'needs at least one image');
  const imgs = images.map((im) => toRGB(im));
  const n = imgs.length;
  const cols = opts.cols ?? Math.ceil(Math.sqrt(n));
  if (!Number.isInteger(cols) || cols < 1) throw new ArgumentError('grid', `cols must be a positive integer, got ${cols}`);
  if (opts.labels && opts.labels.length !== n) throw new ArgumentError('grid', `${n} images but ${opts.labels.length} labels`);
  const pad = opts.pad ?? 2;
  const fs = opts.fontScale ?? 1;
  const labelH = opts.labels ? GLYPH_HEIGHT * fs + 2 : 0;
  const cellW = Math.max(...imgs.map((m) => m.shape[2]), ...(opts.labels ?? []).map((l) => textWidth(l, fs)));
  const cellH = Math.max(...imgs.map((m) => m.shape[1])) + labelH;
  const rows = Math.ceil(n / cols);
  const W = cols * cellW + (cols + 1) * pad;
  const H = rows * cellH + (rows + 1) * pad;
  const bg = opts.background ?? 1;
  const out = new Float32Array(3 * H * W).fill(bg);
  const ink = bg > 0.5 ? 0 : 1;
  imgs.forEach((m, idx) => {
    const x0 = pad + (idx % cols) * (cellW + pad);
    const y0 = pad + Math.floor(idx / cols) * (cellH + pad);
    const [, h, w] = m.shape;
    const ox = x0 + Math.floor((cellW - w) / 2);
    for (let k = 0; k < 3; k++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[k * H * W + (y0 + i) * W + ox + j] = m.data[k * h * w + i * w + j];
    const label = opts.labels?.[idx];
    if (label) {
      const tx = x0 + Math.floor((cellW - textWidth(label, fs)) / 2);
      drawText(label, tx, y0 + cellH - labelH + 2, fs, (px, py) => {
        if (px >= 0 && px < W && py >= 0 && py < H) for (let k = 0; k < 3; k++) out[k * H * W + py * W + px] = ink;
      });
    }
  });
  return new Tensor(out, [3, H, W]);
}
