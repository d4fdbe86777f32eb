import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, FormatError } from '../../src/tensor/index.js';
import { loadMNIST } from '../../src/data/mnist-node.js';
import { generateDigitScenes, resizeItem } from '../../src/vision/scenes.js';
import { loadDigitScenes, readScenes, writeScenes } from '../../src/vision/scenes-node.js';
import { assertThrowsWith } from '../helpers.js';

const S = 64;
const THR = 0.25;

test('boxes are tight around each item\'s pixels and masks agree with the pixels placed', () => {
  const set = loadDigitScenes({ split: 'train', itemLimit: 500, count: 40, size: S, maxOverlap: 0, seed: 3 });
  let objects = 0;
  for (let i = 0; i < 40; i++) {
    const img = set.images.data.subarray(i * S * S, (i + 1) * S * S);
    const mask = set.masks.data.subarray(i * S * S, (i + 1) * S * S);
    // Without noise or clutter a pixel is labelled exactly when some item put a value >= threshold there.
    for (let q = 0; q < S * S; q++) assert.equal(mask[q] !== 0, img[q] >= THR, `scene ${i} pixel ${q}`);
    for (let q = 0; q < S * S; q++) {
      if (mask[q] === 0) continue;
      const x = q % S, y = Math.floor(q / S);
      assert.ok(set.objects[i].some((o) => o.label + 1 === mask[q] && x >= o.box[0] && x < o.box[2] && y >= o.box[1] && y < o.box[3]), `scene ${i}: labelled pixel (${x}, ${y}) outside every box of its class`);
    }
    for (const o of set.objects[i]) {
      objects++;
      let x1 = S, y1 = S, x2 = -1, y2 = -1;
      for (let y = o.box[1]; y < o.box[3]; y++) for (let x = o.box[0]; x < o.box[2]; x++) {
        if (mask[y * S + x] !== o.label + 1) continue;
        x1 = Math.min(x1, x); x2 = Math.max(x2, x); y1 = Math.min(y1, y); y2 = Math.max(y2, y);
      }
      assert.deepEqual([x1, y1, x2 + 1, y2 + 1], [...o.box], `scene ${i}: box not tight`);
    }
  }
  const counts = set.objects.map((o) => o.length);
  assert.ok(Math.min(...counts) >= 1 && Math.max(...counts) <= 5 && objects > 80, `object counts ${counts.join(',')}`);
});

test('seeded scenes are identical across runs; another seed differs', () => {
  const a = loadDigitScenes({ split: 'test', itemLimit: 300, count: 5, clutter: 3, noise: 0.05, seed: 11 });
  const b = loadDigitScenes({ split: 'test', itemLimit: 300, count: 5, clutter: 3, noise: 0.05, seed: 11 });
  const c = loadDigitScenes({ split: 'test', itemLimit: 300, count: 5, clutter: 3, noise: 0.05, seed: 12 });
  assert.deepEqual(Array.from(a.images.data), Array.from(b.images.data));
  assert.deepEqual(Array.from(a.masks.data), Array.from(b.masks.data));
  assert.deepEqual(a.objects, b.objects);
  assert.notDeepEqual(Array.from(a.images.data), Array.from(c.images.data));
});

test('split discipline: train scenes show training items, test scenes test items', () => {
  const train = loadMNIST({ split: 'train', limit: 200 });
  const testItems = loadMNIST({ split: 'test', limit: 200 });
  for (const [split, items] of [['train', train], ['test', testItems]] as const) {
    const set = loadDigitScenes({ split, itemLimit: 200, count: 10, maxObjects: 1, seed: 5 });
    assert.equal(set.split, split);
    for (let i = 0; i < 10; i++) {
      const o = set.objects[i][0];
      assert.equal(o.label, items.labels.data[o.sourceIndex]);
      // Re-render the item from its source split and find it at its box in the scene.
      const s0 = o.box[2] - o.box[0];
      let found = false;
      for (let s = 14; s <= 28 && !found; s++) {
        const patch = resizeItem(items.raw, o.sourceIndex * 784, 28, 28, s);
        for (let py = Math.max(0, o.box[3] - s); py <= Math.min(o.box[1], S - s) && !found; py++) for (let px = Math.max(0, o.box[2] - s); px <= Math.min(o.box[0], S - s) && !found; px++) {
          let ok = true;
          for (let q = 0; q < s * s && ok; q++) ok = set.images.data[i * S * S + (py + Math.floor(q / s)) * S + px + (q % s)] === patch[q];
          found = ok;
        }
      }
      assert.ok(found, `${split} scene ${i}: item ${o.sourceIndex} (box width ${s0}) not found in its source split`);
    }
  }
});

test('on-disk format: write, read back, and clear errors for bad annotations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenes-'));
  try {
    const set = loadDigitScenes({ split: 'test', itemLimit: 100, count: 3, seed: 1 });
    writeScenes(dir, set);
    const back = readScenes(dir);
    assert.deepEqual(back.objects.map((os) => os.map((o) => [o.box, o.label])), set.objects.map((os) => os.map((o) => [o.box, o.label])));
    assert.deepEqual(Array.from(back.masks.data), Array.from(set.masks.data));
    const err = Array.from(back.images.data).reduce((m, v, q) => Math.max(m, Math.abs(v - set.images.data[q])), 0);
    assert.ok(err <= 0.5 / 255 + 1e-6, `8-bit round trip error ${err}`);
    assert.deepEqual(back.classNames, set.classNames);
    const file = join(dir, 'annotations.json');
    const coco = JSON.parse(readFileSync(file, 'utf8'));
    // An image without annotations is a valid empty scene.
    writeFileSync(file, JSON.stringify({ ...coco, annotations: [] }));
    assert.deepEqual(readScenes(dir).objects, [[], [], []]);
    writeFileSync(file, JSON.stringify({ ...coco, annotations: [{ ...coco.annotations[0], bbox: [60, 10, 10, 10] }] }));
    assertThrowsWith(() => readScenes(dir), FormatError, 'outside the 64×64 image');
    writeFileSync(file, JSON.stringify({ ...coco, images: [{ ...coco.images[0], mask_file: 'images/000001.png', width: 32, height: 32 }] }));
    assertThrowsWith(() => readScenes(dir), FormatError, 'is 64×64 but annotations.json says 32×32');
    writeFileSync(file, JSON.stringify({ ...coco, images: [] }));
    assertThrowsWith(() => readScenes(dir), FormatError, 'has no images');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assertThrowsWith(() => loadDigitScenes({ split: 'val' as never, count: 1 }), ArgumentError, "split must be 'train' or 'test'");
  assertThrowsWith(() => generateDigitScenes(loadMNIST({ split: 'test', limit: 5 }), 'test', { count: 1, maxScale: 80 }), ArgumentError, 'minScale <= maxScale <= size');
});
