import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { FormatError, ReceptiveError, Tensor } from '../tensor/index.js';

/**
 * The largest image decoded: 64 megapixels (8192 × 8192), 256 MB of RGBA, the
 * same memory bound as the JPEG decoder's. A PNG's size is read from its IHDR
 * header and checked before anything is decoded.
 */
export const MAX_IMAGE_PIXELS = 64 * 2 ** 20;

/** Width and height from a PNG's IHDR chunk (bytes 16-23, big-endian), or null when the header is not there. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

/**
 * Decode a PNG or JPEG file to grayscale values in [0, 1], row-major, with its
 * size. Transparent pixels are composited over white, as a browser shows them:
 * a canvas drawing (black ink on a transparent background) reads as ink on paper.
 */
export function readGrayImage(file: string): { width: number; height: number; gray: Float32Array } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new ReceptiveError(`cannot read image ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  try {
    if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50) {
      const size = pngSize(bytes);
      if (size && size.width * size.height > MAX_IMAGE_PIXELS) {
        throw new FormatError(file, `the image is ${size.width} × ${size.height} = ${size.width * size.height} pixels, above the limit of ${MAX_IMAGE_PIXELS} (8192 × 8192); scale it down first`, 16);
      }
      const png = PNG.sync.read(bytes);
      ({ width, height } = png);
      rgba = png.data;
    } else if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, { useTArray: true, maxMemoryUsageInMB: 256 });
      ({ width, height } = img);
      rgba = img.data;
    } else throw new FormatError(file, 'not a PNG or JPEG image (unknown signature)', 0);
  } catch (e) {
    if (e instanceof ReceptiveError) throw e;
    throw new FormatError(file, `cannot decode image: ${(e as Error).message}`);
  }
  const gray = new Float32Array(width * height);
  for (let i = 0; i < gray.length; i++) {
    const a = rgba[4 * i + 3] / 255;
    // Luma (ITU-R BT.601) of the pixel over a white background.
    gray[i] = (a * (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2])) / 255 + (1 - a);
  }
  return { width, height, gray };
}

/** Below this spread (largest minus smallest value of the 28 × 28 input) an image counts as blank. */
export const BLANK_RANGE = 0.05;

/**
 * An image as an MNIST-like input [1, 1, 28, 28]: resized by area averaging and,
 * when the background is light (mean > 0.5), inverted to white-on-black.
 * `blank` is true when nothing stands out (every pixel within BLANK_RANGE).
 */
export function imageToMnistTensor(file: string): { tensor: Tensor; blank: boolean } {
  const { width, height, gray } = readGrayImage(file);
  const out = new Float32Array(28 * 28);
  for (let oy = 0; oy < 28; oy++) {
    for (let ox = 0; ox < 28; ox++) {
      const y0 = Math.floor((oy * height) / 28);
      const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * height) / 28));
      const x0 = Math.floor((ox * width) / 28);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * width) / 28));
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += gray[y * width + x];
      out[oy * 28 + ox] = s / ((y1 - y0) * (x1 - x0));
    }
  }
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  if (mean > 0.5) for (let i = 0; i < out.length; i++) out[i] = 1 - out[i];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of out) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return { tensor: new Tensor(out, [1, 1, 28, 28]), blank: hi - lo < BLANK_RANGE };
}
