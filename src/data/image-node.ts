/*
 * Reading and writing image files (Node): PNG through pngjs, JPEG through jpeg-js.
 * The size is read from the header and checked against a pixel limit before any
 * pixel is decoded, so a hostile 100,000 × 100,000 header costs nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { ArgumentError, FormatError, ReceptiveError, Tensor } from '../tensor/index.js';
import { MAX_IMAGE_PIXELS, rgbaToTensor, tensorToRGBA, type RGBAImage, type ToTensorOptions } from './image.js';

export interface ReadImageOptions extends ToTensorOptions {
  /** Refuse images with more than this many pixels (width × height). Default MAX_IMAGE_PIXELS (64 Mi). */
  maxPixels?: number;
}

type Kind = 'png' | 'jpeg';

/** Width and height from the PNG IHDR or the JPEG start-of-frame marker, without decoding. */
export function imageHeader(file: string, bytes: Uint8Array): { kind: Kind; width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && sig.every((b, i) => bytes[i] === b)) {
    if (bytes.length < 24) throw new FormatError(file, 'truncated PNG: the file ends inside the IHDR header', bytes.length);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { kind: 'png', width: dv.getUint32(16), height: dv.getUint32(20) };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let p = 2;
    while (p + 4 <= bytes.length) {
      if (bytes[p] !== 0xff) throw new FormatError(file, 'corrupt JPEG: expected a marker', p);
      const m = bytes[p + 1];
      if (m === 0xff) { p++; continue; }
      const len = (bytes[p + 2] << 8) | bytes[p + 3];
      // Start of frame: SOF0–SOF15 except DHT (C4), JPG (C8), DAC (CC).
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        if (p + 9 > bytes.length) break;
        return { kind: 'jpeg', height: (bytes[p + 5] << 8) | bytes[p + 6], width: (bytes[p + 7] << 8) | bytes[p + 8] };
      }
      if (m === 0xda) break; // start of scan before any frame header
      p += 2 + len;
    }
    throw new FormatError(file, 'truncated or corrupt JPEG: no frame header (SOF) found', Math.min(p, bytes.length));
  }
  throw new FormatError(file, 'not a PNG or JPEG image (unknown signature)', 0);
}

/** Decode PNG or JPEG bytes to RGBA, checking the pixel limit from the header first. */
export function decodeImage(file: string, bytes: Uint8Array, maxPixels = MAX_IMAGE_PIXELS): RGBAImage {
  const { kind, width, height } = imageHeader(file, bytes);
  if (width < 1 || height < 1) throw new FormatError(file, `image header gives an empty size ${width}x${height}`);
  if (width * height > maxPixels) {
    throw new FormatError(file, `image is ${width}x${height} = ${width * height} pixels, over the limit of ${maxPixels} (raise maxPixels to read it)`);
  }
  try {
    if (kind === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: png.data };
    }
    const img = jpeg.decode(bytes, { useTArray: true, maxResolutionInMP: maxPixels / 1e6 + 1, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    if (e instanceof ReceptiveError) throw e;
    throw new FormatError(file, `cannot decode ${kind === 'png' ? 'PNG' : 'JPEG'} (corrupt or truncated): ${(e as Error).message}`);
  }
}

/** Read a PNG or JPEG file as [C, H, W] float32 in [0, 1] (3 channels unless channels: 1). */
export function readImage(file: string, opts: ReadImageOptions = {}): Tensor {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new ReceptiveError(`cannot read image ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return rgbaToTensor(decodeImage(file, bytes, opts.maxPixels), opts);
}

/** PNG bytes of an RGBA raster or of an image tensor ([H, W] or [1|3|4, H, W], values in [0, 1]). */
export function encodePng(img: Tensor | RGBAImage): Buffer {
  const rgba = img instanceof Tensor ? tensorToRGBA(img) : img;
  const png = new PNG({ width: rgba.width, height: rgba.height });
  png.data = Buffer.from(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength);
  return PNG.sync.write(png);
}

/** Write an image tensor or RGBA raster as an 8-bit PNG file. */
export function writePng(file: string, img: Tensor | RGBAImage): void {
  if (!(img instanceof Tensor) && !(img && typeof img === 'object' && 'data' in img)) {
    throw new ArgumentError('writePng', 'expected an image tensor or an RGBA image {width, height, data}');
  }
  writeFileSync(file, encodePng(img));
}
