/**
 * "Digit scenes": real MNIST / Fashion-MNIST items placed at random positions
 * and scales on a larger black canvas, with exact boxes and per-pixel class
 * masks. Browser-safe: it takes already-loaded item data (see loadDigitScenes
 * in scenes-node.ts for the Node loader that keeps splits apart).
 */
import { ArgumentError, RNG, Tensor } from '../tensor/index.js';
import type { ImageClassificationData, Split } from '../data/mnist.js';
import type { Box } from './boxes.js';

export interface SceneObject {
  /** Tight xyxy pixel box around the item's pixels (value ≥ the scene's threshold), x2/y2 exclusive. */
  box: Box;
  /** Class index 0..K−1; the mask holds label + 1. */
  label: number;
  /** Index of the item in its source split, for provenance checks. */
  sourceIndex: number;
}

export interface SceneSet {
  /** float32 [N, 1, S, S] in [0, 1]. */
  images: Tensor;
  /** int32 [N, S, S]: 0 background, label + 1 on the item's pixels (a later item wins where two overlap). */
  masks: Tensor;
  objects: SceneObject[][];
  classNames: readonly string[];
  /** The split the items came from ('train', 'test', or 'file' for data loaded from disk). */
  split: Split | 'file';
  size: number;
}

export interface SceneOptions {
  count: number;
  /** Canvas side in pixels (default 64). */
  size?: number;
  minObjects?: number;
  maxObjects?: number;
  /** Side of the resized 28×28 item, in pixels (defaults 14 and 28). */
  minScale?: number;
  maxScale?: number;
  /** Largest IoU allowed between two objects' boxes (default 0.1; 0 keeps boxes disjoint). */
  maxOverlap?: number;
  /** Unlabelled 8×8 fragments of other items, outside every box (default 0). */
  clutter?: number;
  /** Standard deviation of added Gaussian pixel noise (default 0), clamped to [0, 1]. */
  noise?: number;
  /** Pixel value from which a pixel belongs to the item (box and mask), default 0.25. */
  threshold?: number;
  seed?: number;
}

/** Bilinear resize of a 28×28 (h×w) uint8 item to s×s values in [0, 1] (pixel-centre alignment, as align_corners=False). */
export function resizeItem(raw: Uint8Array, offset: number, h: number, w: number, s: number): Float32Array {
  const out = new Float32Array(s * s);
  for (let oy = 0; oy < s; oy++) {
    const fy = Math.min(Math.max(((oy + 0.5) * h) / s - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const dy = fy - y0;
    for (let ox = 0; ox < s; ox++) {
      const fx = Math.min(Math.max(((ox + 0.5) * w) / s - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const dx = fx - x0;
      const p = (y: number, x: number) => raw[offset + y * w + x];
      const v = (1 - dy) * ((1 - dx) * p(y0, x0) + dx * p(y0, x1)) + dy * ((1 - dx) * p(y1, x0) + dx * p(y1, x1));
      out[oy * s + ox] = v / 255;
    }
  }
  return out;
}

/** Tight box of the pixels ≥ thr in an s×s patch, relative to the patch, or null when none. */
function patchBox(patch: Float32Array, s: number, thr: number): Box | null {
  let x1 = s, y1 = s, x2 = -1, y2 = -1;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      if (patch[y * s + x] < thr) continue;
      x1 = Math.min(x1, x); x2 = Math.max(x2, x); y1 = Math.min(y1, y); y2 = Math.max(y2, y);
    }
  }
  return x2 < 0 ? null : [x1, y1, x2 + 1, y2 + 1];
}

function boxIoU(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

function resolve(o: SceneOptions): Required<SceneOptions> {
  const r = {
    count: o.count, size: o.size ?? 64, minObjects: o.minObjects ?? 1, maxObjects: o.maxObjects ?? 5, minScale: o.minScale ?? 14, maxScale: o.maxScale ?? 28,
    maxOverlap: o.maxOverlap ?? 0.1, clutter: o.clutter ?? 0, noise: o.noise ?? 0, threshold: o.threshold ?? 0.25, seed: o.seed ?? 0,
  };
  const op = 'digitScenes';
  for (const k of ['count', 'size', 'minObjects', 'maxObjects', 'minScale', 'maxScale', 'clutter'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < (k === 'count' || k === 'clutter' ? 0 : 1)) throw new ArgumentError(op, `${k} must be a ${k === 'count' || k === 'clutter' ? 'non-negative' : 'positive'} integer, got ${r[k]}`);
  }
  if (r.minObjects > r.maxObjects) throw new ArgumentError(op, `minObjects ${r.minObjects} > maxObjects ${r.maxObjects}`);
  if (r.minScale > r.maxScale || r.maxScale > r.size) throw new ArgumentError(op, `need minScale <= maxScale <= size, got ${r.minScale}, ${r.maxScale}, ${r.size}`);
  if (!(r.maxOverlap >= 0 && r.maxOverlap <= 1)) throw new ArgumentError(op, `maxOverlap must be in [0, 1], got ${r.maxOverlap}`);
  if (!(r.noise >= 0)) throw new ArgumentError(op, `noise must be >= 0, got ${r.noise}`);
  if (!(r.threshold > 0 && r.threshold <= 1)) throw new ArgumentError(op, `threshold must be in (0, 1], got ${r.threshold}`);
  return r;
}

/**
 * Generate `count` scenes from the items of one split (seeded: the same data,
 * options and seed give identical scenes). An object that finds no place
 * within maxOverlap after 50 tries is dropped, so a scene may hold fewer than
 * minObjects only on a crowded canvas.
 */
export function generateDigitScenes(data: ImageClassificationData, split: Split, options: SceneOptions): SceneSet {
  const o = resolve(options);
  const [n, , h, w] = data.images.shape;
  if (n === 0) throw new ArgumentError('digitScenes', 'the item data set is empty');
  const S = o.size;
  const rng = new RNG(o.seed);
  const images = new Float32Array(o.count * S * S);
  const masks = new Int32Array(o.count * S * S);
  const objects: SceneObject[][] = [];
  for (let i = 0; i < o.count; i++) {
    const img = images.subarray(i * S * S, (i + 1) * S * S);
    const mask = masks.subarray(i * S * S, (i + 1) * S * S);
    const objs: SceneObject[] = [];
    const want = rng.int(o.minObjects, o.maxObjects + 1);
    for (let k = 0; k < want; k++) {
      for (let attempt = 0; attempt < 50; attempt++) {
        const src = rng.int(0, n);
        const s = rng.int(o.minScale, o.maxScale + 1);
        const patch = resizeItem(data.raw, src * h * w, h, w, s);
        const rel = patchBox(patch, s, o.threshold);
        if (!rel) continue;
        const px = rng.int(0, S - s + 1);
        const py = rng.int(0, S - s + 1);
        const box: Box = [rel[0] + px, rel[1] + py, rel[2] + px, rel[3] + py];
        if (objs.some((b) => boxIoU(b.box, box) > o.maxOverlap || (o.maxOverlap === 0 && overlaps(b.box, box)))) continue;
        const label = data.labels.data[src];
        for (let y = 0; y < s; y++) {
          for (let x = 0; x < s; x++) {
            const v = patch[y * s + x];
            const q = (py + y) * S + px + x;
            if (v > img[q]) img[q] = v;
            if (v >= o.threshold) mask[q] = label + 1;
          }
        }
        objs.push({ box, label, sourceIndex: src });
        break;
      }
    }
    addClutter(img, S, objs, data, o, rng);
    if (o.noise > 0) for (let q = 0; q < img.length; q++) img[q] = Math.min(1, Math.max(0, img[q] + o.noise * rng.normal()));
    objects.push(objs);
  }
  return {
    images: new Tensor(images, [o.count, 1, S, S]), masks: new Tensor(masks, [o.count, S, S]), objects, classNames: data.classNames, split, size: S,
  };
}

function overlaps(a: Box, b: Box): boolean {
  return Math.min(a[2], b[2]) > Math.max(a[0], b[0]) && Math.min(a[3], b[3]) > Math.max(a[1], b[1]);
}

/** Fragments of other items, kept outside every object box so boxes stay tight and masks stay true. */
function addClutter(img: Float32Array, S: number, objs: SceneObject[], data: ImageClassificationData, o: Required<SceneOptions>, rng: RNG): void {
  const [n, , h, w] = data.images.shape;
  const F = 8;
  for (let c = 0; c < o.clutter; c++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const src = rng.int(0, n);
      const sx = rng.int(0, w - F + 1);
      const sy = rng.int(0, h - F + 1);
      const px = rng.int(0, S - F + 1);
      const py = rng.int(0, S - F + 1);
      const box: Box = [px, py, px + F, py + F];
      if (objs.some((b) => overlaps(b.box, box))) continue;
      for (let y = 0; y < F; y++) {
        for (let x = 0; x < F; x++) {
          const v = data.raw[src * h * w + (sy + y) * w + sx + x] / 255;
          const q = (py + y) * S + px + x;
          if (v > img[q]) img[q] = v;
        }
      }
      break;
    }
  }
}

/** Scenes with exactly one object, for classification with localisation. */
export function singleObjectScenes(data: ImageClassificationData, split: Split, options: Omit<SceneOptions, 'minObjects' | 'maxObjects'>): SceneSet {
  return generateDigitScenes(data, split, { ...options, minObjects: 1, maxObjects: 1 });
}

/** The items of the given classes only, relabelled 0..k−1 in the order given (small scene tasks, e.g. two digit classes). */
export function subsetClasses(data: ImageClassificationData, classes: readonly number[]): ImageClassificationData {
  const [n, , h, w] = data.images.shape;
  classes.forEach((c) => { if (!(Number.isInteger(c) && c >= 0 && c < data.classNames.length)) throw new ArgumentError('subsetClasses', `class ${c} is outside [0, ${data.classNames.length})`); });
  const idx = Array.from({ length: n }, (_v, i) => i).filter((i) => classes.includes(data.labels.data[i]));
  const raw = new Uint8Array(idx.length * h * w);
  idx.forEach((i, k) => raw.set(data.raw.subarray(i * h * w, (i + 1) * h * w), k * h * w));
  const images = new Tensor(Float32Array.from(raw, (v) => v / 255), [idx.length, 1, h, w]);
  const labels = new Tensor(Int32Array.from(idx, (i) => classes.indexOf(data.labels.data[i])), [idx.length]);
  const classNames = classes.map((c) => data.classNames[c]);
  return { images, raw, labels, classNames, dataset: () => { throw new ArgumentError('subsetClasses', 'the subset is for scene generation; it has no dataset()'); } };
}
