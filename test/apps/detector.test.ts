import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, Tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { setBackend } from '../../src/backend/index.js';
import { loadDigitScenes } from '../../src/vision/scenes-node.js';
import { GridDetector, decodeGridDetections, encodeGridTargets, gridDetectionLoss } from '../../src/vision/detector.js';
import { smoothL1, ilsvrcLocalization, normalizedCxcywh, denormalizeBox, localizationLoss, Localizer } from '../../src/vision/localization.js';
import { vocMAP } from '../../src/vision/detection-metrics.js';
import { evaluateDetector, trainDetector } from '../../src/vision/tasks.js';
import { generateDigitScenes, subsetClasses, type SceneObject } from '../../src/vision/scenes.js';
import { loadMNIST } from '../../src/data/mnist-node.js';
import { assertThrowsWith } from '../helpers.js';

const logit = (p: number) => Math.log(p / (1 - p));

/** Detector outputs that say exactly what the targets say (large logits, inverse-sigmoid offsets). */
function perfectOutputs(objects: SceneObject[][], side: number, K: number, anchor: number): Record<string, Tensor> {
  const t = encodeGridTargets(objects, side, anchor);
  const [N, , G] = t.objectness.shape;
  const obj = Float32Array.from(t.objectness.data, (v) => (v > 0 ? 12 : -12));
  const cls = new Float32Array(N * K * G * G);
  t.classes.data.forEach((c, i) => { if (c >= 0) cls[(Math.floor(i / (G * G)) * K + c) * G * G + (i % (G * G))] = 12; });
  const box = Float32Array.from(t.box.data, (v, i) => (Math.floor(i / (G * G)) % 4 < 2 ? logit(Math.min(Math.max(v, 1e-6), 1 - 1e-6)) : v));
  return { objectness: new Tensor(obj, [N, 1, G, G]), classes: new Tensor(cls, [N, K, G, G]), box: new Tensor(box, [N, 4, G, G]) };
}

test('grid box encoding round-trips: decoding perfect outputs gives back every box, mAP 1', () => {
  const set = loadDigitScenes({ split: 'test', itemLimit: 300, count: 30, size: 48, minScale: 11, maxScale: 22, maxOverlap: 0, seed: 4 });
  const out = perfectOutputs(set.objects, 48, 10, 16);
  const dets = decodeGridDetections(out, 16, { scoreThreshold: 0.5 });
  const gts = set.objects.map((os) => ({ boxes: os.map((o) => o.box), labels: os.map((o) => o.label) }));
  let matched = 0;
  set.objects.forEach((os, n) => os.forEach((o) => {
    if (dets[n].boxes.some((b, j) => dets[n].labels[j] === o.label && b.every((v, k) => Math.abs(v - o.box[k]) < 1e-3))) matched++;
  }));
  const total = set.objects.reduce((s, os) => s + os.length, 0);
  // Only objects whose centre shares a cell with a larger one can be lost (one box per cell).
  const t = encodeGridTargets(set.objects, 48, 16);
  assert.equal(matched, t.numPositive);
  assert.ok(t.numPositive >= total - 2, `${t.numPositive} of ${total} objects own a cell`);
  if (t.numPositive === total) assert.equal(vocMAP(gts, dets).map, 1);
  // The loss at these outputs is far below the loss at all-zero outputs.
  const zero = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, new Tensor(new Float32Array(v.size), v.shape)]));
  assert.ok(gridDetectionLoss(out, t).item() < 0.01 * gridDetectionLoss(zero, t).item());
  assertThrowsWith(() => encodeGridTargets([[{ box: [40, 40, 50, 50], label: 0, sourceIndex: 0 }]], 48, 16), ArgumentError, 'outside the 48×48 image');
  assertThrowsWith(() => encodeGridTargets([[]], 50, 16), ArgumentError, 'multiple of 8');
});

test('smooth-L1 and the localisation loss: values by hand and gradients by finite differences (float64)', () => {
  const p = new Tensor(Float64Array.from([0.3, -2, 0.05, 1.5]), [4], true);
  const t = new Tensor(Float64Array.from([0, 0, 0, 1.45]), [4]);
  // beta 1: 0.5*0.09, 2 - 0.5, 0.5*0.0025, 0.5*0.0025.
  assert.deepEqual(Array.from(smoothL1(p, t, 1).data).map((v) => Math.round(v * 1e10) / 1e10), [0.045, 1.5, 0.00125, 0.00125]);
  assert.ok(gradcheck((a) => smoothL1(a, t, 0.5), [p]).ok);
  const logits = new Tensor(Float64Array.from([0.2, -0.1, 0.5, 1, 0, -1]), [2, 3], true);
  const box = new Tensor(Float64Array.from([0.5, 0.4, 0.2, 0.3, 0.1, 0.9, 0.5, 0.5]), [2, 4], true);
  const labels = new Tensor(Int32Array.from([2, 0]), [2]);
  const target = new Tensor(Float64Array.from([0.45, 0.5, 0.25, 0.3, 0.2, 0.7, 0.1, 0.6]), [2, 4]);
  for (const boxLoss of ['l2', 'smooth-l1'] as const) {
    const r = gradcheck((l, b) => localizationLoss({ logits: l, box: b }, labels, target, { boxLoss, beta: 0.13 }), [logits, box]);
    assert.ok(r.ok, `${boxLoss}: ${JSON.stringify(r.worst)}`);
  }
  assertThrowsWith(() => localizationLoss({ logits }, labels, target), ArgumentError, '"logits" and "box"');
});

test('ILSVRC top-1 localisation: class right and IoU >= 0.5, and normalised boxes round-trip', () => {
  const truth = [{ label: 1, box: [0, 0, 10, 10] as const }, { label: 2, box: [0, 0, 10, 10] as const }, { label: 3, box: [0, 0, 10, 10] as const }];
  // right class and IoU 0.5 exactly; right class but IoU 0.25; wrong class with a perfect box.
  const r = ilsvrcLocalization([{ label: 1, box: [0, 0, 10, 5] }, { label: 2, box: [0, 0, 5, 5] }, { label: 9, box: [0, 0, 10, 10] }], truth);
  assert.equal(r.top1LocalizationAccuracy, 1 / 3);
  assert.equal(r.classificationAccuracy, 2 / 3);
  assert.equal(r.boxAccuracy, 2 / 3);
  assert.deepEqual(denormalizeBox(normalizedCxcywh([4, 8, 20, 30], 48), 48).map((v) => Math.round(v * 1e9) / 1e9), [4, 8, 20, 30]);
  const m = new Localizer({ numClasses: 10, width: 4 });
  const out = m.call(new Tensor(new Float32Array(2 * 48 * 48), [2, 1, 48, 48]));
  assert.deepEqual([out.logits.shape, out.box.shape], [[2, 10], [2, 4]]);
  assertThrowsWith(() => ilsvrcLocalization([], []), ArgumentError, 'no samples');
});

test('the detector learns: 150 steps on 48x48 scenes of 0s and 1s beat the untrained detector by 0.3 mAP@0.5', async () => {
  await setBackend('wasm');
  try {
    // Digits 0 and 1 only keep this CI-sized (the full ten-class run is in docs/applications.md).
    const o = { size: 48, minScale: 12, maxScale: 20, maxObjects: 2 };
    const train = generateDigitScenes(subsetClasses(loadMNIST({ split: 'train', limit: 3000 }), [0, 1]), 'train', { ...o, count: 600, seed: 1 });
    const test = generateDigitScenes(subsetClasses(loadMNIST({ split: 'test', limit: 1000 }), [0, 1]), 'test', { ...o, count: 60, seed: 2 });
    const untrained = evaluateDetector(new GridDetector({ numClasses: 2, width: 4 }), test).voc.map;
    const run = trainDetector(train, test, { steps: 150, batchSize: 8, lr: 5e-3, width: 4 });
    assert.ok(run.voc.map >= untrained + 0.3, `mAP@0.5 ${run.voc.map.toFixed(3)} vs untrained ${untrained.toFixed(3)}`);
    assert.ok(run.coco.map <= run.voc.map + 1e-9);
  } finally {
    await setBackend('reference');
  }
});
