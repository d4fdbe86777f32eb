import { kernel, type ResizeInfo } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';
import { checkFloat, checkTensor, describe, pair } from './util.js';
import { traceOp, untraced } from '../autograd/trace.js';
import { matmul } from './matmul.js';
import { resizeMatrixTensor, type AxisResize, type CoordinateMode, type NearestMode } from './resize-matrix.js';

/*
 * Upsampling (Rowel Atienza "UpSampling"; Hung-yi Lee's unpooling for dense
 * prediction): 'nearest' repeats each value ("same data repeated n times"),
 * 'bilinear' interpolates between the four nearest inputs. Coordinates follow
 * PyTorch: nearest reads input ⌊o·in/out⌋; bilinear aligns pixel centres, or the
 * corner pixels with alignCorners.
 */

export type InterpolateMode = 'nearest' | 'bilinear' | 'bicubic';
export type { CoordinateMode, NearestMode };

export interface InterpolateOptions {
  /** Output [h, w] (or one number for both). Give exactly one of size and scaleFactor. */
  size?: number | readonly [number, number];
  /** Output = ⌊in · scaleFactor⌋ per axis. */
  scaleFactor?: number | readonly [number, number];
  mode?: InterpolateMode;
  /** Bilinear and bicubic: map the corner pixels of input and output onto each other (coordinateMode 'align_corners'). */
  alignCorners?: boolean;
  /**
   * How output index o maps to an input coordinate, ONNX's names: 'asymmetric' o/s
   * (nearest's default, PyTorch's legacy nearest), 'half_pixel' (o + ½)/s − ½ (the
   * default otherwise), 'pytorch_half_pixel' (the same, but 0 for an output of 1),
   * 'align_corners' o·(in − 1)/(out − 1). s is out/in, or the scaleFactor as given
   * when recomputeScaleFactor is false.
   */
  coordinateMode?: CoordinateMode;
  /** Nearest only: how the coordinate rounds to an input index ('floor'; 'round_prefer_ceil' with half_pixel is PyTorch's 'nearest-exact'). */
  nearestMode?: NearestMode;
  /** Bicubic only: the kernel coefficient a (−0.75, PyTorch's and ONNX's). */
  cubicCoeff?: number;
  /** Bicubic only: drop taps outside the input and renormalise, instead of reading the edge (ONNX's exclude_outside). */
  excludeOutside?: boolean;
  /**
   * With scaleFactor: coordinates use in/out of the rounded output size (true, the
   * default), or 1/scaleFactor as given (false: PyTorch's recompute_scale_factor=False, ONNX's scales).
   */
  recomputeScaleFactor?: boolean;
}

function scalePair(op: string, v: unknown): [number, number] {
  const ok = (s: unknown): s is number => typeof s === 'number' && Number.isFinite(s) && s > 0;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  throw new ArgumentError(op, `scaleFactor must be a positive finite number or a pair [h, w] of them, got ${describe(v)}`);
}

const COORDS: readonly CoordinateMode[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
const ROUNDING: readonly NearestMode[] = ['floor', 'ceil', 'round_prefer_floor', 'round_prefer_ceil'];

function oneOf<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T | undefined {
  if (v !== undefined && !allowed.includes(v as T)) throw new ArgumentError(op, `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  return v as T | undefined;
}

function onlyFor(op: string, name: string, v: unknown, mode: InterpolateMode, want: InterpolateMode[]): void {
  if (v !== undefined && !want.includes(mode)) throw new ArgumentError(op, `${name} applies to mode ${want.map((m) => `'${m}'`).join(' or ')} only, not '${mode}'`);
}

/** Resize NCHW feature maps by nearest-neighbour, bilinear or bicubic interpolation. */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  const op = 'interpolate';
  checkTensor(op, 'input', x);
  checkFloat(op, 'input', x);
  if (x.rank !== 4) throw new ShapeError(op, 'input [N, C, H, W]', x.shape);
  if (typeof opts !== 'object' || opts === null) throw new ArgumentError(op, `options must be an object with size or scaleFactor, got ${describe(opts)}`);
  const mode = opts.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear' && mode !== 'bicubic') throw new ArgumentError(op, `mode must be 'nearest', 'bilinear' or 'bicubic', got ${describe(mode)}`);
  if (opts.alignCorners !== undefined && typeof opts.alignCorners !== 'boolean') {
    throw new ArgumentError(op, `alignCorners must be true or false, got ${describe(opts.alignCorners)}`);
  }
  // As PyTorch: aligning corners means nothing for nearest, so asking for it is a mistake.
  onlyFor(op, 'alignCorners', opts.alignCorners, mode, ['bilinear', 'bicubic']);
  onlyFor(op, 'nearestMode', opts.nearestMode, mode, ['nearest']);
  onlyFor(op, 'cubicCoeff', opts.cubicCoeff, mode, ['bicubic']);
  onlyFor(op, 'excludeOutside', opts.excludeOutside, mode, ['bicubic']);
  let coord = oneOf(op, 'coordinateMode', opts.coordinateMode, COORDS);
  if (opts.alignCorners !== undefined && coord !== undefined && (coord === 'align_corners') !== opts.alignCorners) {
    throw new ArgumentError(op, `alignCorners ${opts.alignCorners} contradicts coordinateMode '${coord}'`);
  }
  coord ??= opts.alignCorners ? 'align_corners' : mode === 'nearest' ? 'asymmetric' : 'half_pixel';
  const nearestMode = oneOf(op, 'nearestMode', opts.nearestMode, ROUNDING) ?? 'floor';
  const cubicCoeff = opts.cubicCoeff ?? -0.75;
  if (typeof cubicCoeff !== 'number' || !Number.isFinite(cubicCoeff)) throw new ArgumentError(op, `cubicCoeff must be a finite number, got ${describe(cubicCoeff)}`);
  for (const k of ['excludeOutside', 'recomputeScaleFactor'] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== 'boolean') throw new ArgumentError(op, `${k} must be true or false, got ${describe(opts[k])}`);
  }
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) {
    throw new ArgumentError(op, 'give exactly one of size and scaleFactor');
  }
  if (opts.recomputeScaleFactor !== undefined && opts.scaleFactor === undefined) throw new ArgumentError(op, 'recomputeScaleFactor applies with scaleFactor only, not size');
  const [N, C, H, W] = x.shape;
  let outH: number;
  let outW: number;
  let scales: [number, number] | null = null;
  if (opts.size !== undefined) [outH, outW] = pair(op, 'size', opts.size, 1);
  else {
    const [sh, sw] = scalePair(op, opts.scaleFactor);
    [outH, outW] = [Math.floor(H * sh), Math.floor(W * sw)];
    if (outH < 1 || outW < 1) {
      throw new ShapeError(op, `an input that scaleFactor ${describe(opts.scaleFactor)} maps to at least 1x1`, x.shape, `output would be ${outH}x${outW}`);
    }
    if (opts.recomputeScaleFactor === false) scales = [sh, sw];
  }
  if (H < 1 || W < 1) throw new ShapeError(op, 'input [N, C, H, W] with H, W >= 1', x.shape);
  const info: ResizeInfo = { batch: N, channels: C, inH: H, inW: W, outH, outW, alignCorners: coord === 'align_corners' };
  const attrs = { mode, outH, outW, alignCorners: info.alignCorners, coordinateMode: coord, nearestMode, cubicCoeff, excludeOutside: opts.excludeOutside ?? false, scales };
  const kernelCoords = mode === 'bilinear' && (coord === 'align_corners' || coord === 'half_pixel' || (coord === 'pytorch_half_pixel' && outH > 1 && outW > 1));
  if (!scales && mode === 'nearest' && coord === 'asymmetric' && nearestMode === 'floor') {
    // Backward: each δ flows back to the one input it copied; repeats add up.
    const y = kernel('ResizeNearest')(x, info);
    return record('interpolate', y, [x], (g) => [kernel('ResizeNearestGrad')(g, info)], attrs);
  }
  if (!scales && kernelCoords) {
    // Backward: each δ is shared among its four inputs with the interpolation weights.
    const y = kernel('ResizeBilinear')(x, info);
    return record('interpolate', y, [x], (g) => [kernel('ResizeBilinearGrad')(g, info)], attrs);
  }
  // Every other mode: the separable interpolation matrices, Y = Mh · X · Mwᵀ (one traced op; matmul's backward).
  const axis = (inSize: number, outSize: number, scale: number): AxisResize => ({
    inSize, outSize, scale, coord: coord!, mode: mode === 'bicubic' ? 'cubic' : mode === 'bilinear' ? 'linear' : 'nearest', nearestMode, cubicCoeff, excludeOutside: opts.excludeOutside ?? false,
  });
  const dtype = x.dtype as 'float32' | 'float64';
  const mh = resizeMatrixTensor(axis(H, outH, scales ? scales[0] : outH / H), dtype, false);
  const mwT = resizeMatrixTensor(axis(W, outW, scales ? scales[1] : outW / W), dtype, true);
  const y = untraced(() => matmul(matmul(mh, x), mwT));
  traceOp('interpolate', attrs, [x], [y]);
  return y;
}

/** The same as interpolate (PyTorch's nn.Upsample / Keras' UpSampling2D). */
export const upsample = interpolate;
