import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError } from '../../src/tensor/index.js';
import { averagePrecisionAllPoint, cocoMAP, vocMAP, type Detections, type GroundTruth } from '../../src/vision/detection-metrics.js';
import { assertThrowsWith } from '../helpers.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

// Two images, one class (0). Detections by score: TP (exact), FP (far away), TP (IoU 0.9),
// FP (IoU 0.82 with a box already taken): precision 1, 1/2, 2/3, 1/2 at recall 1/3, 1/3, 2/3, 2/3.
const gts: GroundTruth[] = [
  { boxes: [[0, 0, 10, 10]], labels: [0] },
  { boxes: [[0, 0, 10, 10], [20, 20, 30, 30]], labels: [0, 0] },
];
const dets: Detections[] = [
  { boxes: [[0, 0, 10, 10]], scores: [0.9], labels: [0] },
  { boxes: [[50, 50, 60, 60], [0, 0, 10, 9], [1, 0, 11, 10]], scores: [0.8, 0.7, 0.6], labels: [0, 0, 0] },
];

test('VOC all-point AP: hand-computed 1/3 * 1 + 1/3 * 2/3 = 5/9', () => {
  const r = vocMAP(gts, dets);
  close(r.map, 5 / 9);
  assert.deepEqual(r.perClass.map((c) => [c.label, c.numGroundTruth, c.numDetections]), [[0, 3, 4]]);
  close(averagePrecisionAllPoint([1, 0.5, 2 / 3, 0.5], [1 / 3, 1 / 3, 2 / 3, 2 / 3]), 5 / 9);
});

test('COCO mAP@[.5:.95]: 101-point AP 56/101 at IoU <= 0.9, 34/101 at 0.95', () => {
  const r = cocoMAP(gts, dets);
  // Recall thresholds 0..0.33 (34 of them) see precision 1, 0.34..0.66 (33) see 2/3, the rest 0.
  close(r.map50, 56 / 101);
  close(r.map75, 56 / 101);
  // At 0.95 the IoU-0.9 detection no longer matches: precision 1 up to recall 1/3 only.
  close(r.byThreshold[9].map, 34 / 101);
  close(r.map, (9 * 56 + 34) / 1010);
  assert.deepEqual(r.byThreshold.map((b) => b.iouThreshold), [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
});

test('mAP edge cases: no detections, class without ground truth, ties in score, several classes', () => {
  const none = vocMAP(gts, [{ boxes: [], scores: [], labels: [] }, { boxes: [], scores: [], labels: [] }]);
  assert.equal(none.map, 0);
  // Detections of class 7, which has no ground truth, are left out of the mean (VOC and COCO do the same).
  const extra: Detections[] = [{ ...dets[0], boxes: [...dets[0].boxes, [0, 0, 5, 5]], scores: [0.9, 0.99], labels: [0, 7] }, dets[1]];
  close(vocMAP(gts, extra).map, 5 / 9);
  // Equal scores: the earlier detection is ranked first. FP then TP: AP 1/2; TP then FP: AP 1.
  const g1: GroundTruth[] = [{ boxes: [[0, 0, 4, 4]], labels: [3] }];
  close(vocMAP(g1, [{ boxes: [[10, 10, 14, 14], [0, 0, 4, 4]], scores: [0.5, 0.5], labels: [3, 3] }]).map, 0.5);
  close(vocMAP(g1, [{ boxes: [[0, 0, 4, 4], [10, 10, 14, 14]], scores: [0.5, 0.5], labels: [3, 3] }]).map, 1);
  // Two classes: class 1 found perfectly (AP 1), class 0 as above (5/9): mean 7/9.
  const g2 = gts.map((g, i) => (i === 0 ? { boxes: [...g.boxes, [40, 40, 50, 50]], labels: [...g.labels, 1] } : g)) as GroundTruth[];
  const d2 = dets.map((d, i) => (i === 0 ? { boxes: [...d.boxes, [40, 40, 50, 50]], scores: [...d.scores, 0.1], labels: [...d.labels, 1] } : d)) as Detections[];
  const r = vocMAP(g2, d2);
  close(r.map, 7 / 9);
  assert.deepEqual(r.perClass.map((c) => c.label), [0, 1]);
  // No ground truth at all: nothing to average.
  assert.equal(vocMAP([{ boxes: [], labels: [] }], [{ boxes: [], scores: [], labels: [] }]).perClass.length, 0);
  assertThrowsWith(() => vocMAP(gts, [dets[0]]), ArgumentError, 'ground truth for 2 images but detections for 1');
  assertThrowsWith(() => cocoMAP(gts, [dets[0], { boxes: [[0, 0, 1, 1]], scores: [], labels: [0] }]), ArgumentError, 'image 1');
});
