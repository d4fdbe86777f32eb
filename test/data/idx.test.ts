import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FormatError } from '../../src/tensor/index.js';
import { parseIdx, decodeIdx, encodeIdx, readIdxFile, loadMNIST, defaultMNISTDir, imageClassificationFromIdx } from '../../src/data/index.js';
import { assertThrowsWith } from '../helpers.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

test('idx: uint8 2x3 built byte by byte', () => {
  const a = parseIdx(bytes(0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255), 'a');
  assert.equal(a.dtype, 'uint8');
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 255]);
});

test('idx: wider dtypes are big-endian', () => {
  assert.deepEqual([...parseIdx(bytes(0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x00), 's').data], [-2, 256]);
  assert.deepEqual([...parseIdx(bytes(0, 0, 0x0c, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff), 'i').data], [-1]);
  assert.deepEqual([...parseIdx(bytes(0, 0, 0x09, 1, 0, 0, 0, 1, 0x80), 'b').data], [-128]);
  assert.deepEqual([...parseIdx(bytes(0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0x80, 0, 0), 'f').data], [1]);
  assert.deepEqual([...parseIdx(bytes(0, 0, 0x0e, 1, 0, 0, 0, 1, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0), 'd').data], [0.5]);
});

test('idx: encodeIdx round-trips through parseIdx', () => {
  const arr = { dtype: 'int16' as const, shape: [2, 2], data: Int16Array.of(-300, 7, 0, 32767) };
  const back = parseIdx(encodeIdx(arr), 'x');
  assert.deepEqual(back.shape, [2, 2]);
  assert.deepEqual([...back.data], [-300, 7, 0, 32767]);
});

test('idx: each malformation is a FormatError naming the file, the problem, the sizes and the offset', () => {
  assertThrowsWith(() => parseIdx(bytes(0, 0, 8), 'f.idx'), FormatError, 'f.idx', 'truncated header', 'expected at least 4 bytes', 'got 3');
  assertThrowsWith(() => parseIdx(bytes(1, 0, 8, 1, 0, 0, 0, 0), 'f.idx'), FormatError, 'f.idx', 'bad magic number 0x01000801', 'at byte 0');
  assertThrowsWith(() => parseIdx(bytes(0, 0, 0x0a, 1, 0, 0, 0, 0), 'f.idx'), FormatError, 'unknown dtype byte 0x0a', 'at byte 2');
  assertThrowsWith(() => parseIdx(bytes(0, 0, 8, 0), 'f.idx'), FormatError, 'rank 0', 'at byte 3');
  assertThrowsWith(() => parseIdx(bytes(0, 0, 8, 3, 0, 0, 0, 1, 0, 0), 'f.idx'), FormatError, 'truncated header', 'expected 16 bytes', 'got 10', 'at byte 10');
  // 60000x28x28 header followed by far too little data.
  const header = bytes(0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28);
  const short = new Uint8Array(1000);
  short.set(header);
  assertThrowsWith(() => parseIdx(short, 'train-images-idx3-ubyte'), FormatError, 'train-images-idx3-ubyte', 'truncated data', 'expected 47040016 bytes for 60000x28x28', 'got 1000', 'at byte 1000');
  assertThrowsWith(() => parseIdx(bytes(0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3, 4), 'f.idx'), FormatError, '2 trailing bytes', 'expected 10 bytes for 2 uint8', 'got 12', 'at byte 10');
  assertThrowsWith(() => parseIdx(bytes(0x1f, 0x8b, 8, 0), 'f.gz'), FormatError, 'gzip-compressed');
});

test('idx: label count differing from image count, and out-of-range labels', () => {
  const images = { dtype: 'uint8' as const, shape: [3, 2, 2], data: new Uint8Array(12) };
  const labels = { dtype: 'uint8' as const, shape: [2], data: Uint8Array.of(1, 2) };
  const files = { images: 'imgs', labels: 'lbls' };
  assertThrowsWith(() => imageClassificationFromIdx(images, labels, files, ['a', 'b', 'c']), FormatError, 'lbls', 'has 2 labels but imgs has 3 images');
  const bad = { dtype: 'uint8' as const, shape: [3], data: Uint8Array.of(0, 3, 1) };
  assertThrowsWith(() => imageClassificationFromIdx(images, bad, files, ['a', 'b', 'c']), FormatError, 'lbls', 'label 3 of sample 1', 'at byte 9');
  const wide = { dtype: 'int32' as const, shape: [3, 2, 2], data: new Int32Array(12) };
  assertThrowsWith(() => imageClassificationFromIdx(wide, labels, files, ['a']), FormatError, 'imgs', 'expected uint8 images');
});

test('mnist: directory variants, gzip identical to plain, missing and corrupt files', async () => {
  const src = defaultMNISTDir();
  const dir = mkdtempSync(join(tmpdir(), 'receptive-idx-'));
  try {
    const plainImages = readFileSync(join(src, 't10k-images-idx3-ubyte'));
    const plainLabels = readFileSync(join(src, 't10k-labels-idx1-ubyte'));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(plainImages, { level: 1 }));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(plainLabels, { level: 1 }));
    const gz = loadMNIST({ dir, split: 'test' });
    const plain = loadMNIST({ split: 'test' });
    assert.deepEqual(gz.labels.data, plain.labels.data);
    assert.deepEqual(gz.raw, plain.raw);
    assert.deepEqual(gz.images.shape, [10000, 1, 28, 28]);
    // The browser path (DecompressionStream) agrees too.
    const viaStream = await decodeIdx(readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz')), 'labels.gz');
    assert.deepEqual([...viaStream.data], [...plain.labels.data]);

    // The dotted variant names.
    const dotted = mkdtempSync(join(tmpdir(), 'receptive-idx-'));
    copyFileSync(join(src, 't10k-images-idx3-ubyte'), join(dotted, 't10k-images.idx3-ubyte'));
    copyFileSync(join(src, 't10k-labels-idx1-ubyte'), join(dotted, 't10k-labels.idx1-ubyte'));
    const d = loadMNIST({ dir: dotted, split: 'test', limit: 5 });
    assert.deepEqual(d.images.shape, [5, 1, 28, 28]);
    assert.deepEqual([...d.labels.data], [...plain.labels.data.subarray(0, 5)]);
    rmSync(dotted, { recursive: true });

    assertThrowsWith(() => loadMNIST({ dir, split: 'train' }), FormatError, dir, 'no train images file', 'train-images-idx3-ubyte.gz');
    assertThrowsWith(() => readIdxFile(join(dir, 'nope')), FormatError, 'nope', 'no such file');
    // A truncated gzip stream is reported as corrupt gzip data; a truncated plain file as truncated data.
    const gzBytes = readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    writeFileSync(join(dir, 'cut.gz'), gzBytes.subarray(0, gzBytes.length >> 1));
    assertThrowsWith(() => readIdxFile(join(dir, 'cut.gz')), FormatError, 'cut.gz', 'corrupt gzip data');
    await assert.rejects(decodeIdx(gzBytes.subarray(0, gzBytes.length >> 1), 'cut.gz'), (e: Error) => e instanceof FormatError && /cut\.gz: corrupt gzip data/.test(e.message));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(plainLabels.subarray(0, 5008)));
    assertThrowsWith(() => loadMNIST({ dir, split: 'test' }), FormatError, 't10k-labels-idx1-ubyte.gz', 'expected 10008 bytes for 10000 uint8', 'got 5008');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('mnist: the real data set, checked against the raw bytes', () => {
  const train = loadMNIST({ split: 'train' });
  const testSet = loadMNIST({ split: 'test' });
  assert.deepEqual(train.images.shape, [60000, 1, 28, 28]);
  assert.deepEqual(train.labels.shape, [60000]);
  assert.equal(train.images.dtype, 'float32');
  assert.equal(train.labels.dtype, 'int32');
  assert.equal(testSet.labels.shape[0], 10000);
  assert.equal(train.labels.data[0], 5);
  assert.equal(testSet.labels.data[0], 7);
  // Mean and std computed straight from the file bytes (16-byte header), not via the parser.
  const file = readFileSync(join(defaultMNISTDir(), 'train-images-idx3-ubyte'));
  let sum = 0;
  let sq = 0;
  let max = 0;
  for (let i = 16; i < file.length; i++) {
    sum += file[i];
    sq += file[i] * file[i];
    if (file[i] > max) max = file[i];
  }
  const n = file.length - 16;
  const mean = sum / n / 255;
  const std = Math.sqrt(sq / n / 65025 - mean * mean);
  assert.ok(Math.abs(mean - 0.1307) < 1e-4, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.3081) < 1e-4, `std ${std}`);
  let tmin = Infinity;
  let tmax = -Infinity;
  let tsum = 0;
  for (const v of train.images.data) {
    if (v < tmin) tmin = v;
    if (v > tmax) tmax = v;
    tsum += v;
  }
  assert.equal(tmin, 0);
  assert.equal(tmax, max / 255);
  assert.ok(Math.abs(tsum / n - mean) < 1e-6);
  // Class counts of the training set sum to 60000 and every class is present.
  const counts = new Array(10).fill(0);
  for (const c of train.labels.data) counts[c]++;
  assert.equal(counts.reduce((a, b) => a + b), 60000);
  assert.equal(counts[1], 6742); // the most frequent digit in MNIST's training set
});
