/**
 * Detection metrics: PASCAL VOC mAP@0.5 (all-point interpolation, VOC 2010+)
 * and COCO mAP@[.5:.95] (101-point interpolation). Browser-safe.
 */
import { ArgumentError } from '../tensor/index.js';
import { iou, type Box } from './boxes.js';

export interface GroundTruth {
  boxes: readonly Box[];
  labels: readonly number[];
}

export interface Detections extends GroundTruth {
  scores: readonly number[];
}

export interface ClassAP {
  label: number;
  ap: number;
  numGroundTruth: number;
  numDetections: number;
}

export interface MAPResult {
  /** Mean over the classes that have ground truth (classes without any are left out, as VOC and COCO do). */
  map: number;
  perClass: ClassAP[];
}

type Matching = 'voc' | 'coco';

function check(op: string, gts: readonly GroundTruth[], dets: readonly Detections[]): void {
  if (gts.length !== dets.length) throw new ArgumentError(op, `got ground truth for ${gts.length} images but detections for ${dets.length}`);
  gts.forEach((g, i) => {
    if (g.boxes.length !== g.labels.length) throw new ArgumentError(op, `image ${i}: ${g.boxes.length} ground-truth boxes but ${g.labels.length} labels`);
  });
  dets.forEach((d, i) => {
    if (d.boxes.length !== d.labels.length || d.boxes.length !== d.scores.length) {
      throw new ArgumentError(op, `image ${i}: detections need as many labels and scores as boxes, got ${d.boxes.length}, ${d.labels.length}, ${d.scores.length}`);
    }
  });
}

/**
 * True/false positive flags of one class's detections sorted by descending
 * score (equal scores keep image order, then detection order). 'voc': each
 * detection takes the ground-truth box it overlaps most; if that box is taken
 * already it is a false positive. 'coco': it takes the best-overlapping box
 * still free.
 */
function matchClass(label: number, gts: readonly GroundTruth[], dets: readonly Detections[], thr: number, rule: Matching): { tp: Uint8Array; numGt: number } {
  const list: { img: number; box: Box; score: number; k: number }[] = [];
  dets.forEach((d, img) => d.labels.forEach((l, j) => { if (l === label) list.push({ img, box: d.boxes[j], score: d.scores[j], k: list.length }); }));
  list.sort((a, b) => b.score - a.score || a.k - b.k);
  const gtBoxes = gts.map((g) => g.boxes.filter((_b, j) => g.labels[j] === label));
  const used = gtBoxes.map((b) => new Uint8Array(b.length));
  const tp = new Uint8Array(list.length);
  list.forEach((d, i) => {
    let best = -1;
    let bestIoU = -Infinity;
    gtBoxes[d.img].forEach((g, j) => {
      if (rule === 'coco' && used[d.img][j]) return;
      const o = iou(d.box, g);
      if (o > bestIoU) { bestIoU = o; best = j; }
    });
    if (best >= 0 && bestIoU >= thr && !used[d.img][best]) { tp[i] = 1; used[d.img][best] = 1; }
  });
  return { tp, numGt: gtBoxes.reduce((s, b) => s + b.length, 0) };
}

function precisionRecall(tp: Uint8Array, numGt: number): { precision: number[]; recall: number[] } {
  const precision: number[] = [];
  const recall: number[] = [];
  let t = 0;
  tp.forEach((v, i) => {
    t += v;
    precision.push(t / (i + 1));
    recall.push(t / numGt);
  });
  return { precision, recall };
}

/** Area under the precision envelope (max precision at any recall ≥ r), summed where recall changes. */
export function averagePrecisionAllPoint(precision: readonly number[], recall: readonly number[]): number {
  const p = [0, ...precision, 0];
  const r = [0, ...recall, 1];
  for (let i = p.length - 2; i >= 0; i--) p[i] = Math.max(p[i], p[i + 1]);
  let ap = 0;
  for (let i = 1; i < r.length; i++) if (r[i] !== r[i - 1]) ap += (r[i] - r[i - 1]) * p[i];
  return ap;
}

/** COCO's AP: the envelope's precision at recall 0, 0.01, …, 1 (0 beyond the last recall reached), averaged. */
export function averagePrecision101(precision: readonly number[], recall: readonly number[]): number {
  const p = [...precision];
  for (let i = p.length - 2; i >= 0; i--) p[i] = Math.max(p[i], p[i + 1]);
  let s = 0;
  let j = 0;
  for (let k = 0; k <= 100; k++) {
    const t = k / 100;
    while (j < recall.length && recall[j] < t - 1e-12) j++;
    if (j < recall.length) s += p[j];
  }
  return s / 101;
}

function classesOf(gts: readonly GroundTruth[]): number[] {
  return [...new Set(gts.flatMap((g) => g.labels))].sort((a, b) => a - b);
}

function mapAt(gts: readonly GroundTruth[], dets: readonly Detections[], thr: number, rule: Matching): MAPResult {
  const perClass = classesOf(gts).map((label) => {
    const { tp, numGt } = matchClass(label, gts, dets, thr, rule);
    const { precision, recall } = precisionRecall(tp, numGt);
    const ap = rule === 'voc' ? averagePrecisionAllPoint(precision, recall) : averagePrecision101(precision, recall);
    return { label, ap, numGroundTruth: numGt, numDetections: tp.length };
  });
  const map = perClass.length ? perClass.reduce((s, c) => s + c.ap, 0) / perClass.length : 0;
  return { map, perClass };
}

/** PASCAL VOC mean average precision at an IoU threshold (default 0.5), all-point interpolation. */
export function vocMAP(gts: readonly GroundTruth[], dets: readonly Detections[], iouThreshold = 0.5): MAPResult {
  check('vocMAP', gts, dets);
  if (!(iouThreshold > 0 && iouThreshold <= 1)) throw new ArgumentError('vocMAP', `iouThreshold must be in (0, 1], got ${iouThreshold}`);
  return mapAt(gts, dets, iouThreshold, 'voc');
}

export interface CocoMAPResult {
  /** mAP averaged over IoU thresholds 0.50, 0.55, …, 0.95. */
  map: number;
  map50: number;
  map75: number;
  /** One entry per threshold. */
  byThreshold: { iouThreshold: number; map: number }[];
}

/** COCO's mAP@[.5:.95]: COCO matching and 101-point AP at ten IoU thresholds (no area ranges, no detection cap). */
export function cocoMAP(gts: readonly GroundTruth[], dets: readonly Detections[]): CocoMAPResult {
  check('cocoMAP', gts, dets);
  const byThreshold = Array.from({ length: 10 }, (_v, i) => {
    const t = Math.round((0.5 + 0.05 * i) * 100) / 100;
    return { iouThreshold: t, map: mapAt(gts, dets, t, 'coco').map };
  });
  return { map: byThreshold.reduce((s, b) => s + b.map, 0) / 10, map50: byThreshold[0].map, map75: byThreshold[5].map, byThreshold };
}
