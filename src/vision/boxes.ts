/**
 * Box operations on plain numbers (browser-safe). A box is [x1, y1, x2, y2]
 * ('xyxy', corners, x2 > x1 means a positive width) or [cx, cy, w, h]
 * ('cxcywh'). Pixel boxes use continuous coordinates: a box around pixel
 * columns 3..7 is x1 = 3, x2 = 8, so width = number of pixels.
 */
import { ArgumentError } from '../tensor/index.js';

export type Box = readonly [number, number, number, number];

function checkBox(op: string, b: unknown, name = 'box'): Box {
  if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ArgumentError(op, `${name} must be 4 finite numbers, got ${JSON.stringify(b)}`);
  }
  return b as unknown as Box;
}

function checkXyxy(op: string, b: unknown, name = 'box'): Box {
  const x = checkBox(op, b, name);
  if (x[2] < x[0] || x[3] < x[1]) throw new ArgumentError(op, `${name} [${x.join(', ')}] has x2 < x1 or y2 < y1 (expected xyxy corners)`);
  return x;
}

export function xyxyToCxcywh(b: Box): Box {
  const [x1, y1, x2, y2] = checkXyxy('xyxyToCxcywh', b);
  return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1];
}

export function cxcywhToXyxy(b: Box): Box {
  const [cx, cy, w, h] = checkBox('cxcywhToXyxy', b);
  if (w < 0 || h < 0) throw new ArgumentError('cxcywhToXyxy', `width and height must be >= 0, got ${w}, ${h}`);
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

export function boxArea(b: Box): number {
  const [x1, y1, x2, y2] = checkXyxy('boxArea', b);
  return (x2 - x1) * (y2 - y1);
}

function intersection(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Intersection over union of two xyxy boxes; 0 when both are empty. */
export function iou(a: Box, b: Box): number {
  checkXyxy('iou', a, 'a');
  checkXyxy('iou', b, 'b');
  const inter = intersection(a, b);
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Generalised IoU (Rezatofighi et al. 2019): IoU − |C \ (A ∪ B)| / |C| with C
 * the smallest box enclosing both; in [−1, 1], and still informative when the
 * boxes do not overlap.
 */
export function giou(a: Box, b: Box): number {
  checkXyxy('giou', a, 'a');
  checkXyxy('giou', b, 'b');
  const inter = intersection(a, b);
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  const hull = (Math.max(a[2], b[2]) - Math.min(a[0], b[0])) * (Math.max(a[3], b[3]) - Math.min(a[1], b[1]));
  if (hull <= 0) return 0;
  const i = union > 0 ? inter / union : 0;
  return i - (hull - union) / hull;
}

/** The [a.length × b.length] IoU matrix, row-major. */
export function iouMatrix(a: readonly Box[], b: readonly Box[]): Float64Array {
  const out = new Float64Array(a.length * b.length);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i * b.length + j] = iou(a[i], b[j]);
  return out;
}

/**
 * Greedy non-maximum suppression: visit boxes by descending score (ties keep
 * the earlier index first), keep a box unless it overlaps an already-kept box
 * with IoU > iouThreshold. Returns the kept indices in that order (as
 * torchvision.ops.nms).
 */
export function nms(boxes: readonly Box[], scores: ArrayLike<number>, iouThreshold: number): number[] {
  if (scores.length !== boxes.length) throw new ArgumentError('nms', `got ${boxes.length} boxes but ${scores.length} scores`);
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new ArgumentError('nms', `iouThreshold must be in [0, 1], got ${iouThreshold}`);
  boxes.forEach((b, i) => checkXyxy('nms', b, `boxes[${i}]`));
  const order = Array.from(boxes.keys()).sort((i, j) => scores[j] - scores[i] || i - j);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.every((k) => iou(boxes[k], boxes[i]) <= iouThreshold)) kept.push(i);
  }
  return kept;
}

/** NMS within each class separately (a box never suppresses a box of another class). */
export function batchedNms(boxes: readonly Box[], scores: ArrayLike<number>, classes: ArrayLike<number>, iouThreshold: number): number[] {
  if (classes.length !== boxes.length) throw new ArgumentError('batchedNms', `got ${boxes.length} boxes but ${classes.length} classes`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < boxes.length; i++) byClass.set(classes[i], [...(byClass.get(classes[i]) ?? []), i]);
  const kept: number[] = [];
  for (const idx of byClass.values()) {
    for (const k of nms(idx.map((i) => boxes[i]), idx.map((i) => scores[i]), iouThreshold)) kept.push(idx[k]);
  }
  return kept.sort((i, j) => scores[j] - scores[i] || i - j);
}

/** Clip an xyxy box to a width × height image. */
export function clipBox(b: Box, width: number, height: number): Box {
  const [x1, y1, x2, y2] = checkXyxy('clipBox', b);
  const c = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return [c(x1, width), c(y1, height), c(x2, width), c(y2, height)];
}
