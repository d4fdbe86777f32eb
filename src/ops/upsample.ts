import { kernel, type ResizeInfo } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { ArgumentError, ShapeError, Tensor } from '../tensor/index.js';
import { checkFloat, checkTensor, describe, pair } from './util.js';

/*
 * Upsampling (Rowel Atienza "UpSampling"; Hung-yi Lee's unpooling for dense
 * prediction): 'nearest' repeats each value ("same data repeated n times"),
 * 'bilinear' interpolates between the four nearest inputs. Coordinates follow
 * PyTorch: nearest reads input ⌊o·in/out⌋; bilinear aligns pixel centres, or the
 * corner pixels with alignCorners.
 */

export type InterpolateMode = 'nearest' | 'bilinear';

export interface InterpolateOptions {
  /** Output [h, w] (or one number for both). Give exactly one of size and scaleFactor. */
  size?: number | readonly [number, number];
  /**
   * Output = ⌊in · scaleFactor⌋ per axis. Source coordinates then use in/out (as
   * PyTorch with recompute_scale_factor=True), the same as 1/scaleFactor for
   * integer factors.
   */
  scaleFactor?: number | readonly [number, number];
  mode?: InterpolateMode;
  /** Bilinear only: map the corner pixels of input and output onto each other. */
  alignCorners?: boolean;
}

function scalePair(op: string, v: unknown): [number, number] {
  const ok = (s: unknown): s is number => typeof s === 'number' && Number.isFinite(s) && s > 0;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  throw new ArgumentError(op, `scaleFactor must be a positive finite number or a pair [h, w] of them, got ${describe(v)}`);
}

/** Resize NCHW feature maps by nearest-neighbour or bilinear interpolation. */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  const op = 'interpolate';
  checkTensor(op, 'input', x);
  checkFloat(op, 'input', x);
  if (x.rank !== 4) throw new ShapeError(op, 'input [N, C, H, W]', x.shape);
  if (typeof opts !== 'object' || opts === null) throw new ArgumentError(op, `options must be an object with size or scaleFactor, got ${describe(opts)}`);
  const mode = opts.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new ArgumentError(op, `mode must be 'nearest' or 'bilinear', got ${describe(mode)}`);
  if (opts.alignCorners !== undefined && typeof opts.alignCorners !== 'boolean') {
    throw new ArgumentError(op, `alignCorners must be true or false, got ${describe(opts.alignCorners)}`);
  }
  // As PyTorch: aligning corners means nothing for nearest, so asking for it is a mistake.
  if (mode === 'nearest' && opts.alignCorners !== undefined) throw new ArgumentError(op, `alignCorners applies to mode 'bilinear' only, not 'nearest'`);
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) {
    throw new ArgumentError(op, 'give exactly one of size and scaleFactor');
  }
  const [N, C, H, W] = x.shape;
  let outH: number;
  let outW: number;
  if (opts.size !== undefined) [outH, outW] = pair(op, 'size', opts.size, 1);
  else {
    const [sh, sw] = scalePair(op, opts.scaleFactor);
    [outH, outW] = [Math.floor(H * sh), Math.floor(W * sw)];
    if (outH < 1 || outW < 1) {
      throw new ShapeError(op, `an input that scaleFactor ${describe(opts.scaleFactor)} maps to at least 1x1`, x.shape, `output would be ${outH}x${outW}`);
    }
  }
  if (H < 1 || W < 1) throw new ShapeError(op, 'input [N, C, H, W] with H, W >= 1', x.shape);
  const info: ResizeInfo = { batch: N, channels: C, inH: H, inW: W, outH, outW, alignCorners: opts.alignCorners ?? false };
  const attrs = { mode, outH, outW, alignCorners: info.alignCorners };
  if (mode === 'nearest') {
    // Backward: each δ flows back to the one input it copied; repeats add up.
    const y = kernel('ResizeNearest')(x, info);
    return record('interpolate', y, [x], (g) => [kernel('ResizeNearestGrad')(g, info)], attrs);
  }
  // Backward: each δ is shared among its four inputs with the interpolation weights.
  const y = kernel('ResizeBilinear')(x, info);
  return record('interpolate', y, [x], (g) => [kernel('ResizeBilinearGrad')(g, info)], attrs);
}

/** The same as interpolate (PyTorch's nn.Upsample / Keras' UpSampling2D). */
export const upsample = interpolate;
