import { kernel } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { ArgumentError, Tensor, allocate } from '../tensor/index.js';
import { checkNumber, checkTensor, describe } from './util.js';

/*
 * Padding of any axes: a constant border, the mirror image without repeating the
 * edge ('reflect': 3 2 | 1 2 3 | 2 1), or copies of the edge ('replicate', ONNX's
 * 'edge': 1 1 | 1 2 3 | 3 3). PyTorch's F.pad modes; ONNX's Pad modes.
 */

export type PadSpec = readonly (readonly [number, number])[];
export type PadMode = 'constant' | 'reflect' | 'replicate';

export interface PadOptions {
  mode?: PadMode;
  /** The border value of 'constant' padding (0). */
  value?: number;
}

/** Per axis, the input index each output index reads. */
function sourceIndex(mode: 'reflect' | 'replicate', d: number, before: number, after: number): Int32Array {
  const map = new Int32Array(before + d + after);
  for (let o = 0; o < map.length; o++) {
    let i = o - before;
    if (mode === 'replicate') i = Math.min(Math.max(i, 0), d - 1);
    else if (i < 0) i = -i;
    else if (i >= d) i = 2 * (d - 1) - i;
    map[o] = i;
  }
  return map;
}

/** Flat input offset of every output element (an odometer over the output's axes). */
function gatherOffsets(shape: readonly number[], maps: Int32Array[]): Int32Array {
  const outShape = maps.map((m) => m.length);
  const size = outShape.reduce((p, q) => p * q, 1);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
  const offsets = new Int32Array(size);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < size; o++) {
    let off = 0;
    for (let a = 0; a < idx.length; a++) off += maps[a][idx[a]] * strides[a];
    offsets[o] = off;
    for (let a = idx.length - 1; a >= 0 && ++idx[a] === outShape[a]; a--) idx[a] = 0;
  }
  return offsets;
}

function resolvePads(x: Tensor, pads: PadSpec): [number, number][] {
  if (!Array.isArray(pads) || pads.length > x.rank) throw new ArgumentError('pad', `pads must list at most ${x.rank} [before, after] pairs, got ${describe(pads)}`);
  const full: [number, number][] = x.shape.map(() => [0, 0]);
  const off = x.rank - pads.length;
  pads.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => Number.isInteger(v) && v >= 0)) {
      throw new ArgumentError('pad', `each pad must be [before, after] with non-negative integers, got ${describe(p)}`);
    }
    full[off + i] = [p[0], p[1]];
  });
  return full;
}

/**
 * Pad `x`. `pads` lists [before, after] per axis; with fewer pairs than axes they
 * apply to the last axes, so [[1, 1], [2, 2]] pads H and W of NCHW. The third
 * argument is the constant value, or { mode, value }. Reflect padding must be
 * smaller than its axis (there is nothing to mirror beyond it); replicate needs
 * a non-empty axis.
 */
export function pad(x: Tensor, pads: PadSpec, value: number | PadOptions = 0): Tensor {
  checkTensor('pad', 'x', x);
  const opts = typeof value === 'number' ? { value } : value;
  if (typeof opts !== 'object' || opts === null) throw new ArgumentError('pad', `the third argument must be a number or { mode, value }, got ${describe(value)}`);
  const mode = opts.mode ?? 'constant';
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'replicate') throw new ArgumentError('pad', `mode must be 'constant', 'reflect' or 'replicate', got ${describe(mode)}`);
  const v = checkNumber('pad', 'value', opts.value ?? 0);
  if (mode !== 'constant' && opts.value !== undefined) throw new ArgumentError('pad', `value applies to mode 'constant' only, not '${mode}'`);
  const full = resolvePads(x, pads);
  const attrs = { pads: full.map((p) => [p[0], p[1]]), value: v, mode };
  if (mode === 'constant') {
    const out = kernel('Pad')(x, { pads: full, value: v });
    const back = (g: Tensor) => [kernel('Slice')(g, { begin: full.map((p) => p[0]), end: full.map((p, i) => p[0] + x.shape[i]), step: full.map(() => 1) })];
    return record('pad', out, [x], back, attrs);
  }
  full.forEach(([b, e], i) => {
    const d = x.shape[i];
    if ((b || e) && d === 0) throw new ArgumentError('pad', `${mode} padding of axis ${i} needs a non-empty axis`);
    if (mode === 'reflect' && (b >= d || e >= d)) throw new ArgumentError('pad', `reflect pads [${b}, ${e}] of axis ${i} must be smaller than its size ${d}`);
  });
  const offsets = gatherOffsets(x.shape, full.map(([b, e], i) => sourceIndex(mode, x.shape[i], b, e)));
  const data = allocate(x.dtype, offsets.length);
  for (let o = 0; o < offsets.length; o++) data[o] = x.data[offsets[o]];
  const out = new Tensor(data, full.map(([b, e], i) => b + x.shape[i] + e));
  // Backward: each δ flows to the input it copied; mirrored and repeated copies add up.
  return record('pad', out, [x], (g) => {
    const dx = allocate(x.dtype, x.size);
    for (let o = 0; o < offsets.length; o++) dx[offsets[o]] += g.data[o];
    return [new Tensor(dx, x.shape)];
  }, attrs);
}
