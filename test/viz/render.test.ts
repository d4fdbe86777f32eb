import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, ArgumentError } from '../../src/tensor/index.js';
import { colormap } from '../../src/viz/colormap.js';
import { mapToImage, grid } from '../../src/viz/render.js';
import { textWidth } from '../../src/viz/font.js';
import { REF } from './ref.js';

test("colour maps match matplotlib's 256-entry tables (viridis within 0.007, RdBu_r within 1e-6)", () => {
  for (const [name, tol] of [['viridis', 0.007], ['RdBu_r', 1e-6]] as const) {
    const table: number[] = REF.colormaps[name];
    let worst = 0;
    for (let i = 0; i < 256; i++) {
      const c = colormap(name, i / 255);
      for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(c[k] - table[3 * i + k]));
    }
    assert.ok(worst <= tol, `${name}: worst difference ${worst}`);
  }
  assert.throws(() => colormap('jet' as 'viridis', 0.5), /unknown colour map "jet"/);
});

test('mapToImage: minmax and symmetric ranges; scale', () => {
  const m = tensor([[-2, 0], [1, 2]]);
  const img = mapToImage(m, { cmap: 'gray' });
  assert.deepEqual(img.shape, [3, 2, 2]);
  assert.deepEqual([...img.data.subarray(0, 4)], [0, 0.5, 0.75, 1]);
  const s = mapToImage(m, { cmap: 'RdBu_r', range: 'symmetric', scale: 2 });
  assert.deepEqual(s.shape, [3, 4, 4]);
  // Zero maps to the middle of the diverging map: ColorBrewer's near-white 247.
  assert.ok(Math.abs(s.data[2] - 247 / 255) < 1e-6);
  assert.throws(() => mapToImage(tensor([[[1]], [[2]]]), {}), /single-channel map/);
});

test('grid places each image and draws labels in the cell below', () => {
  const a = mapToImage(tensor([[1]]), { cmap: 'gray', range: [0, 1] }); // one white pixel
  const b = mapToImage(tensor([[0]]), { cmap: 'gray', range: [0, 1] }); // one black pixel
  const g = grid([a, b], { cols: 2, pad: 1, background: 0.5 });
  assert.deepEqual(g.shape, [3, 3, 5]);
  assert.deepEqual([...g.data.subarray(5, 10)], [0.5, 1, 0.5, 0, 0.5]);
  const l = grid([a, b], { cols: 1, labels: ['7', 'A'] });
  const cellW = textWidth('7');
  assert.equal(l.shape[2], cellW + 4);
  // The top bar of the '7' (glyph row 0 = three lit pixels) is inked black at row 5, columns 2..4; row 6 only at column 4.
  const W = l.shape[2];
  assert.deepEqual([...l.data.subarray(5 * W + 2, 5 * W + 5)], [0, 0, 0]);
  assert.deepEqual([...l.data.subarray(6 * W + 2, 6 * W + 5)], [1, 1, 0]);
  assert.throws(() => grid([a], { labels: ['x', 'y'] }), ArgumentError);
});
