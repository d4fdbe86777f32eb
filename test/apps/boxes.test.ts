import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError } from '../../src/tensor/index.js';
import { batchedNms, boxArea, clipBox, cxcywhToXyxy, giou, iou, iouMatrix, nms, xyxyToCxcywh, type Box } from '../../src/vision/boxes.js';
import { assertThrowsWith } from '../helpers.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('box conversions xyxy <-> cxcywh (hand values) and area', () => {
  assert.deepEqual(xyxyToCxcywh([1, 2, 5, 8]), [3, 5, 4, 6]);
  assert.deepEqual(cxcywhToXyxy([3, 5, 4, 6]), [1, 2, 5, 8]);
  assert.equal(boxArea([1, 2, 5, 8]), 24);
  assert.deepEqual(clipBox([-3, 2, 70, 8], 64, 64), [0, 2, 64, 8]);
  assertThrowsWith(() => xyxyToCxcywh([5, 0, 1, 1]), ArgumentError, 'x2 < x1');
  assertThrowsWith(() => cxcywhToXyxy([0, 0, -1, 1]), ArgumentError, 'width and height');
  assertThrowsWith(() => iou([0, 0, 1] as unknown as Box, [0, 0, 1, 1]), ArgumentError, '4 finite numbers');
});

test('IoU and GIoU: overlapping, disjoint, identical, nested (hand-computed)', () => {
  // Two 2x2 squares sharing one unit square: 1 / (4 + 4 - 1).
  close(iou([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7);
  // Hull 3x3 = 9, union 7: 1/7 - 2/9.
  close(giou([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7 - 2 / 9);
  close(iou([0, 0, 1, 1], [2, 0, 3, 1]), 0);
  close(giou([0, 0, 1, 1], [2, 0, 3, 1]), -1 / 3); // hull 3, union 2
  close(iou([0, 0, 4, 4], [0, 0, 4, 4]), 1);
  close(giou([0, 0, 4, 4], [1, 1, 3, 3]), 4 / 16); // nested: hull = union, so GIoU = IoU
  close(iou([0, 0, 0, 0], [0, 0, 0, 0]), 0);
  const m = iouMatrix([[0, 0, 2, 2], [0, 0, 1, 1]], [[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]]);
  assert.deepEqual(Array.from(m).map((v) => Math.round(v * 1e9) / 1e9), [1 / 7, 1, 0, 0, 1 / 4, 0].map((v) => Math.round(v * 1e9) / 1e9));
});

test('NMS: greedy by score, ties keep the earlier index, threshold is "suppress if IoU > t"', () => {
  const boxes: Box[] = [[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 10]];
  const scores = [0.9, 0.8, 0.7, 0.9];
  // IoU(A, B) = 81 / 119 = 0.68; D duplicates A with the same score and comes later.
  assert.deepEqual(nms(boxes, scores, 0.5), [0, 2]);
  assert.deepEqual(nms(boxes, scores, 0.7), [0, 1, 2]);
  assert.deepEqual(nms(boxes, scores, 1), [0, 3, 1, 2]);
  assert.deepEqual(nms([], [], 0.5), []);
  // Per class: B is of another class than A, so it survives.
  assert.deepEqual(batchedNms(boxes, scores, [0, 1, 0, 0], 0.5), [0, 1, 2]);
  assertThrowsWith(() => nms(boxes, [1], 0.5), ArgumentError, '4 boxes but 1 scores');
  assertThrowsWith(() => nms(boxes, scores, 1.5), ArgumentError, 'iouThreshold');
});
