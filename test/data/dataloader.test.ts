import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, Tensor, ArgumentError } from '../../src/tensor/index.js';
import {
  DataLoader, TensorDataset, Subset, randomSplit, collate, normalize, compose, randomHorizontalFlip,
  MNIST_MEAN, MNIST_STD, type Dataset, type Batch,
} from '../../src/data/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

/** N samples of shape [1, 2, 2] whose every pixel equals the sample index; label = index % 10. */
function indexed(n: number): TensorDataset {
  const x = new Float32Array(n * 4);
  for (let i = 0; i < x.length; i++) x[i] = Math.floor(i / 4);
  return new TensorDataset(new Tensor(x, [n, 1, 2, 2]), new Tensor(Int32Array.from({ length: n }, (_, i) => i % 10), [n]));
}

const firstPixels = (b: Batch): number[] => Array.from({ length: b.x.shape[0] }, (_, k) => b.x.data[k * 4]);

test('DataLoader: batch shapes, last partial batch, dropLast', () => {
  const ds = indexed(10);
  const loader = new DataLoader(ds, { batchSize: 4 });
  const batches = [...loader];
  assert.equal(loader.length, 3);
  assert.deepEqual(batches.map((b) => b.x.shape), [[4, 1, 2, 2], [4, 1, 2, 2], [2, 1, 2, 2]]);
  assert.deepEqual(batches.map((b) => b.y.shape), [[4], [4], [2]]);
  assert.equal(batches[0].y.dtype, 'int32');
  assert.deepEqual(batches.flatMap(firstPixels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.deepEqual([...dropped].map((b) => b.x.shape[0]), [4, 4]);
});

test('DataLoader: shuffled epochs visit every index exactly once; same seed, same order', () => {
  const ds = indexed(103);
  const a = new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 7 });
  const b = new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 7 });
  const epochA1 = [...a].flatMap(firstPixels);
  const epochA2 = [...a].flatMap(firstPixels);
  assert.deepEqual([...epochA1].sort((p, q) => p - q), Array.from({ length: 103 }, (_, i) => i));
  assert.deepEqual([...epochA2].sort((p, q) => p - q), Array.from({ length: 103 }, (_, i) => i));
  assert.notDeepEqual(epochA1, epochA2);
  assert.notDeepEqual(epochA1, Array.from({ length: 103 }, (_, i) => i));
  assert.deepEqual([...b].flatMap(firstPixels), epochA1);
  assert.deepEqual([...b].flatMap(firstPixels), epochA2);
  const c = new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 8 });
  assert.notDeepEqual([...c].flatMap(firstPixels), epochA1);
  // Labels travel with their images.
  for (const batch of new DataLoader(ds, { batchSize: 16, shuffle: true, seed: 1 })) {
    firstPixels(batch).forEach((p, k) => assert.equal(batch.y.data[k], p % 10));
  }
});

test('DataLoader: resuming mid-epoch from saved state reproduces the rest exactly, augmentation included', () => {
  const ds = indexed(50);
  const opts = { batchSize: 8, shuffle: true, seed: 3, transform: compose(randomHorizontalFlip(), (x: Tensor, rng: RNG) => new Tensor(x.data.map((v) => v + rng.random()), x.shape)) };
  const full = new DataLoader(ds, opts);
  const reference: Batch[] = [...full, ...full]; // two epochs, uninterrupted
  const first = new DataLoader(ds, opts);
  [...first]; // epoch 1
  const it = first[Symbol.iterator]();
  it.next();
  it.next(); // two batches into epoch 2
  const saved = JSON.parse(JSON.stringify(first.getState()));
  assert.equal(saved.epoch, 2);
  assert.equal(saved.batch, 2);
  const resumed = new DataLoader(ds, { ...opts, seed: 999 });
  resumed.setState(saved);
  const rest = [...resumed];
  assert.equal(rest.length, full.length - 2);
  rest.forEach((b, k) => {
    const want = reference[full.length + 2 + k];
    assert.deepEqual(b.indices, want.indices);
    assert.deepEqual(b.x.data, want.x.data);
    assert.deepEqual(b.y.data, want.y.data);
  });
  // And the epoch after that matches a third uninterrupted epoch.
  assert.deepEqual([...resumed].map((b) => b.indices), [...full].map((b) => b.indices));
  // A fresh state (epoch 0) restores to a fresh loader.
  const fresh = new DataLoader(ds, opts);
  const s0 = fresh.getState();
  const other = new DataLoader(ds, { ...opts, seed: 12 });
  other.setState(s0);
  assert.deepEqual([...other].map((b) => b.indices), reference.slice(0, full.length).map((b) => b.indices));
  assertThrowsWith(() => other.setState({ ...saved, batch: 99 }), ArgumentError, 'batch 99');
});

test('DataLoader: a dataset without gather is collated sample by sample, with number labels as int32', () => {
  const plain: Dataset = { length: 5, get: (i) => ({ x: new Tensor(Float32Array.of(i, -i), [2]), y: i * 2 }) };
  const [b] = [...new DataLoader(plain, { batchSize: 5 })];
  assert.deepEqual(b.x.shape, [5, 2]);
  assert.deepEqual([...b.x.data], [0, -0, 1, -1, 2, -2, 3, -3, 4, -4]);
  assert.equal(b.y.dtype, 'int32');
  assert.deepEqual([...b.y.data], [0, 2, 4, 6, 8]);
  const ragged: Dataset = { length: 2, get: (i) => ({ x: new Tensor(new Float32Array(i + 1), [i + 1]), y: 0 }) };
  assert.throws(() => collate(ragged, Int32Array.of(0, 1)), /collate/);
  assertThrowsWith(() => new DataLoader(plain, { batchSize: 0 }), ArgumentError, 'batchSize');
});

test('TensorDataset, Subset and randomSplit', () => {
  const ds = indexed(20);
  const s = ds.get(3);
  assert.deepEqual(s.x.shape, [1, 2, 2]);
  assert.deepEqual([...s.x.data], [3, 3, 3, 3]);
  assert.equal(s.y, 3);
  const sub = new Subset(ds, [5, 1, 19]);
  assert.equal(sub.length, 3);
  assert.equal(sub.get(2).y, 9);
  const [b] = [...new DataLoader(sub, { batchSize: 3 })];
  assert.deepEqual(firstPixels(b), [5, 1, 19]);
  assert.throws(() => ds.get(20), ArgumentError);
  assert.throws(() => new Subset(ds, [20]), ArgumentError);

  const [train, val] = randomSplit(ds, [15, 5], new RNG(0));
  assert.equal(train.length, 15);
  assert.equal(val.length, 5);
  const all = [...train.indices, ...val.indices].sort((p, q) => p - q);
  assert.deepEqual(all, Array.from({ length: 20 }, (_, i) => i));
  const [t2] = randomSplit(ds, [15, 5], new RNG(0));
  assert.deepEqual(t2.indices, train.indices);
  const parts = randomSplit(indexed(10), [0.75, 0.25], new RNG(1));
  assert.deepEqual(parts.map((p) => p.length), [8, 2]);
  assertThrowsWith(() => randomSplit(ds, [10, 5], new RNG(0)), ArgumentError, 'summing to 20');
});

test('normalize: MNIST constants and per-channel values', () => {
  const x = new Tensor(Float32Array.of(0, 1, 0.5, 0.25), [1, 1, 2, 2]);
  const y = normalize()(x, new RNG(0));
  assertClose(y, [-MNIST_MEAN / MNIST_STD, (1 - MNIST_MEAN) / MNIST_STD, (0.5 - 0.1307) / 0.3081, (0.25 - 0.1307) / 0.3081]);
  const rgb = new Tensor(Float32Array.of(1, 1, 2, 2, 3, 3, 10, 10, 20, 20, 30, 30), [2, 3, 1, 2]);
  const z = normalize([1, 2, 3], [1, 2, 3])(rgb, new RNG(0));
  assertClose(z, [0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9]);
  assert.throws(() => normalize([1, 2], [1, 2])(rgb, new RNG(0)), ArgumentError);
  assert.throws(() => normalize(0, 0), ArgumentError);
});
