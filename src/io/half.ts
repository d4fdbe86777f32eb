/**
 * IEEE binary16 (F16) and bfloat16 (BF16) as 16-bit patterns.
 * Decoding is exact (every 16-bit value is a float32). Encoding rounds to
 * nearest, ties to even, as PyTorch's `.half()` and `.bfloat16()` do; values
 * past the largest finite one round to ±Inf. A float32 NaN keeps its sign and
 * the top of its payload, made quiet (as the F16C instruction does), so a NaN
 * read from a file is written back with the same bits; float64 NaNs become
 * the positive quiet NaN (0x7e00 / 0x7fc0). PyTorch itself is not consistent
 * here: 1.13's vectorised CPU path writes BF16 NaN as 0xffff, its scalar one
 * as 0x7fc0.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

let f16Table: Float32Array | null = null;

/** Every binary16 pattern's value, built on first use (256 KiB). */
function f16Values(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  const bits = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const man = h & 0x3ff;
    if (exp === 0) t[h] = sign * man * 2 ** -24;
    else if (exp < 31) t[h] = sign * (1024 + man) * 2 ** (exp - 25);
    // Inf, and NaN with its sign and payload, as float32 bits (a NaN written through t[h] would lose them).
    else bits[h] = ((h & 0x8000) << 16) | 0x7f800000 | (man << 13);
  }
  return (f16Table = t);
}

export function decodeF16(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const t = f16Values();
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
  return out;
}

export function decodeBF16(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return out;
}

/** The binary16 pattern nearest to a float32 bit pattern (the usual bit-level rounding). */
function f16FromF32Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const man = x & 0x7fffff;
  if (exp === 0xff) return man ? sign | 0x7e00 | (man >>> 13) : sign | 0x7c00;
  const e = exp - 127 + 15; // the binary16 biased exponent
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    const full = man | 0x800000; // 24-bit significand with the implicit bit
    const shift = 14 - e; // 14..24: the bits dropped to make a subnormal
    const kept = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    return sign | (kept + (rest > half || (rest === half && kept & 1) ? 1 : 0));
  }
  const kept = (e << 10) | (man >>> 13);
  const rest = man & 0x1fff;
  // A carry out of the significand steps the exponent, up to Inf: the bit layout does it.
  return sign | (kept + (rest > 0x1000 || (rest === 0x1000 && kept & 1) ? 1 : 0));
}

function bf16FromF32Bits(x: number): number {
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | 0x40;
  return (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
}

/**
 * The value of `x` rounded to nearest-even in a binary format with `p`
 * significand bits and smallest normal exponent `emin`, or ±Inf past `emax`.
 * Rounds once from a double: float64 sources must not go through float32 first
 * (double rounding).
 */
export function roundToFormat(x: number, p: number, emin: number, emax: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const ulp = 2 ** (Math.max(e, emin) - (p - 1));
  const q = a / ulp; // exact: a power-of-two scaling
  let r = Math.floor(q);
  const d = q - r;
  if (d > 0.5 || (d === 0.5 && r % 2 === 1)) r++;
  const v = r * ulp;
  return Math.sign(x) * (v >= 2 ** (emax + 1) ? Infinity : v);
}

/** The 16-bit pattern of a value already representable in the format. */
function patternOf(v: number, p: number, emin: number, bias: number, nan: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  const expMax = (1 << (15 - (p - 1))) - 1;
  if (Number.isNaN(v)) return nan;
  if (a === Infinity) return sign | (expMax << (p - 1));
  if (a < 2 ** emin) return sign | (a / 2 ** (emin - (p - 1)));
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return sign | ((e + bias) << (p - 1)) | (a / 2 ** (e - (p - 1)) - 2 ** (p - 1));
}

/** float64 → binary16 with one rounding. */
export function f16FromNumber(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  return patternOf(roundToFormat(x, 11, -14, 15), 11, -14, 15, 0x7e00);
}

/** float64 → bfloat16 with one rounding. */
export function bf16FromNumber(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  return patternOf(roundToFormat(x, 8, -126, 127), 8, -126, 127, 0x7fc0);
}

/** Encode float32 data bit by bit, float64 or int32 data through one rounding from the double. */
export function encodeHalf(src: Float32Array | Float64Array | Int32Array, kind: 'F16' | 'BF16', out = new Uint16Array(src.length)): Uint16Array {
  if (src instanceof Float32Array) {
    const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
    if (kind === 'F16') for (let i = 0; i < src.length; i++) out[i] = f16FromF32Bits(bits[i]);
    else for (let i = 0; i < src.length; i++) out[i] = bf16FromF32Bits(bits[i]);
  } else {
    const one = kind === 'F16' ? f16FromNumber : bf16FromNumber;
    for (let i = 0; i < src.length; i++) out[i] = one(src[i]);
  }
  return out;
}

/** float32 → binary16 pattern of one value (bit-level path; exported for tests). */
export function f16FromFloat32(x: number): number {
  f32[0] = x;
  return f16FromF32Bits(u32[0]);
}

/** float32 → bfloat16 pattern of one value (bit-level path). */
export function bf16FromFloat32(x: number): number {
  f32[0] = x;
  return bf16FromF32Bits(u32[0]);
}
