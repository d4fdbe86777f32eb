import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { FormatError } from '../../src/tensor/index.js';
import { crc32 } from '../../src/io/crc32.js';
import { loadMNIST } from '../../src/data/index.js';
import { imageToMnistTensor, MAX_IMAGE_PIXELS, pngSize, readGrayImage } from '../../src/cli/images.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'receptive-images-'));
const digit = loadMNIST({ split: 'test', limit: 1 }).raw;

function png(file: string, pixel: (i: number) => [number, number, number, number]): string {
  const p = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 784; i++) p.data.set(pixel(i), 4 * i);
  writeFileSync(join(dir, file), PNG.sync.write(p));
  return join(dir, file);
}

test('a canvas drawing (black ink on a transparent background) reads as the digit, like ink on paper', () => {
  // Ink coverage = the MNIST intensity; colour black; the background fully transparent.
  const canvas = png('canvas.png', (i) => [0, 0, 0, digit[i]]);
  const paper = png('paper.png', (i) => [255 - digit[i], 255 - digit[i], 255 - digit[i], 255]);
  const expected = Array.from(digit, (v) => v / 255);
  for (const f of [canvas, paper]) {
    const { tensor, blank } = imageToMnistTensor(f);
    assert.equal(blank, false);
    assertClose(tensor, expected, { atol: 1e-6 }, f);
  }
  // Half-transparent grey over white: luma 0.4 at alpha 0.5 gives 0.5 · 0.4 + 0.5 = 0.7.
  const grey = png('grey.png', () => [102, 102, 102, 128]);
  assertClose(readGrayImage(grey).gray.subarray(0, 3), [0.7, 0.7, 0.7], { atol: 2e-3 });
});

test('a blank image (all transparent, or one flat colour) is flagged', () => {
  assert.equal(imageToMnistTensor(png('empty.png', () => [0, 0, 0, 0])).blank, true);
  assert.equal(imageToMnistTensor(png('flat.png', () => [30, 30, 30, 255])).blank, true);
});

test('a PNG whose header claims more than the pixel limit is refused before decoding', () => {
  const bytes = new Uint8Array(PNG.sync.write(new PNG({ width: 4, height: 4 })));
  assert.deepEqual(pngSize(bytes), { width: 4, height: 4 });
  // Rewrite IHDR to 40000 × 40000 with a valid CRC: without the check the decoder would allocate 6.4 GB.
  const v = new DataView(bytes.buffer);
  v.setUint32(16, 40000);
  v.setUint32(20, 40000);
  v.setUint32(29, crc32(bytes.subarray(12, 29)));
  const file = join(dir, 'huge.png');
  writeFileSync(file, bytes);
  const t0 = performance.now();
  const e = assertThrowsWith(() => readGrayImage(file), FormatError, 'huge.png', '40000 × 40000 = 1600000000 pixels', `limit of ${MAX_IMAGE_PIXELS}`);
  assert.match(e.message, /at byte 16/);
  assert.ok(performance.now() - t0 < 500);
});
