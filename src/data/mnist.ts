/** MNIST-format datasets (MNIST, Fashion-MNIST) built from parsed IDX arrays; browser-safe. */
import { FormatError, Tensor } from '../tensor/index.js';
import type { IdxArray } from './idx.js';
import { ByteImageDataset } from './dataset.js';

export type Split = 'train' | 'test';

export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];
/** Mean and standard deviation of the MNIST training pixels scaled to [0, 1]. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export interface ImageClassificationData {
  /** float32 [N, 1, H, W] in [0, 1]. */
  images: Tensor;
  /** The pixels as stored, uint8 [N*H*W] row-major (the same order as `images`). */
  raw: Uint8Array;
  /** int32 [N] class indices. */
  labels: Tensor;
  classNames: readonly string[];
  /** A dataset over (image [1, H, W], label) pairs. */
  dataset(): ByteImageDataset;
}

/**
 * Check an images/labels pair of IDX arrays and build tensors from the first
 * `limit` samples. The file names appear in every error.
 */
export function imageClassificationFromIdx(
  images: IdxArray,
  labels: IdxArray,
  files: { images: string; labels: string },
  classNames: readonly string[],
  limit?: number,
): ImageClassificationData {
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new FormatError(files.images, `expected uint8 images of rank 3 [N, H, W], got ${images.dtype} of shape [${images.shape.join(', ')}]`, 2);
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new FormatError(files.labels, `expected uint8 labels of rank 1 [N], got ${labels.dtype} of shape [${labels.shape.join(', ')}]`, 2);
  }
  const [count, h, w] = images.shape;
  if (labels.shape[0] !== count) {
    throw new FormatError(files.labels, `has ${labels.shape[0]} labels but ${files.images} has ${count} images`, 4);
  }
  const n = limit === undefined ? count : Math.min(count, Math.max(0, Math.floor(limit)));
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels.data[i];
    // The label header is 8 bytes, so sample i sits at byte 8 + i.
    if (c >= classNames.length) throw new FormatError(files.labels, `label ${c} of sample ${i} is outside [0, ${classNames.length})`, 8 + i);
    y[i] = c;
  }
  const raw = (images.data as Uint8Array).subarray(0, n * h * w);
  const labelsT = new Tensor(y, [n]);
  let imagesT: Tensor | null = null;
  return {
    // Built on first use only: training reads the bytes a batch at a time (ByteImageDataset).
    get images() {
      if (!imagesT) {
        const x = new Float32Array(raw.length);
        for (let i = 0; i < raw.length; i++) x[i] = raw[i] / 255;
        imagesT = new Tensor(x, [n, 1, h, w]);
      }
      return imagesT;
    },
    raw,
    labels: labelsT,
    classNames,
    dataset: () => new ByteImageDataset(raw, labelsT, [1, h, w]),
  };
}
