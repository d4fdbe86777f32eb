/*
 * Colour images as [C, H, W] float32 tensors in [0, 1] (browser-safe): from RGBA
 * bytes or a canvas ImageData, resizing as scikit-image does, normalisation, and
 * back to 8-bit RGBA for writing or drawing.
 */
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';

/** ImageNet's per-channel RGB mean and standard deviation (torchvision's constants). */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** The default limit on width × height, checked before any pixel is decoded (64 megapixels). */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

/** An 8-bit RGBA raster, as ImageData and the PNG/JPEG decoders give it. */
export interface RGBAImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export interface ToTensorOptions {
  /** 1 channel (luma, ITU-R BT.601) or 3 (RGB). Alpha is composited on black. Default 3. */
  channels?: 1 | 3;
}

/** RGBA bytes as [C, H, W] float32 in [0, 1]. */
export function rgbaToTensor(img: RGBAImage, opts: ToTensorOptions = {}): Tensor {
  const { width: w, height: h, data } = img;
  const channels = opts.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new ArgumentError('rgbaToTensor', `channels must be 1 or 3, got ${String(channels)}`);
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new ArgumentError('rgbaToTensor', `width and height must be positive integers, got ${w}x${h}`);
  if (data.length !== 4 * w * h) throw new ShapeError('rgbaToTensor', `${4 * w * h} RGBA bytes for ${w}x${h}`, `${data.length} bytes`);
  const n = w * h;
  const out = new Float32Array(channels * n);
  for (let i = 0; i < n; i++) {
    const a = data[4 * i + 3] / 255;
    const r = (a * data[4 * i]) / 255;
    const g = (a * data[4 * i + 1]) / 255;
    const b = (a * data[4 * i + 2]) / 255;
    if (channels === 1) out[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      out[i] = r;
      out[n + i] = g;
      out[2 * n + i] = b;
    }
  }
  return new Tensor(out, [channels, h, w]);
}

/** A canvas ImageData (or anything shaped like it) as [C, H, W] in [0, 1]. */
export function fromImageData(img: RGBAImage, opts: ToTensorOptions = {}): Tensor {
  return rgbaToTensor(img, opts);
}

function checkImage(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(op, `expected an image tensor [C, H, W] or [H, W], got ${typeof x}`);
  if (x.rank !== 2 && x.rank !== 3) throw new ShapeError(op, 'an image [C, H, W] or [H, W]', x.shape);
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new ArgumentError(op, `expected a float image, got ${x.dtype}`);
  return x;
}

/** An [H, W] or [1|3|4, H, W] tensor as RGBA bytes: values in [0, 1] are scaled by 255, rounded and clamped. */
export function tensorToRGBA(x: Tensor): RGBAImage {
  checkImage('tensorToRGBA', x);
  const c = x.rank === 2 ? 1 : x.shape[0];
  if (c !== 1 && c !== 3 && c !== 4) throw new ShapeError('tensorToRGBA', 'an image with 1, 3 or 4 channels', x.shape);
  const [h, w] = x.shape.slice(-2);
  const n = w * h;
  const data = new Uint8ClampedArray(4 * n);
  const byte = (v: number) => Math.round(Math.min(1, Math.max(0, Number.isNaN(v) ? 0 : v)) * 255);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) data[4 * i + k] = byte(x.data[(c === 1 ? 0 : k) * n + i]);
    data[4 * i + 3] = c === 4 ? byte(x.data[3 * n + i]) : 255;
  }
  return { width: w, height: h, data };
}

/** (x − mean) / std per channel of a [C, H, W] or [N, C, H, W] image. */
export function normalizeImage(x: Tensor, mean: readonly number[] = IMAGENET_MEAN, std: readonly number[] = IMAGENET_STD): Tensor {
  if (!(x instanceof Tensor) || (x.rank !== 3 && x.rank !== 4)) throw new ShapeError('normalizeImage', 'an image [C, H, W] or [N, C, H, W]', x instanceof Tensor ? x.shape : []);
  const c = x.shape[x.rank - 3];
  if (mean.length !== c || std.length !== c) throw new ArgumentError('normalizeImage', `mean and std need ${c} values (one per channel), got ${mean.length} and ${std.length}`);
  if (std.some((s) => !(s > 0))) throw new ArgumentError('normalizeImage', `std must be positive, got [${std.join(', ')}]`);
  const plane = x.shape[x.rank - 1] * x.shape[x.rank - 2];
  const out = new Float32Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const k = Math.floor(i / plane) % c;
    out[i] = (x.data[i] - mean[k]) / std[k];
  }
  return new Tensor(out, x.shape);
}

/** Mirror index (scipy.ndimage 'mirror', scikit-image 'reflect'): -1 → 1, n → n − 2. */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

/** scipy.ndimage.gaussian_filter1d's kernel, truncated at 4σ. */
function gaussianTaps(sigma: number): Float64Array {
  const r = Math.floor(4 * sigma + 0.5);
  const taps = new Float64Array(2 * r + 1);
  let s = 0;
  for (let k = -r; k <= r; k++) s += taps[k + r] = Math.exp((-0.5 * k * k) / (sigma * sigma));
  for (let k = 0; k < taps.length; k++) taps[k] /= s;
  return taps;
}

/** Resample one axis of a plane: Gaussian pre-filter when shrinking, then linear interpolation on pixel centres. */
function resizeAxis(src: Float64Array, rows: number, len: number, outLen: number, antialias: boolean): Float64Array {
  const factor = len / outLen;
  let line = src;
  if (antialias && factor > 1) {
    const taps = gaussianTaps((factor - 1) / 2);
    const r = (taps.length - 1) / 2;
    line = new Float64Array(src.length);
    for (let row = 0; row < rows; row++) {
      const o = row * len;
      for (let i = 0; i < len; i++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += taps[k + r] * src[o + mirror(i + k, len)];
        line[o + i] = s;
      }
    }
  }
  const out = new Float64Array(rows * outLen);
  for (let j = 0; j < outLen; j++) {
    // scipy.ndimage.zoom(grid_mode=True): output pixel centres map onto input pixel centres.
    const c = (j + 0.5) * factor - 0.5;
    const i0 = Math.floor(c);
    const t = c - i0;
    const a = mirror(i0, len);
    const b = mirror(i0 + 1, len);
    for (let row = 0; row < rows; row++) out[row * outLen + j] = (1 - t) * line[row * len + a] + t * line[row * len + b];
  }
  return out;
}

export interface ResizeOptions {
  /** Gaussian pre-filter with σ = (factor − 1)/2 along axes that shrink, as skimage's anti_aliasing. Default true. */
  antialias?: boolean;
}

/**
 * Bilinear resize of [C, H, W], [N, C, H, W] or [H, W] to [height, width], as
 * skimage.transform.resize(order=1, mode='reflect', anti_aliasing=True).
 */
export function resize(x: Tensor, size: readonly [number, number], opts: ResizeOptions = {}): Tensor {
  if (!(x instanceof Tensor) || x.rank < 2 || x.rank > 4) throw new ShapeError('resize', 'an image [H, W], [C, H, W] or [N, C, H, W]', x instanceof Tensor ? x.shape : []);
  const [oh, ow] = size;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) throw new ArgumentError('resize', `size must be two positive integers [height, width], got [${String(size)}]`);
  const antialias = opts.antialias ?? true;
  const [h, w] = x.shape.slice(-2);
  const planes = x.size / (h * w);
  const out = new Float32Array(planes * oh * ow);
  for (let p = 0; p < planes; p++) {
    const plane = Float64Array.from(x.data.subarray(p * h * w, (p + 1) * h * w));
    const horiz = resizeAxis(plane, h, w, ow, antialias); // [h, ow]
    const t = new Float64Array(h * ow);
    for (let i = 0; i < h; i++) for (let j = 0; j < ow; j++) t[j * h + i] = horiz[i * ow + j];
    const vert = resizeAxis(t, ow, h, oh, antialias); // [ow, oh]
    for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) out[p * oh * ow + i * ow + j] = vert[j * oh + i];
  }
  return new Tensor(out, [...x.shape.slice(0, -2), oh, ow]);
}
