import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, ShapeError, Tensor } from '../../src/tensor/index.js';
import { setBackend } from '../../src/backend/index.js';
import { loadMNIST } from '../../src/data/mnist-node.js';
import { generateDigitScenes, subsetClasses } from '../../src/vision/scenes.js';
import { FCN, UNet, SegmentationMeter, argmaxClasses, medianFrequencyWeights } from '../../src/vision/segmentation.js';
import { evaluateSegmenter, trainSegmenter } from '../../src/vision/tasks.js';
import { assertThrowsWith } from '../helpers.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('pixel accuracy and mean IoU from a hand-computed confusion matrix, with ignored pixels', () => {
  const m = new SegmentationMeter(3, 255);
  //            target: 0 0 0 1 1 2 2 255
  //        prediction: 0 0 1 1 2 2 2 0
  m.update([0, 0, 1, 1, 2, 2, 2, 0], [0, 0, 0, 1, 1, 2, 2, 255]);
  const r = m.result();
  close(r.pixelAccuracy, 5 / 7);
  // class 0: TP 2, FP 0, FN 1 -> 2/3; class 1: TP 1, FP 1, FN 1 -> 1/3; class 2: TP 2, FP 1, FN 0 -> 2/3.
  close(r.iou[0], 2 / 3); close(r.iou[1], 1 / 3); close(r.iou[2], 2 / 3);
  close(r.meanIoU, 5 / 9);
  // A class absent from both prediction and target has no IoU and stays out of the mean.
  const m2 = new SegmentationMeter(3);
  m2.update([0, 1], [0, 1]);
  assert.ok(Number.isNaN(m2.result().iou[2]));
  close(m2.result().meanIoU, 1);
  assertThrowsWith(() => m.update([0, 1], [0]), ArgumentError, 'a mask must match its image');
  assertThrowsWith(() => m.update([0, 3], [0, 1]), ArgumentError, 'outside [0, 3)');
});

test('median-frequency class weights and per-pixel argmax', () => {
  // counts: class 0 six times, class 1 twice, class 2 once -> median count 2 -> weights 2/6, 1, 2.
  const w = medianFrequencyWeights([0, 0, 0, 0, 0, 0, 1, 1, 2, -1], 4);
  assert.deepEqual(Array.from(w.data).map((v) => Math.round(v * 1e6) / 1e6), [0.333333, 1, 2, 0]);
  const scores = new Tensor(Float32Array.from([1, 5, 0, 2, /* class 1 */ 3, 1, 0, 9]), [1, 2, 2, 2]);
  assert.deepEqual(Array.from(argmaxClasses(scores)), [1, 0, 0, 1]);
});

test('FCN and U-Net give full-resolution class scores and refuse sizes they cannot halve', () => {
  const x = new Tensor(new Float32Array(2 * 16 * 16), [2, 1, 16, 16]);
  for (const m of [new FCN({ numClasses: 11, width: 4 }), new UNet({ numClasses: 11, width: 4 })]) {
    assert.deepEqual(m.call(x).shape, [2, 11, 16, 16]);
    assertThrowsWith(() => m.call(new Tensor(new Float32Array(12 * 12), [1, 1, 12, 12])), ShapeError, 'multiples of 8');
    assert.deepEqual(m.toConfig(), { inChannels: 1, numClasses: 11, width: 4 });
  }
  assertThrowsWith(() => new UNet({ numClasses: 0 }), ArgumentError, 'numClasses');
});

test('a U-Net trained for 120 steps on small scenes beats the all-background prediction by 0.25 mIoU', async () => {
  await setBackend('wasm');
  try {
    // Two digit classes (0 and 1) keep this CI-sized: 3 mask classes.
    const pick = (split: 'train' | 'test') => subsetClasses(loadMNIST({ split, limit: 2000 }), [0, 1]);
    const opts = { size: 24, minScale: 10, maxScale: 14, maxObjects: 2 };
    const train = generateDigitScenes(pick('train'), 'train', { ...opts, count: 400, seed: 1 });
    const test = generateDigitScenes(pick('test'), 'test', { ...opts, count: 100, seed: 2 });
    const run = trainSegmenter('unet', train, test, { steps: 120, batchSize: 8, lr: 5e-3, width: 4, seed: 0 });
    // The trivial baseline: every pixel background, scored by the same meter.
    const bg = new SegmentationMeter(3);
    bg.update(new Int32Array(test.masks.size), test.masks.data);
    const base = bg.result();
    assert.ok(run.metrics.meanIoU >= base.meanIoU + 0.25, `mIoU ${run.metrics.meanIoU.toFixed(3)} vs all-background ${base.meanIoU.toFixed(3)}`);
    assert.ok(run.metrics.pixelAccuracy > base.pixelAccuracy, `pixel accuracy ${run.metrics.pixelAccuracy} vs ${base.pixelAccuracy}`);
    close(evaluateSegmenter(run.model, test).meanIoU, run.metrics.meanIoU);
    assert.ok(run.curve[run.curve.length - 1] < run.curve[0]);
  } finally {
    await setBackend('reference');
  }
});
