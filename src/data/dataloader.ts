/** DataLoader: seeded, resumable batching over a Dataset. */
import { ArgumentError, RNG, Tensor } from '../tensor/index.js';
import { collate, type Batch, type Dataset } from './dataset.js';

/**
 * A transform of a batch of inputs. `rng` is the loader's per-batch generator,
 * derived from the epoch's seed and the batch index, so a resumed run
 * augments batch k exactly as an uninterrupted run would.
 */
export type BatchTransform = (x: Tensor, rng: RNG) => Tensor;

export interface DataLoaderOptions {
  batchSize: number;
  shuffle?: boolean;
  /** Drop the last incomplete batch. */
  dropLast?: boolean;
  /** The generator for shuffling; give the loader its own (default: new RNG(seed ?? 0)). */
  rng?: RNG;
  seed?: number;
  transform?: BatchTransform;
}

/** Everything needed to continue an epoch exactly where it stopped (JSON-serialisable). */
export interface DataLoaderState {
  /** Number of epochs begun. */
  epoch: number;
  /** Batches already delivered in the current epoch. */
  batch: number;
  /** The generator's state at the start of the current epoch (its current state when epoch is 0). */
  rng: { s: number[]; spare: number | null };
}

export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly rng: RNG;
  transform?: BatchTransform;
  private epochCount = 0;
  private batchIndex = 0;
  private epochStart: { s: number[]; spare: number | null };
  private order: Int32Array | null = null;
  private augSeed = 0;

  constructor(readonly dataset: Dataset, opts: DataLoaderOptions) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
      throw new ArgumentError('DataLoader', `batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.rng = opts.rng ?? new RNG(opts.seed ?? 0);
    this.transform = opts.transform;
    this.epochStart = this.rng.getState();
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  get epoch(): number {
    return this.epochCount;
  }

  /** Draw the epoch's order and augmentation seed; the only place the loader's RNG advances. */
  private beginEpoch(): void {
    this.epochStart = this.rng.getState();
    const n = this.dataset.length;
    this.order = this.shuffle ? this.rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    this.augSeed = this.rng.nextUint32();
    this.epochCount++;
    this.batchIndex = 0;
  }

  /** Iterate the rest of the current epoch, or a whole new epoch when the current one is finished. */
  *[Symbol.iterator](): Iterator<Batch> {
    if (this.order === null || this.batchIndex >= this.length) this.beginEpoch();
    while (this.batchIndex < this.length) {
      const b = this.batchAt(this.batchIndex);
      this.batchIndex++;
      yield b;
    }
  }

  private batchAt(k: number): Batch {
    const order = this.order as Int32Array;
    const idx = order.subarray(k * this.batchSize, Math.min(order.length, (k + 1) * this.batchSize));
    const b = this.dataset.gather ? this.dataset.gather(idx) : collate(this.dataset, idx);
    if (!this.transform) return b;
    // Mix epoch seed and batch index through RNG's own seeding (splitmix) for a per-batch stream.
    const rng = new RNG(((this.augSeed ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0) + this.epochCount * 4294967296);
    return { ...b, x: this.transform(b.x, rng) };
  }

  getState(): DataLoaderState {
    return { epoch: this.epochCount, batch: this.batchIndex, rng: { s: [...this.epochStart.s], spare: this.epochStart.spare } };
  }

  /** Restore a state from getState(): the next batches are exactly those an uninterrupted loader would give. */
  setState(state: DataLoaderState): void {
    const { epoch, batch } = state;
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(batch) || batch < 0 || batch > this.length || (epoch === 0 && batch !== 0)) {
      throw new ArgumentError('DataLoader.setState', `invalid position epoch ${epoch}, batch ${batch} (an epoch has ${this.length} batches)`);
    }
    this.rng.setState(state.rng);
    this.order = null;
    this.epochCount = 0;
    this.batchIndex = 0;
    this.epochStart = this.rng.getState();
    if (epoch > 0) {
      this.beginEpoch();
      this.epochCount = epoch;
      this.batchIndex = batch;
    }
  }
}
