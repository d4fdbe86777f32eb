/**
 * Node-only: digit scenes from the right split, and the on-disk scene format
 * (grey PNG images, index-PNG masks, a COCO-style annotations.json) so that a
 * user's own images and boxes load the same way.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { ArgumentError, FormatError, ReceptiveError, Tensor } from '../tensor/index.js';
import { loadFashionMNIST, loadMNIST } from '../data/mnist-node.js';
import type { Split } from '../data/mnist.js';
import { readGrayImage } from '../cli/images.js';
import { generateDigitScenes, type SceneObject, type SceneOptions, type SceneSet } from './scenes.js';
import type { Box } from './boxes.js';

export interface DigitSceneLoadOptions extends SceneOptions {
  split: Split;
  dataset?: 'mnist' | 'fashion-mnist';
  /** IDX directory (required for Fashion-MNIST; MNIST defaults to the embedded copy). */
  dir?: string;
  /** Use only the first n items of the split. */
  itemLimit?: number;
}

/** Scenes whose items come only from the requested split: train scenes from the training set, test scenes from the test set. */
export function loadDigitScenes(o: DigitSceneLoadOptions): SceneSet {
  const { split, dataset = 'mnist', dir, itemLimit, ...scene } = o;
  if (split !== 'train' && split !== 'test') throw new ArgumentError('loadDigitScenes', `split must be 'train' or 'test', got ${String(split)}`);
  let data;
  if (dataset === 'fashion-mnist') {
    if (!dir) throw new ArgumentError('loadDigitScenes', 'Fashion-MNIST needs dir (a folder with its four IDX files)');
    data = loadFashionMNIST({ dir, split, limit: itemLimit });
  } else data = loadMNIST({ dir, split, limit: itemLimit });
  return generateDigitScenes(data, split, scene);
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}

/** Grey values in [0, 1] as an RGBA PNG. */
export function grayToRgba(gray: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    const v = Math.round(Math.min(1, Math.max(0, gray[i])) * 255);
    out.set([v, v, v, 255], 4 * i);
  }
  return out;
}

interface CocoFile {
  images: { id: number; file_name: string; width: number; height: number; mask_file?: string }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: [number, number, number, number]; area: number; iscrowd: number }[];
  categories: { id: number; name: string }[];
}

/** Write a scene set as images/NNNNNN.png, masks/NNNNNN.png (grey level = mask value) and annotations.json (COCO: bbox [x, y, w, h], category_id = label + 1). */
export function writeScenes(dir: string, set: SceneSet): void {
  const S = set.size;
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'masks'), { recursive: true });
  const coco: CocoFile = { images: [], annotations: [], categories: set.classNames.map((name, i) => ({ id: i + 1, name })) };
  const N = set.images.shape[0];
  for (let i = 0; i < N; i++) {
    const name = `${String(i).padStart(6, '0')}.png`;
    writeFileSync(join(dir, 'images', name), encodePng(S, S, grayToRgba(set.images.data.subarray(i * S * S, (i + 1) * S * S))));
    const m = set.masks.data.subarray(i * S * S, (i + 1) * S * S);
    const rgba = new Uint8Array(S * S * 4);
    for (let q = 0; q < m.length; q++) rgba.set([m[q], m[q], m[q], 255], 4 * q);
    writeFileSync(join(dir, 'masks', name), encodePng(S, S, rgba));
    coco.images.push({ id: i, file_name: `images/${name}`, width: S, height: S, mask_file: `masks/${name}` });
    for (const o of set.objects[i]) {
      const [x1, y1, x2, y2] = o.box;
      coco.annotations.push({ id: coco.annotations.length + 1, image_id: i, category_id: o.label + 1, bbox: [x1, y1, x2 - x1, y2 - y1], area: (x2 - x1) * (y2 - y1), iscrowd: 0 });
    }
  }
  writeFileSync(join(dir, 'annotations.json'), JSON.stringify(coco));
}

function readMaskPng(file: string): { width: number; height: number; values: Int32Array } {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(file));
  } catch (e) {
    throw new FormatError(file, `cannot read mask PNG: ${(e as Error).message}`);
  }
  const values = new Int32Array(png.width * png.height);
  for (let q = 0; q < values.length; q++) values[q] = png.data[4 * q];
  return { width: png.width, height: png.height, values };
}

/**
 * Read a COCO-style scene folder (annotations.json beside the images). All
 * images must share one square size; an image without annotations is a valid
 * empty scene; a box outside the image, a category not declared, or a mask
 * of another size is a FormatError naming the file and the entry.
 */
export function readScenes(dir: string): SceneSet {
  const file = join(dir, 'annotations.json');
  if (!existsSync(file)) throw new ReceptiveError(`readScenes: ${file} does not exist`);
  let coco: CocoFile;
  try {
    coco = JSON.parse(readFileSync(file, 'utf8')) as CocoFile;
  } catch (e) {
    throw new FormatError(file, `not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(coco.images) || !Array.isArray(coco.annotations) || !Array.isArray(coco.categories)) throw new FormatError(file, 'needs arrays "images", "annotations" and "categories"');
  if (coco.images.length === 0) throw new FormatError(file, 'has no images');
  const cats = [...coco.categories].sort((a, b) => a.id - b.id);
  cats.forEach((c, i) => { if (c.id !== i + 1) throw new FormatError(file, `category ids must be 1..${cats.length} (mask value = id), found id ${c.id}`); });
  const S = coco.images[0].width;
  const index = new Map<number, number>();
  const N = coco.images.length;
  const images = new Float32Array(N * S * S);
  const masks = new Int32Array(N * S * S);
  let haveMasks = true;
  coco.images.forEach((im, i) => {
    if (im.width !== S || im.height !== S) throw new FormatError(file, `image ${im.id} is ${im.width}×${im.height}; all images must be ${S}×${S}`);
    index.set(im.id, i);
    const p = join(dir, im.file_name);
    const g = readGrayImage(p);
    if (g.width !== S || g.height !== S) throw new FormatError(p, `is ${g.width}×${g.height} but annotations.json says ${S}×${S}`);
    images.set(g.gray, i * S * S);
    if (!im.mask_file) { haveMasks = false; return; }
    const mp = join(dir, im.mask_file);
    const m = readMaskPng(mp);
    if (m.width !== S || m.height !== S) throw new FormatError(mp, `mask is ${m.width}×${m.height} but its image is ${S}×${S}`);
    m.values.forEach((v, q) => { if (v > cats.length) throw new FormatError(mp, `mask value ${v} at pixel ${q} is not 0 or a category id 1..${cats.length}`); });
    masks.set(m.values, i * S * S);
  });
  const objects: SceneObject[][] = coco.images.map(() => []);
  coco.annotations.forEach((a, k) => {
    const i = index.get(a.image_id);
    if (i === undefined) throw new FormatError(file, `annotation ${k} refers to image_id ${a.image_id}, which is not in "images"`);
    if (!(a.category_id >= 1 && a.category_id <= cats.length)) throw new FormatError(file, `annotation ${k} has category_id ${a.category_id}, not in 1..${cats.length}`);
    const [x, y, w, h] = a.bbox ?? [];
    if (![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0 || x < 0 || y < 0 || x + w > S || y + h > S) {
      throw new FormatError(file, `annotation ${k} (image ${a.image_id}): bbox ${JSON.stringify(a.bbox)} is empty or outside the ${S}×${S} image`);
    }
    const box: Box = [x, y, x + w, y + h];
    objects[i].push({ box, label: a.category_id - 1, sourceIndex: -1 });
  });
  return {
    images: new Tensor(images, [N, 1, S, S]), masks: haveMasks ? new Tensor(masks, [N, S, S]) : new Tensor(new Int32Array(N * S * S).fill(-1), [N, S, S]),
    objects, classNames: cats.map((c) => c.name), split: 'file', size: S,
  };
}
