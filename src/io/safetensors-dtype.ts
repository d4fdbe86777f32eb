/**
 * The element types of the safetensors format and their conversion to and
 * from the Tensor dtypes (float32, float64, int32). Wider or narrower stored
 * types are converted on the way in and out:
 *   F16, BF16            → float32, exact; written with round-to-nearest-even
 *   I16, I8, U8, BOOL    → int32, exact; written after a range check
 *   I64                  → int32 by default (PyTorch's num_batches_tracked and
 *                          index tensors fit), or float64 on request (exact
 *                          to 2^53); a value that does not fit is an error
 *                          naming the tensor, the element and its value, never
 *                          a silent wrap.
 * Every function here works on little-endian element data in a host-order
 * typed array; the caller swaps bytes on big-endian hosts.
 */
import { ArgumentError, FormatError, type DataArray, type DType } from '../tensor/index.js';
import { decodeBF16, decodeF16, encodeHalf } from './half.js';

export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const DTYPE_SIZE: Readonly<Record<SafetensorsDType, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
export const SAFETENSORS_DTYPES = Object.keys(DTYPE_SIZE) as readonly SafetensorsDType[];

export function isSafetensorsDType(x: unknown): x is SafetensorsDType {
  return typeof x === 'string' && Object.hasOwn(DTYPE_SIZE, x);
}

/** How a tensor of each Tensor dtype is stored unless the caller asks otherwise. */
export const DEFAULT_STORED: Readonly<Record<DType, SafetensorsDType>> = { float32: 'F32', float64: 'F64', int32: 'I32' };

export interface DecodeOptions {
  /** The Tensor dtype for I64 data: 'int32' (default) or 'float64'. */
  int64?: 'int32' | 'float64';
}

/** The Tensor dtype a stored dtype is read as. */
export function readDType(stored: SafetensorsDType, opts: DecodeOptions): DType {
  if (stored === 'F64') return 'float64';
  if (stored === 'F32' || stored === 'F16' || stored === 'BF16') return 'float32';
  if (stored === 'I64') return opts.int64 ?? 'int32';
  return 'int32';
}

/**
 * Decode one tensor's bytes (`raw`, a fresh buffer starting at offset 0, in
 * host order). `at` is the file offset of the first byte, for error messages.
 */
export function decodeData(raw: Uint8Array, stored: SafetensorsDType, opts: DecodeOptions, file: string, name: string, at: number): DataArray {
  const n = raw.length / DTYPE_SIZE[stored];
  const buf = raw.buffer;
  switch (stored) {
    case 'F64':
      return new Float64Array(buf, 0, n);
    case 'F32':
      return new Float32Array(buf, 0, n);
    case 'F16':
      return decodeF16(new Uint16Array(buf, 0, n));
    case 'BF16':
      return decodeBF16(new Uint16Array(buf, 0, n));
    case 'I32':
      return new Int32Array(buf, 0, n);
    case 'I16':
      return Int32Array.from(new Int16Array(buf, 0, n));
    case 'I8':
      return Int32Array.from(new Int8Array(buf, 0, n));
    case 'U8':
      return Int32Array.from(new Uint8Array(buf, 0, n));
    case 'BOOL': {
      const out = Int32Array.from(raw);
      const bad = out.findIndex((v) => v > 1);
      if (bad >= 0) throw new FormatError(file, `tensor "${name}": BOOL element ${bad} is the byte ${out[bad]}, expected 0 or 1`, at + bad);
      return out;
    }
    case 'I64':
      return decodeI64(new Int32Array(buf, 0, 2 * n), opts.int64 ?? 'int32', file, name, at);
  }
}

/** I64 as (low, high) int32 word pairs, little-endian word order. */
function decodeI64(words: Int32Array, target: 'int32' | 'float64', file: string, name: string, at: number): DataArray {
  const n = words.length / 2;
  const exact = (i: number): bigint => (BigInt(words[2 * i + 1]) << 32n) | BigInt(words[2 * i] >>> 0);
  if (target === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const lo = words[2 * i];
      // The value fits int32 exactly when the high word is the sign extension of the low one.
      if (words[2 * i + 1] !== lo >> 31) {
        throw new FormatError(file, `tensor "${name}": I64 element ${i} is ${exact(i)}, outside int32; read it with { int64: 'float64' }`, at + 8 * i);
      }
      out[i] = lo;
    }
    return out;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1];
    // |value| < 2^53 exactly when the high word is in [-2^21, 2^21), except -2^53 itself, which is refused too.
    if (hi >= 2 ** 21 || hi < -(2 ** 21) || (hi === -(2 ** 21) && words[2 * i] === 0)) {
      throw new FormatError(file, `tensor "${name}": I64 element ${i} is ${exact(i)}, beyond 2^53: float64 cannot hold it exactly`, at + 8 * i);
    }
    out[i] = hi * 4294967296 + (words[2 * i] >>> 0);
  }
  return out;
}

const INT_RANGE: Partial<Record<SafetensorsDType, [number, number]>> = {
  I64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  I32: [-(2 ** 31), 2 ** 31 - 1],
  I16: [-32768, 32767],
  I8: [-128, 127],
  U8: [0, 255],
  BOOL: [0, 1],
};

/** Encode a tensor's data as `stored`, in host order. Integer targets check every value. */
export function encodeData(data: DataArray, stored: SafetensorsDType, name: string): Uint8Array {
  const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (stored === 'F64') return bytes(data instanceof Float64Array ? data : Float64Array.from(data));
  if (stored === 'F32') return bytes(data instanceof Float32Array ? data : Float32Array.from(data));
  if (stored === 'F16' || stored === 'BF16') return bytes(encodeHalf(data, stored));
  const [lo, hi] = INT_RANGE[stored] as [number, number];
  if (!(data instanceof Int32Array) || lo > -(2 ** 31) || hi < 2 ** 31 - 1) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isInteger(v) || v < lo || v > hi) {
        const why = Number.isInteger(v) ? `outside ${stored}'s range [${lo}, ${hi}]` : 'not an integer';
        throw new ArgumentError('serializeSafetensors', `tensor "${name}": element ${i} is ${v}, ${why}`);
      }
    }
  }
  if (stored === 'I32') return bytes(data instanceof Int32Array ? data : Int32Array.from(data));
  if (stored === 'I16') return bytes(Int16Array.from(data));
  if (stored === 'I8') return bytes(Int8Array.from(data));
  if (stored === 'U8' || stored === 'BOOL') return Uint8Array.from(data);
  // I64: (low, high) words; the values are safe integers, so the split is exact.
  const words = new Int32Array(2 * data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    const hiWord = Math.floor(v / 4294967296);
    words[2 * i] = v - hiWord * 4294967296; // 0 .. 2^32-1, wraps to the int32 bit pattern
    words[2 * i + 1] = hiWord;
  }
  return bytes(words);
}
