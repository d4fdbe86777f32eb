import { Tensor } from '../tensor/index.js';

/*
 * Resizing one axis is linear in the input: out = M · in, with M [out, in] built
 * from ONNX's coordinate transformation (Resize, opset 13) and the interpolation
 * rule. Applying M along H and W (two matmuls) gives every mode, with the
 * backward of matmul for free.
 */

export type CoordinateMode = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric';
export type NearestMode = 'floor' | 'ceil' | 'round_prefer_floor' | 'round_prefer_ceil';

export interface AxisResize {
  inSize: number;
  outSize: number;
  /** out/in, or the scale as the caller gave it. */
  scale: number;
  coord: CoordinateMode;
  mode: 'nearest' | 'linear' | 'cubic';
  nearestMode: NearestMode;
  cubicCoeff: number;
  excludeOutside: boolean;
}

/** The input coordinate that output index o maps to. */
export function sourceCoordinate(o: number, r: AxisResize): number {
  switch (r.coord) {
    case 'half_pixel':
      return (o + 0.5) / r.scale - 0.5;
    case 'pytorch_half_pixel':
      return r.outSize > 1 ? (o + 0.5) / r.scale - 0.5 : 0;
    case 'align_corners':
      return r.outSize === 1 ? 0 : (o * (r.inSize - 1)) / (r.outSize - 1);
    case 'asymmetric':
      return o / r.scale;
  }
}

function roundNearest(x: number, m: NearestMode): number {
  if (m === 'floor') return Math.floor(x);
  if (m === 'ceil') return Math.ceil(x);
  return m === 'round_prefer_ceil' ? Math.floor(x + 0.5) : Math.ceil(x - 0.5);
}

/** Keys' cubic convolution kernel with coefficient a (−0.75 as PyTorch and ONNX, −0.5 the classic). */
function cubic(x: number, a: number): number {
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/** The [out, in] interpolation matrix of one axis (as float64 values, row-major). */
export function resizeMatrix(r: AxisResize): Float64Array {
  const { inSize: n, outSize } = r;
  const m = new Float64Array(outSize * n);
  const clampIdx = (i: number) => Math.min(Math.max(i, 0), n - 1);
  for (let o = 0; o < outSize; o++) {
    const row = o * n;
    const x = sourceCoordinate(o, r);
    if (r.mode === 'nearest') {
      m[row + clampIdx(roundNearest(x, r.nearestMode))] = 1;
    } else if (r.mode === 'linear') {
      const c = Math.min(Math.max(x, 0), n - 1);
      const i0 = Math.floor(c);
      const i1 = Math.min(i0 + 1, n - 1);
      m[row + i0] += 1 - (c - i0);
      m[row + i1] += c - i0;
    } else {
      const i = Math.floor(x);
      const t = x - i;
      const w = [cubic(t + 1, r.cubicCoeff), cubic(t, r.cubicCoeff), cubic(1 - t, r.cubicCoeff), cubic(2 - t, r.cubicCoeff)];
      let kept = 0;
      for (let k = 0; k < 4; k++) {
        const j = i - 1 + k;
        // Taps outside the input read the edge (PyTorch), or are dropped and the rest renormalised (exclude_outside).
        if (r.excludeOutside && (j < 0 || j >= n)) continue;
        kept += w[k];
      }
      for (let k = 0; k < 4; k++) {
        const j = i - 1 + k;
        if (r.excludeOutside && (j < 0 || j >= n)) continue;
        m[row + clampIdx(j)] += r.excludeOutside ? w[k] / kept : w[k];
      }
    }
  }
  return m;
}

/** resizeMatrix as a tensor of the input's dtype, optionally transposed to [in, out]. */
export function resizeMatrixTensor(r: AxisResize, dtype: 'float32' | 'float64', transposed: boolean): Tensor {
  const m = resizeMatrix(r);
  const { inSize: n, outSize } = r;
  const data = dtype === 'float64' ? new Float64Array(m.length) : new Float32Array(m.length);
  for (let o = 0; o < outSize; o++) for (let i = 0; i < n; i++) data[transposed ? i * outSize + o : o * n + i] = m[o * n + i];
  return new Tensor(data, transposed ? [n, outSize] : [outSize, n]);
}
