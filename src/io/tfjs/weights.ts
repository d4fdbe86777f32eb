import { FormatError, Tensor } from '../../tensor/index.js';
import { decodeF16 } from '../half.js';

/*
 * TensorFlow.js weight files: a manifest of groups, each a list of weights stored
 * one after another in the group's shards. Quantised weights (uint8/uint16 with
 * min and scale, or float16) are de-quantised to float32 as TF.js does.
 */

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16' | string; min?: number; scale?: number; original_dtype?: string };
}

export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

/** Caps that keep a hostile manifest from allocating without bound. */
export const TFJS_LIMITS = { maxWeightElements: 2 ** 28, maxWeights: 100_000 };

const SIZE: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Concatenate shard buffers (in manifest order) into one byte array. */
export function concatShards(shards: readonly (ArrayBuffer | Uint8Array)[]): Uint8Array {
  const parts = shards.map((s) => (s instanceof Uint8Array ? s : new Uint8Array(s)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Every weight of the manifest by name, from the bytes of all shards of all groups in order. */
export function decodeWeights(manifest: readonly TfjsWeightGroup[], data: Uint8Array, file = 'weights'): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  let count = 0;
  for (const group of manifest) {
    for (const spec of group.weights ?? []) {
      if (++count > TFJS_LIMITS.maxWeights) throw new FormatError(file, `more than ${TFJS_LIMITS.maxWeights} weights`);
      const shape = spec.shape ?? [];
      if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new FormatError(file, `weight "${spec.name}" has an invalid shape ${JSON.stringify(spec.shape)}`);
      const n = shape.reduce((a, b) => a * b, 1);
      if (n > TFJS_LIMITS.maxWeightElements) throw new FormatError(file, `weight "${spec.name}" has ${n} elements, over the limit of ${TFJS_LIMITS.maxWeightElements}`);
      const q = spec.quantization;
      const stored = q ? q.dtype : spec.dtype;
      const size = SIZE[stored];
      if (!size) throw new FormatError(file, `weight "${spec.name}" is stored as ${stored}, which is not a TF.js weight type (float32, int32, bool, uint8, uint16, float16)`);
      if (offset + n * size > data.length) throw new FormatError(file, `weight "${spec.name}" needs ${n * size} bytes but the weight data ends ${data.length - offset} bytes later`, offset);
      const isFloat = (q?.original_dtype ?? spec.dtype) !== 'int32' && spec.dtype !== 'bool';
      const values = isFloat ? new Float32Array(n) : new Int32Array(n);
      if (q && (stored === 'uint8' || stored === 'uint16')) {
        const scale = q.scale ?? 1;
        const min = q.min ?? 0;
        for (let i = 0; i < n; i++) values[i] = (stored === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true)) * scale + min;
      } else if (stored === 'float16') {
        const bits = new Uint16Array(n);
        for (let i = 0; i < n; i++) bits[i] = view.getUint16(offset + 2 * i, true);
        values.set(decodeF16(bits));
      } else if (stored === 'float32') {
        for (let i = 0; i < n; i++) values[i] = view.getFloat32(offset + 4 * i, true);
      } else if (stored === 'int32') {
        for (let i = 0; i < n; i++) values[i] = view.getInt32(offset + 4 * i, true);
      } else {
        for (let i = 0; i < n; i++) values[i] = view.getUint8(offset + i) ? 1 : 0;
      }
      offset += n * size;
      out.set(spec.name, new Tensor(values, shape));
    }
  }
  if (offset !== data.length) throw new FormatError(file, `the manifest describes ${offset} bytes of weights, but ${data.length} were given`, offset);
  return out;
}
