/** Datasets: indexable collections of (x, y) samples, as torch.utils.data. */
import { ArgumentError, ShapeError, Tensor, allocate, sizeOf, type RNG } from '../tensor/index.js';

export interface Sample {
  x: Tensor;
  /** A class index, or a tensor target. */
  y: Tensor | number;
}

/** A batch: x [B, ...], y [B, ...] (int32 [B] for class indices), and the dataset indices it came from. */
export interface Batch {
  x: Tensor;
  y: Tensor;
  indices: Int32Array;
}

export interface Dataset {
  readonly length: number;
  get(i: number): Sample;
  /** Optional fast path: build a whole batch at once (DataLoader uses it when present). */
  gather?(indices: Int32Array): Batch;
}

function checkIndex(name: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new ArgumentError(name, `index ${i} is outside [0, ${n})`);
}

/** Rows `indices` of t, stacked: [indices.length, ...t.shape.slice(1)], copied row by row with set(). */
export function gatherRows(t: Tensor, indices: Int32Array): Tensor {
  const row = sizeOf(t.shape.slice(1));
  const out = allocate(t.dtype, indices.length * row);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    out.set(t.data.subarray(i * row, (i + 1) * row), k * row);
  }
  return new Tensor(out, [indices.length, ...t.shape.slice(1)]);
}

/** Samples are rows of x and y (first axis). int32 [N] labels come out as numbers. */
export class TensorDataset implements Dataset {
  constructor(readonly x: Tensor, readonly y: Tensor) {
    if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0]) {
      throw new ShapeError('TensorDataset', `x and y with the same first dimension`, `x [${x.shape.join(', ')}] and y [${y.shape.join(', ')}]`);
    }
  }

  get length(): number {
    return this.x.shape[0];
  }

  get(i: number): Sample {
    checkIndex('TensorDataset.get', i, this.length);
    const one = Int32Array.of(i);
    const x = gatherRows(this.x, one);
    const y = gatherRows(this.y, one);
    const xs = new Tensor(x.data, this.x.shape.slice(1));
    if (this.y.rank === 1 && this.y.dtype === 'int32') return { x: xs, y: y.data[0] };
    return { x: xs, y: new Tensor(y.data, this.y.shape.slice(1)) };
  }

  gather(indices: Int32Array): Batch {
    for (const i of indices) checkIndex('TensorDataset.gather', i, this.length);
    return { x: gatherRows(this.x, indices), y: gatherRows(this.y, indices), indices };
  }
}

/**
 * Images kept as the bytes of the file (uint8, 1 byte a pixel) and scaled to
 * float32 in [0, 1] a batch at a time: MNIST's 60,000 training images take 47 MB
 * this way instead of 188 MB as float32.
 */
export class ByteImageDataset implements Dataset {
  readonly pixels: number;
  constructor(readonly bytes: Uint8Array, readonly labels: Tensor, readonly imageShape: readonly number[]) {
    this.pixels = sizeOf(imageShape);
    if (labels.rank !== 1 || bytes.length !== labels.shape[0] * this.pixels) {
      throw new ShapeError('ByteImageDataset', `${labels.shape[0]} images of [${imageShape.join(', ')}] (${labels.shape[0] * this.pixels} bytes)`, `${bytes.length} bytes`);
    }
  }

  get length(): number {
    return this.labels.shape[0];
  }

  get(i: number): Sample {
    checkIndex('ByteImageDataset.get', i, this.length);
    const b = this.gather(Int32Array.of(i));
    return { x: new Tensor(b.x.data, this.imageShape), y: this.labels.data[i] };
  }

  gather(indices: Int32Array): Batch {
    const p = this.pixels;
    const x = new Float32Array(indices.length * p);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      checkIndex('ByteImageDataset.gather', i, this.length);
      const src = this.bytes.subarray(i * p, (i + 1) * p);
      for (let j = 0; j < p; j++) x[k * p + j] = src[j] / 255;
    }
    return { x: new Tensor(x, [indices.length, ...this.imageShape]), y: gatherRows(this.labels, indices), indices };
  }
}

/** The samples of `dataset` at `indices`, in that order. */
export class Subset implements Dataset {
  readonly indices: Int32Array;

  constructor(readonly dataset: Dataset, indices: ArrayLike<number>) {
    this.indices = Int32Array.from(indices);
    for (const i of this.indices) checkIndex('Subset', i, dataset.length);
  }

  get length(): number {
    return this.indices.length;
  }

  get(i: number): Sample {
    checkIndex('Subset.get', i, this.length);
    return this.dataset.get(this.indices[i]);
  }

  gather(indices: Int32Array): Batch {
    const mapped = indices.map((i) => {
      checkIndex('Subset.gather', i, this.length);
      return this.indices[i];
    });
    const b = this.dataset.gather ? this.dataset.gather(mapped) : collate(this.dataset, mapped);
    return { x: b.x, y: b.y, indices };
  }
}

/**
 * Split into disjoint random subsets. `lengths` are counts summing to the
 * dataset length, or fractions summing to 1 (the remainder goes to the first parts).
 */
export function randomSplit(dataset: Dataset, lengths: readonly number[], rng: RNG): Subset[] {
  const n = dataset.length;
  let counts = lengths.slice();
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.some((c) => !(c >= 0))) throw new ArgumentError('randomSplit', `lengths must be non-negative, got [${lengths.join(', ')}]`);
  if (Math.abs(total - 1) < 1e-9 && counts.some((c) => !Number.isInteger(c))) {
    counts = counts.map((f) => Math.floor(f * n));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]++;
  } else if (total !== n || counts.some((c) => !Number.isInteger(c))) {
    throw new ArgumentError('randomSplit', `lengths [${lengths.join(', ')}] must be integers summing to ${n} or fractions summing to 1`);
  }
  const perm = rng.permutation(n);
  const out: Subset[] = [];
  let at = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.subarray(at, at + c)));
    at += c;
  }
  return out;
}

/** Stack samples into a batch with one allocation per tensor; number labels become int32 [B]. */
export function collate(dataset: Dataset, indices: Int32Array): Batch {
  if (indices.length === 0) throw new ArgumentError('collate', 'cannot build an empty batch');
  const first = dataset.get(indices[0]);
  const rowX = first.x.size;
  const x = allocate(first.x.dtype, indices.length * rowX);
  const numeric = typeof first.y === 'number';
  const yShape = typeof first.y === 'number' ? [] : first.y.shape;
  const rowY = sizeOf(yShape);
  const y = allocate(typeof first.y === 'number' ? 'int32' : first.y.dtype, indices.length * rowY);
  for (let k = 0; k < indices.length; k++) {
    const s = k === 0 ? first : dataset.get(indices[k]);
    if (s.x.size !== rowX) {
      throw new ShapeError('collate', `samples of shape [${first.x.shape.join(', ')}]`, s.x.shape, `sample ${indices[k]}`);
    }
    x.set(s.x.data, k * rowX);
    if (typeof s.y === 'number') {
      if (!numeric || !Number.isInteger(s.y)) throw new ArgumentError('collate', `label of sample ${indices[k]} must be an integer class index like the first, got ${s.y}`);
      y[k] = s.y;
    } else {
      if (numeric || s.y.size !== rowY) throw new ShapeError('collate', `targets like the first sample's`, s.y.shape, `sample ${indices[k]}`);
      y.set(s.y.data, k * rowY);
    }
  }
  return { x: new Tensor(x, [indices.length, ...first.x.shape]), y: new Tensor(y, [indices.length, ...yShape]), indices };
}
