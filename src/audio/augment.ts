import { ArgumentError, globalRNG, type RNG } from '../tensor/index.js';
import { resample } from './resample.js';
import type { Spectrogram } from './stft.js';

/*
 * Waveform and spectrogram augmentation for training speech models. All draws
 * come from the RNG given (or the global seeded one), so runs repeat.
 */

/** Shift by `shift` samples (positive: later), filling with zeros; the length is kept. */
export function timeShift(x: Float32Array, shift: number): Float32Array {
  if (!Number.isInteger(shift)) throw new ArgumentError('timeShift', `shift must be an integer number of samples, got ${shift}`);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i - shift;
    if (j >= 0 && j < x.length) out[i] = x[j];
  }
  return out;
}

/** Shift by a uniform random amount in [−maxShift, maxShift] samples. */
export function randomTimeShift(x: Float32Array, maxShift: number, rng: RNG = globalRNG): Float32Array {
  return timeShift(x, Math.round((2 * rng.random() - 1) * maxShift));
}

function energy(x: Float32Array): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i] * x[i];
  return e / Math.max(1, x.length);
}

/**
 * Add noise at a signal-to-noise ratio in dB: the noise (looped or cut to the
 * signal's length; white Gaussian when not given) is scaled so that
 * 10·log10(P_signal / P_noise) = snrDb. A silent signal is returned unchanged:
 * no SNR is defined for it, and scaling noise to it would divide by zero.
 */
export function addNoise(x: Float32Array, snrDb: number, noise?: Float32Array, rng: RNG = globalRNG): Float32Array {
  if (!Number.isFinite(snrDb)) throw new ArgumentError('addNoise', `snrDb must be a finite number, got ${snrDb}`);
  const ps = energy(x);
  if (ps === 0) return x.slice();
  const n = new Float32Array(x.length);
  if (noise) {
    if (noise.length === 0) throw new ArgumentError('addNoise', 'noise has zero samples');
    for (let i = 0; i < n.length; i++) n[i] = noise[i % noise.length];
  } else for (let i = 0; i < n.length; i++) n[i] = rng.normal();
  const pn = energy(n);
  if (pn === 0) return x.slice();
  const g = Math.sqrt(ps / (pn * 10 ** (snrDb / 10)));
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + g * n[i];
  return out;
}

/**
 * Speed perturbation (Ko et al. 2015, Kaldi's 0.9/1.0/1.1): play `factor`
 * times faster, which raises the pitch and shortens the signal by the same factor.
 */
export function speedPerturb(x: Float32Array, factor: number): Float32Array {
  if (!(factor > 0)) throw new ArgumentError('speedPerturb', `factor must be > 0, got ${factor}`);
  // Resampling from rate r to r/factor and playing back at r.
  return resample(x, 1, 1 / factor);
}

/** Peak-normalise to `peak` (default 0.9); a silent signal stays silent. */
export function peakNormalize(x: Float32Array, peak = 0.9): Float32Array {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  const out = x.slice();
  if (m === 0) return out;
  for (let i = 0; i < out.length; i++) out[i] *= peak / m;
  return out;
}

export interface SpecAugmentOptions {
  /** Number of frequency masks and the largest width of each (bands). */
  freqMasks?: number;
  freqWidth?: number;
  /** Number of time masks and the largest width of each (frames). */
  timeMasks?: number;
  timeWidth?: number;
  /** Masked value; default the spectrogram's mean (0 after normalisation). */
  value?: number;
}

/**
 * SpecAugment's masks (Park et al. 2019): bands [f0, f0 + f) and frames
 * [t0, t0 + t) set to a constant, f and t uniform in [0, width]. Time warping
 * is `timeWarp` below.
 */
export function specAugment(spec: Spectrogram, opts: SpecAugmentOptions = {}, rng: RNG = globalRNG): Spectrogram {
  const { bins, frames } = spec;
  const data = spec.data.slice();
  let value = opts.value;
  if (value === undefined) {
    let s = 0;
    for (let i = 0; i < data.length; i++) s += data[i];
    value = s / data.length;
  }
  const span = (n: number, width: number) => {
    const w = Math.min(n, Math.floor(rng.random() * (width + 1)));
    const start = Math.floor(rng.random() * (n - w + 1));
    return [start, start + w];
  };
  for (let m = 0; m < (opts.freqMasks ?? 2); m++) {
    const [a, b] = span(bins, opts.freqWidth ?? 8);
    for (let f = a; f < b; f++) data.fill(value, f * frames, (f + 1) * frames);
  }
  for (let m = 0; m < (opts.timeMasks ?? 2); m++) {
    const [a, b] = span(frames, opts.timeWidth ?? 10);
    for (let f = 0; f < bins; f++) for (let t = a; t < b; t++) data[f * frames + t] = value;
  }
  return { data, bins, frames };
}

/**
 * Warp `frames`-long rows of `data` (row-major, `rows` × `frames`) in time so
 * that frame `center` moves to `center + shift`, the first and last frames stay
 * put, and the frames in between are stretched or squeezed linearly on each
 * side, read by linear interpolation. SpecAugment's warp (Park et al. 2019) is
 * a sparse image warp with these control points; the piecewise-linear map is
 * the common simplification (as in ESPnet). The frame count is kept.
 */
export function warpFrames(data: Float32Array, rows: number, frames: number, center: number, shift: number, offset = 0, out = data.slice()): Float32Array {
  if (!Number.isInteger(center) || center < 1 || center > frames - 2) throw new ArgumentError('timeWarp', `center must be an integer frame in [1, ${frames - 2}], got ${center}`);
  const to = center + shift;
  if (!Number.isInteger(shift) || to < 1 || to > frames - 2) throw new ArgumentError('timeWarp', `shift ${shift} moves frame ${center} to ${to}, outside [1, ${frames - 2}]`);
  const last = frames - 1;
  for (let t = 0; t < frames; t++) {
    const src = t <= to ? (t * center) / to : center + ((t - to) * (last - center)) / (last - to);
    const a = Math.min(Math.floor(src), last - 1);
    const w = src - a;
    for (let r = 0; r < rows; r++) {
      const row = offset + r * frames;
      out[row + t] = (1 - w) * data[row + a] + w * data[row + a + 1];
    }
  }
  return out;
}

/**
 * SpecAugment's time warp with a random centre in [W, T − W) and a random
 * shift in [−W, W] frames (W = `maxShift`, clipped so that the centre's new
 * place stays inside the utterance).
 */
export function timeWarp(spec: Spectrogram, maxShift: number, rng: RNG = globalRNG): Spectrogram {
  const { bins, frames } = spec;
  if (!Number.isInteger(maxShift) || maxShift < 0) throw new ArgumentError('timeWarp', `maxShift must be a non-negative integer, got ${maxShift}`);
  if (maxShift === 0 || frames < 4) return { data: spec.data.slice(), bins, frames };
  const W = Math.min(maxShift, Math.floor((frames - 3) / 2));
  const center = W + 1 + Math.floor(rng.random() * (frames - 2 - 2 * W));
  const shift = Math.round((2 * rng.random() - 1) * W);
  return { data: warpFrames(spec.data, bins, frames, center, shift), bins, frames };
}
