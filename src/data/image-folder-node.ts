/*
 * ImageFolder, as torchvision's: root/<class>/<image>, one folder per class, the
 * classes sorted by name. Images of any size are decoded lazily and resized.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, ReceptiveError, Tensor } from '../tensor/index.js';
import { collate, type Batch, type Dataset, type Sample } from './dataset.js';
import { resize } from './image.js';
import { readImage } from './image-node.js';

export interface ImageFolderOptions {
  /** Every image is resized to [height, width]. */
  size: readonly [number, number];
  /** 3 (RGB, default) or 1 (grey). */
  channels?: 1 | 3;
  /** Applied to each [C, H, W] image after resizing (e.g. normalizeImage). */
  transform?: (x: Tensor) => Tensor;
  maxPixels?: number;
}

const IMAGE = /\.(png|jpe?g)$/i;

export class ImageFolder implements Dataset {
  readonly classes: string[];
  readonly files: string[] = [];
  readonly labels: number[] = [];

  constructor(readonly root: string, readonly opts: ImageFolderOptions) {
    const [h, w] = opts.size ?? [];
    if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) throw new ArgumentError('ImageFolder', `size must be [height, width] of positive integers, got ${String(opts.size)}`);
    let entries: string[];
    try {
      entries = readdirSync(root).sort();
    } catch (e) {
      throw new ReceptiveError(`ImageFolder: cannot read folder ${root}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    this.classes = entries.filter((d) => statSync(join(root, d)).isDirectory());
    this.classes.forEach((c, label) => {
      for (const f of readdirSync(join(root, c)).sort()) {
        if (!IMAGE.test(f)) continue;
        this.files.push(join(root, c, f));
        this.labels.push(label);
      }
    });
    if (this.files.length === 0) throw new ReceptiveError(`ImageFolder: no .png or .jpg images in class folders under ${root}`);
  }

  get length(): number {
    return this.files.length;
  }

  get(i: number): Sample {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new ArgumentError('ImageFolder.get', `index ${i} is outside [0, ${this.length})`);
    let x = resize(readImage(this.files[i], { channels: this.opts.channels ?? 3, maxPixels: this.opts.maxPixels }), this.opts.size);
    if (this.opts.transform) x = this.opts.transform(x);
    return { x, y: this.labels[i] };
  }

  gather(indices: Int32Array): Batch {
    return collate(this, indices);
  }
}
