import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { FormatError, ReceptiveError, Tensor } from '../tensor/index.js';

/** Decode a PNG or JPEG file to grayscale values in [0, 1], row-major, with its size. */
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
    // Luma (ITU-R BT.601); transparent pixels count as black background, as in MNIST.
    gray[i] = (a * (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2])) / 255;
  }
  return { width, height, gray };
}

/**
 * An image as an MNIST-like input [1, 1, 28, 28]: resized by area averaging and,
 * when the background is light (mean > 0.5), inverted to white-on-black.
 */
export function imageToMnistTensor(file: string): Tensor {
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
  return new Tensor(out, [1, 1, 28, 28]);
}
