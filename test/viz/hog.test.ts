import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, ShapeError, ArgumentError } from '../../src/tensor/index.js';
import { readImage } from '../../src/data/image-node.js';
import { hog, hogHistograms, renderHog, type BlockNorm } from '../../src/viz/hog.js';
import { assertClose } from '../helpers.js';
import { FIXTURES, REF } from './ref.js';

test('hog equals skimage.feature.hog (feature_vector=True) element for element within 1e-5, on real photos, all four block norms', () => {
  for (const c of REF.hog) {
    const img = readImage(FIXTURES + c.image, { channels: 1 });
    const v = hog(img, { orientations: c.orientations, pixelsPerCell: c.pixelsPerCell, cellsPerBlock: c.cellsPerBlock, blockNorm: c.blockNorm as BlockNorm });
    assertClose(v.data, c.values, { atol: 1e-5, rtol: 0 }, `${c.image} ${c.orientations} ${c.pixelsPerCell} ${c.cellsPerBlock} ${c.blockNorm}`);
  }
});

test('a 64x128 window with the Dalal-Triggs defaults gives 3,780 values', () => {
  const img = readImage(FIXTURES + 'camera-64x128.png', { channels: 1 });
  assert.deepEqual(img.shape, [1, 128, 64]);
  assert.equal(hog(img).size, 3780);
});

test('hog by hand: a vertical step puts all its magnitude in the 0-degree bin of the cells on the edge', () => {
  // 8x16 image, columns 0-7 dark, 8-15 bright: gradient along columns only, orientation 0.
  const x = tensor(Array.from({ length: 8 }, () => Array.from({ length: 16 }, (_, j) => (j >= 8 ? 1 : 0))));
  const { histograms, cellsRow, cellsCol } = hogHistograms(x, 9, 8);
  assert.equal(cellsRow, 1);
  assert.equal(cellsCol, 2);
  // The central difference is 1 at columns 7 and 8 on every row: cell 0 holds column 7, cell 1 column 8,
  // each 8 pixels of magnitude 1 averaged over 64 pixels in bin 0, nothing elsewhere.
  assert.deepEqual([...histograms], [0.125, 0, 0, 0, 0, 0, 0, 0, 0, 0.125, 0, 0, 0, 0, 0, 0, 0, 0]);
  // One block of 1x2 cells, L1: each 0.125 / (0.25 + 1e-5).
  const v = hog(x, { cellsPerBlock: [1, 2], blockNorm: 'L1' });
  assertClose(v.data, [0.125 / 0.25001, 0, 0, 0, 0, 0, 0, 0, 0, 0.125 / 0.25001, 0, 0, 0, 0, 0, 0, 0, 0], { atol: 1e-12 });
});

test("renderHog equals skimage's visualize=True image", () => {
  const r = REF.hogImage;
  const img = readImage(FIXTURES + r.image, { channels: 1 });
  const out = renderHog(img, { orientations: r.orientations, pixelsPerCell: r.pixelsPerCell });
  assert.deepEqual(out.shape, r.shape);
  assertClose(out.data, r.data, { atol: 1e-5, rtol: 0 });
});

test('hog refuses colour images, too small images and unknown norms', () => {
  assert.throws(() => hog(new Tensor(new Float32Array(3 * 64 * 64), [3, 64, 64])), ShapeError);
  assert.throws(() => hog(new Tensor(new Float32Array(8 * 8), [8, 8])), /at least 16x16 pixels/);
  assert.throws(() => hog(new Tensor(new Float32Array(64 * 64), [64, 64]), { blockNorm: 'L3' as BlockNorm }), ArgumentError);
});
