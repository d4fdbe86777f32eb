import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { FormatError, Tensor, tensor, ArgumentError } from '../../src/tensor/index.js';
import { readImage, writePng, decodeImage, encodePng } from '../../src/data/image-node.js';
import { ImageFolder } from '../../src/data/image-folder-node.js';
import { resize, normalizeImage, IMAGENET_MEAN, IMAGENET_STD, fromImageData, tensorToRGBA } from '../../src/data/image.js';
import { assertClose } from '../helpers.js';
import { FIXTURES, REF } from './ref.js';

const tmp = mkdtempSync(join(tmpdir(), 'viz-image-'));

test('readImage: grey and RGB PNGs as [C, H, W] in [0, 1], matching the raw bytes pngjs decodes', () => {
  const rgb = readImage(FIXTURES + 'astronaut-rgb-48x40.png');
  assert.deepEqual(rgb.shape, [3, 40, 48]);
  const png = PNG.sync.read(readFileSync(FIXTURES + 'astronaut-rgb-48x40.png'));
  for (const [y, x, c] of [[0, 0, 0], [39, 47, 2], [17, 30, 1]]) assert.equal(rgb.data[c * 40 * 48 + y * 48 + x], Math.fround(png.data[4 * (y * 48 + x) + c] / 255));
  const grey = readImage(FIXTURES + 'camera-64x128.png', { channels: 1 });
  assert.deepEqual(grey.shape, [1, 128, 64]);
  // A grey PNG read as RGB gives three equal channels.
  const g3 = readImage(FIXTURES + 'camera-64x128.png');
  assert.deepEqual(g3.data.subarray(0, 8192), g3.data.subarray(8192, 16384));
  assertClose(grey.data, g3.data.subarray(0, 8192), { atol: 1e-6 });
});

test('writePng then readImage round-trips 8-bit values; JPEG at quality 100 decodes within 3 levels', () => {
  const x = readImage(FIXTURES + 'astronaut-rgb-48x40.png');
  writePng(join(tmp, 'a.png'), x);
  assert.deepEqual(readImage(join(tmp, 'a.png')).data, x.data);
  const rgba = tensorToRGBA(x);
  writeFileSync(join(tmp, 'a.jpg'), jpeg.encode({ width: 48, height: 40, data: Buffer.from(rgba.data) }, 100).data);
  const j = readImage(join(tmp, 'a.jpg'));
  assert.deepEqual(j.shape, [3, 40, 48]);
  let worst = 0;
  for (let i = 0; i < j.size; i++) worst = Math.max(worst, Math.abs(j.data[i] - x.data[i]));
  assert.ok(worst <= 3 / 255 + 1e-6 && worst > 0, `worst JPEG difference ${worst * 255} levels`);
});

test('readImage: truncated, corrupt and oversized files are refused naming the file', () => {
  const good = readFileSync(FIXTURES + 'camera-64x128.png');
  const cut = join(tmp, 'cut.png');
  writeFileSync(cut, good.subarray(0, 200));
  assert.throws(() => readImage(cut), (e: Error) => e instanceof FormatError && e.message.includes(cut) && /PNG/.test(e.message));
  const header = join(tmp, 'header.png');
  writeFileSync(header, good.subarray(0, 20));
  assert.throws(() => readImage(header), (e: Error) => e instanceof FormatError && e.message.includes('IHDR') && e.message.includes('byte 20'));
  const text = join(tmp, 'x.png');
  writeFileSync(text, 'hello, not an image');
  assert.throws(() => readImage(text), (e: Error) => e instanceof FormatError && e.message.includes('unknown signature'));
  // A header claiming 100000 x 100000: refused from the header, before decoding.
  const huge = Buffer.from(good);
  huge.writeUInt32BE(100000, 16);
  huge.writeUInt32BE(100000, 20);
  assert.throws(() => decodeImage('huge.png', huge), /huge\.png: image is 100000x100000 = 10000000000 pixels, over the limit of 67108864/);
  assert.throws(() => readImage(FIXTURES + 'camera-64x128.png', { maxPixels: 1000 }), /over the limit of 1000/);
  const jpg = join(tmp, 'cut.jpg');
  const full = readFileSync(join(tmp, 'a.jpg'));
  writeFileSync(jpg, full.subarray(0, 100));
  assert.throws(() => readImage(jpg), (e: Error) => e instanceof FormatError && e.message.includes(jpg));
  assert.throws(() => readImage(join(tmp, 'missing.png')), /cannot read image .*missing\.png: ENOENT/);
});

test('resize equals skimage.transform.resize(order=1, anti_aliasing=True) within 1e-5', () => {
  const { shape, data } = REF.resize.input;
  const x = new Tensor(Float32Array.from(data), shape);
  for (const c of REF.resize.cases) {
    const y = resize(x, c.shape);
    assert.deepEqual(y.shape, c.shape);
    assertClose(y.data, c.data, { atol: 1e-5, rtol: 0 }, `resize to ${c.shape}`);
  }
  // [C, H, W]: each channel on its own.
  const two = new Tensor(Float32Array.from([...data, ...data.map((v: number) => 1 - v)]), [2, ...shape]);
  const y2 = resize(two, [13, 17]);
  assertClose(y2.data.subarray(0, 221), REF.resize.cases[0].data, { atol: 1e-5, rtol: 0 });
  assertClose(y2.data.subarray(221), REF.resize.cases[0].data.map((v: number) => 1 - v), { atol: 1e-5, rtol: 0 });
  assert.throws(() => resize(x, [0, 3] as [number, number]), ArgumentError);
});

test('normalizeImage with the ImageNet constants; fromImageData', () => {
  const x = new Tensor(Float32Array.from([0.485, 1, 0.456, 0, 0.406, 0.5]), [3, 1, 2]);
  const y = normalizeImage(x, IMAGENET_MEAN, IMAGENET_STD);
  assertClose(y.data, [0, (1 - 0.485) / 0.229, 0, -0.456 / 0.224, 0, (0.5 - 0.406) / 0.225]);
  assert.throws(() => normalizeImage(x, [0, 0], [1, 1]), /mean and std need 3 values/);
  const img = fromImageData({ width: 2, height: 1, data: Uint8ClampedArray.from([255, 0, 51, 255, 255, 255, 255, 0]) });
  assertClose(img.data, [1, 0, 0, 0, 0.2, 0]); // the second pixel is transparent: black
  const g = fromImageData({ width: 1, height: 1, data: Uint8ClampedArray.from([255, 0, 0, 255]) }, { channels: 1 });
  assertClose(g.data, [0.299]);
});

test('ImageFolder: one folder per class, sorted, resized to one size', () => {
  const root = join(tmp, 'folder');
  for (const c of ['cat', 'ant']) mkdirSync(join(root, c), { recursive: true });
  writeFileSync(join(root, 'ant', '1.png'), encodePng(tensor([[0, 1], [1, 0]])));
  writeFileSync(join(root, 'cat', '2.png'), readFileSync(FIXTURES + 'astronaut-rgb-48x40.png'));
  writeFileSync(join(root, 'cat', 'notes.txt'), 'skipped');
  const ds = new ImageFolder(root, { size: [8, 6] });
  assert.deepEqual(ds.classes, ['ant', 'cat']);
  assert.equal(ds.length, 2);
  const b = ds.gather(Int32Array.of(0, 1));
  assert.deepEqual(b.x.shape, [2, 3, 8, 6]);
  assert.deepEqual([...b.y.data], [0, 1]);
  assertClose(b.x.data.subarray(3 * 48, 4 * 48), resize(readImage(FIXTURES + 'astronaut-rgb-48x40.png'), [8, 6]).data.subarray(0, 48));
  assert.throws(() => new ImageFolder(join(tmp, 'nope'), { size: [8, 8] }), /cannot read folder/);
});
