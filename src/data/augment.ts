/**
 * Seeded data augmentation on NCHW batches. Each factory returns a
 * BatchTransform `(x, rng) => y`; every sample draws its own parameters from
 * `rng`, so the same generator state gives the same batch, bit for bit.
 */
import { ArgumentError, ShapeError, Tensor, allocate, type RNG } from '../tensor/index.js';
import type { BatchTransform } from './dataloader.js';

function dims(op: string, x: Tensor): [number, number, number, number] {
  if (x.rank !== 4) throw new ShapeError(op, '[N, C, H, W]', x.shape);
  return [x.shape[0], x.shape[1], x.shape[2], x.shape[3]];
}

/**
 * Move each sample's pixels: out[n, c, i, j] = x[n, c, i + dy, j + dx], or
 * `fill` outside; shifts come from `pick(n)` and the output is oh x ow.
 */
function shiftSamples(x: Tensor, oh: number, ow: number, fill: number, pick: (n: number) => [number, number]): Tensor {
  const [n, c, h, w] = dims('shift', x);
  const out = allocate(x.dtype, n * c * oh * ow);
  for (let s = 0; s < n; s++) {
    const [dy, dx] = pick(s);
    for (let ch = 0; ch < c; ch++) {
      const src = (s * c + ch) * h * w;
      const dst = (s * c + ch) * oh * ow;
      for (let i = 0; i < oh; i++) {
        const si = i + dy;
        for (let j = 0; j < ow; j++) {
          const sj = j + dx;
          out[dst + i * ow + j] = si >= 0 && si < h && sj >= 0 && sj < w ? x.data[src + si * w + sj] : fill;
        }
      }
    }
  }
  return new Tensor(out, [n, c, oh, ow]);
}

/** Zero-pad by `padding` on every side, then crop a random size x size window (torchvision RandomCrop). */
export function randomCrop(opts: { size: number | [number, number]; padding?: number; fill?: number }): BatchTransform {
  const [oh, ow] = typeof opts.size === 'number' ? [opts.size, opts.size] : opts.size;
  const pad = opts.padding ?? 0;
  return (x, rng) => {
    const [, , h, w] = dims('randomCrop', x);
    if (oh > h + 2 * pad || ow > w + 2 * pad) {
      throw new ArgumentError('randomCrop', `crop ${oh}x${ow} is larger than the padded image ${h + 2 * pad}x${w + 2 * pad}`);
    }
    return shiftSamples(x, oh, ow, opts.fill ?? 0, () => [rng.int(0, h + 2 * pad - oh + 1) - pad, rng.int(0, w + 2 * pad - ow + 1) - pad]);
  };
}

/** Shift each sample by whole pixels in [-maxShift, maxShift] on both axes, filling the exposed border. */
export function randomTranslate(opts: { maxShift: number; fill?: number }): BatchTransform {
  const m = opts.maxShift;
  if (!Number.isInteger(m) || m < 0) throw new ArgumentError('randomTranslate', `maxShift must be a non-negative integer, got ${m}`);
  return (x, rng) => shiftSamples(x, x.shape[2], x.shape[3], opts.fill ?? 0, () => [rng.int(-m, m + 1), rng.int(-m, m + 1)]);
}

function flipInto(out: ReturnType<typeof allocate>, x: Tensor, s: number): void {
  const [, c, h, w] = dims('hflip', x);
  for (let r = s * c * h; r < (s + 1) * c * h; r++) {
    for (let j = 0; j < w; j++) out[r * w + j] = x.data[r * w + w - 1 - j];
  }
}

/** Mirror every sample left to right. */
export function hflip(x: Tensor): Tensor {
  const out = allocate(x.dtype, x.size);
  for (let s = 0; s < dims('hflip', x)[0]; s++) flipInto(out, x, s);
  return new Tensor(out, x.shape);
}

/** Mirror each sample left to right with probability p. */
export function randomHorizontalFlip(opts: { p?: number } = {}): BatchTransform {
  const p = opts.p ?? 0.5;
  return (x, rng) => {
    const [n] = dims('randomHorizontalFlip', x);
    const out = allocate(x.dtype, x.size);
    out.set(x.data);
    for (let s = 0; s < n; s++) if (rng.random() < p) flipInto(out, x, s);
    return new Tensor(out, x.shape);
  };
}

/** Rotate every sample about its centre by degrees(n) (positive = counter-clockwise), bilinear, `fill` outside. */
function rotateSamples(op: string, x: Tensor, fill: number, degrees: (n: number) => number): Tensor {
  const [n, c, h, w] = dims(op, x);
  const out = allocate(x.dtype, x.size);
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  for (let s = 0; s < n; s++) {
    const a = (degrees(s) * Math.PI) / 180;
    const cos = Math.cos(a);
    const sin = Math.sin(a);
    for (let ch = 0; ch < c; ch++) {
      const base = (s * c + ch) * h * w;
      const at = (i: number, j: number): number => (i >= 0 && i < h && j >= 0 && j < w ? x.data[base + i * w + j] : fill);
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          // Inverse map: where in the source does output pixel (i, j) come from?
          const sx = cos * (j - cx) - sin * (i - cy) + cx;
          const sy = sin * (j - cx) + cos * (i - cy) + cy;
          const y0 = Math.floor(sy);
          const x0 = Math.floor(sx);
          const fy = sy - y0;
          const fx = sx - x0;
          const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
          const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
          out[base + i * w + j] = top * (1 - fy) + bottom * fy;
        }
      }
    }
  }
  return new Tensor(out, x.shape);
}

/** Rotate every sample of [N, C, H, W] about its centre by `degrees` (positive = counter-clockwise), bilinear, `fill` outside. */
export function rotate(x: Tensor, degrees: number, fill = 0): Tensor {
  if (!Number.isFinite(degrees)) throw new ArgumentError('rotate', `degrees must be a finite number, got ${degrees}`);
  return rotateSamples('rotate', x, fill, () => degrees);
}

/** Rotate each sample about its centre by an angle uniform in [-degrees, degrees], bilinear, `fill` outside. */
export function randomRotation(opts: { degrees: number; fill?: number }): BatchTransform {
  const fill = opts.fill ?? 0;
  return (x, rng) => rotateSamples('randomRotation', x, fill, () => (rng.random() * 2 - 1) * opts.degrees);
}

/**
 * With probability p, overwrite a random rectangle of each sample (all
 * channels) with `value`: area a fraction `scale` of the image, aspect ratio
 * in `ratio` (log-uniform), as torchvision RandomErasing.
 */
export function randomErasing(opts: { p?: number; scale?: [number, number]; ratio?: [number, number]; value?: number } = {}): BatchTransform {
  const p = opts.p ?? 0.5;
  const [smin, smax] = opts.scale ?? [0.02, 0.33];
  const [rmin, rmax] = opts.ratio ?? [0.3, 3.3];
  return (x, rng) => {
    const [n, c, h, w] = dims('randomErasing', x);
    const out = allocate(x.dtype, x.size);
    out.set(x.data);
    for (let s = 0; s < n; s++) {
      if (rng.random() >= p) continue;
      for (let attempt = 0; attempt < 10; attempt++) {
        const area = h * w * (smin + (smax - smin) * rng.random());
        const r = Math.exp(Math.log(rmin) + (Math.log(rmax) - Math.log(rmin)) * rng.random());
        const eh = Math.round(Math.sqrt(area * r));
        const ew = Math.round(Math.sqrt(area / r));
        if (eh < 1 || ew < 1 || eh > h || ew > w) continue;
        const top = rng.int(0, h - eh + 1);
        const left = rng.int(0, w - ew + 1);
        for (let ch = 0; ch < c; ch++) {
          const base = (s * c + ch) * h * w;
          for (let i = top; i < top + eh; i++) out.fill(opts.value ?? 0, base + i * w + left, base + i * w + left + ew);
        }
        break;
      }
    }
    return new Tensor(out, x.shape);
  };
}

/**
 * Scale brightness by a factor in [1 - brightness, 1 + brightness], then
 * contrast (blend with the sample's mean) by a factor in [1 - contrast, 1 + contrast],
 * clamped to [0, 1]: apply before normalisation, on images in [0, 1].
 */
export function colorJitter(opts: { brightness?: number; contrast?: number }): BatchTransform {
  const b = opts.brightness ?? 0;
  const k = opts.contrast ?? 0;
  return (x, rng) => {
    const [n] = dims('colorJitter', x);
    const per = x.size / Math.max(n, 1);
    const out = allocate(x.dtype, x.size);
    for (let s = 0; s < n; s++) {
      const fb = Math.max(0, 1 - b + 2 * b * rng.random());
      const fc = Math.max(0, 1 - k + 2 * k * rng.random());
      let mean = 0;
      for (let i = s * per; i < (s + 1) * per; i++) mean += Math.min(1, Math.max(0, x.data[i] * fb));
      mean /= per;
      for (let i = s * per; i < (s + 1) * per; i++) {
        const v = Math.min(1, Math.max(0, x.data[i] * fb));
        out[i] = Math.min(1, Math.max(0, mean + fc * (v - mean)));
      }
    }
    return new Tensor(out, x.shape);
  };
}
