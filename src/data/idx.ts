/**
 * The IDX format of MNIST (LeCun et al.): two zero bytes, a dtype byte, a rank
 * byte, one big-endian uint32 per dimension, then the values, big-endian.
 * The parser is a pure function over bytes so the browser can use it; reading
 * files and gunzipping live in idx-node.ts.
 */
import { FormatError } from '../tensor/index.js';

export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  /** uint8 data is a view into the input bytes (no copy); wider types are decoded copies. */
  data: IdxData;
}

const DTYPES: Record<number, { name: IdxDType; size: number }> = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

const hex = (v: number, digits = 2): string => '0x' + v.toString(16).padStart(digits, '0');

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parse an uncompressed IDX file. `file` names it in every error. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (isGzip(bytes)) throw new FormatError(file, 'is gzip-compressed: decompress it first (readIdxFile and decodeIdx do)', 0);
  if (bytes.length < 4) {
    throw new FormatError(file, `truncated header: expected at least 4 bytes for the magic number, got ${bytes.length}`, bytes.length);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    throw new FormatError(file, `bad magic number ${hex(magic, 8)}: an IDX file starts with two zero bytes`, 0);
  }
  const type = DTYPES[bytes[2]];
  if (!type) {
    throw new FormatError(file, `unknown dtype byte ${hex(bytes[2])} (expected 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float or 0x0e double)`, 2);
  }
  const rank = bytes[3];
  if (rank === 0) throw new FormatError(file, 'rank 0: an IDX file needs at least one dimension', 3);
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) {
    throw new FormatError(file, `truncated header: expected ${headerSize} bytes for a rank-${rank} header, got ${bytes.length}`, bytes.length);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    shape.push(view.getUint32(4 + 4 * i, false));
    count *= shape[i];
  }
  // Doubles hold every product of uint32 dims exactly enough to compare against a real file length.
  const expected = headerSize + count * type.size;
  const dims = shape.join('x');
  if (bytes.length < expected) {
    throw new FormatError(file, `truncated data: expected ${expected} bytes for ${dims} ${type.name}, got ${bytes.length}`, bytes.length);
  }
  if (bytes.length > expected) {
    throw new FormatError(
      file,
      `${bytes.length - expected} trailing bytes: expected ${expected} bytes for ${dims} ${type.name}, got ${bytes.length}`,
      expected,
    );
  }
  return { dtype: type.name, shape, data: decode(view, headerSize, count, type.name, bytes) };
}

function decode(view: DataView, at: number, n: number, dtype: IdxDType, bytes: Uint8Array): IdxData {
  switch (dtype) {
    case 'uint8':
      return bytes.subarray(at, at + n);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + at, n);
    case 'int16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
}

/** Parse IDX bytes that may be gzipped, with the platform's DecompressionStream (browsers, Node >= 18). */
export async function decodeIdx(bytes: Uint8Array, file: string): Promise<IdxArray> {
  if (!isGzip(bytes)) return parseIdx(bytes, file);
  let raw: Uint8Array;
  try {
    const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream('gzip'));
    raw = new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new FormatError(file, `corrupt gzip data: ${(e as Error).message}`);
  }
  return parseIdx(raw, file);
}

/** Encode an array as IDX bytes (for tests and for exporting samples). */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const code = Number(Object.keys(DTYPES).find((k) => DTYPES[Number(k)].name === arr.dtype));
  const size = DTYPES[code].size;
  const header = 4 + 4 * arr.shape.length;
  const out = new Uint8Array(header + arr.data.length * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = arr.shape.length;
  arr.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < arr.data.length; i++) {
    const at = header + i * size;
    const v = arr.data[i];
    if (size === 1) out[at] = v;
    else if (arr.dtype === 'int16') view.setInt16(at, v, false);
    else if (arr.dtype === 'int32') view.setInt32(at, v, false);
    else if (arr.dtype === 'float32') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}
