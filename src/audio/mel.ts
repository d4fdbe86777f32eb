import { ArgumentError } from '../tensor/index.js';
import type { Spectrogram } from './stft.js';

/*
 * Mel filter banks. Two mel scales are in use:
 *  - HTK (Young et al., The HTK Book): mel = 2595·log10(1 + f/700).
 *  - Slaney (Auditory Toolbox, 1998): linear below 1 kHz (3 mels per 200/3 Hz),
 *    logarithmic above (27/ln 6.4 mels per e-fold), librosa's default.
 * Filters are triangles between neighbouring band edges equally spaced in mel.
 * 'slaney' normalisation scales each triangle to unit area (2 / bandwidth in
 * Hz), so wide high bands do not dominate; HTK leaves peaks at 1.
 */

export type MelScale = 'htk' | 'slaney';

export function hzToMel(f: number, scale: MelScale = 'htk'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + f / 700);
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return f >= minLogHz ? minLogMel + Math.log(f / minLogHz) / logStep : f / fSp;
}

export function melToHz(m: number, scale: MelScale = 'htk'): number {
  if (scale === 'htk') return 700 * (10 ** (m / 2595) - 1);
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return m >= minLogMel ? minLogHz * Math.exp(logStep * (m - minLogMel)) : fSp * m;
}

export interface MelOptions {
  sampleRate: number;
  nFft: number;
  nMels: number;
  fMin?: number;
  /** Default sampleRate / 2. */
  fMax?: number;
  scale?: MelScale;
  /** 'slaney': unit-area triangles; null (default): peaks of 1. */
  norm?: 'slaney' | null;
}

/** The [nMels, nFft/2 + 1] filter matrix, row-major. */
export function melFilterBank(opts: MelOptions): Float64Array {
  const { sampleRate, nFft, nMels } = opts;
  const fMin = opts.fMin ?? 0;
  const fMax = opts.fMax ?? sampleRate / 2;
  const scale = opts.scale ?? 'htk';
  if (scale !== 'htk' && scale !== 'slaney') throw new ArgumentError('melFilterBank', `scale must be 'htk' or 'slaney', got ${String(scale)}`);
  if (!(sampleRate > 0) || !Number.isInteger(nFft) || nFft < 2 || !Number.isInteger(nMels) || nMels < 1) {
    throw new ArgumentError('melFilterBank', `needs sampleRate > 0, integer nFft >= 2 and nMels >= 1, got ${sampleRate}, ${nFft}, ${nMels}`);
  }
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) throw new ArgumentError('melFilterBank', `needs 0 <= fMin < fMax <= sampleRate/2, got fMin ${fMin}, fMax ${fMax}`);
  const bins = Math.floor(nFft / 2) + 1;
  const m0 = hzToMel(fMin, scale);
  const m1 = hzToMel(fMax, scale);
  const edges = Array.from({ length: nMels + 2 }, (_, i) => melToHz(m0 + ((m1 - m0) * i) / (nMels + 1), scale));
  const fb = new Float64Array(nMels * bins);
  for (let m = 0; m < nMels; m++) {
    const [lo, mid, hi] = [edges[m], edges[m + 1], edges[m + 2]];
    const enorm = opts.norm === 'slaney' ? 2 / (hi - lo) : 1;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const w = Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      fb[m * bins + k] = w * enorm;
    }
  }
  return fb;
}

/** Apply a filter bank [nMels, bins] to a power spectrogram [bins, frames]. */
export function applyFilterBank(spec: Spectrogram, fb: Float64Array, nMels: number): Spectrogram {
  const bins = fb.length / nMels;
  if (bins !== spec.bins) throw new ArgumentError('applyFilterBank', `filter bank has ${bins} bins, spectrogram ${spec.bins}`);
  const T = spec.frames;
  const out = new Float32Array(nMels * T);
  for (let m = 0; m < nMels; m++) {
    for (let k = 0; k < bins; k++) {
      const w = fb[m * bins + k];
      if (w === 0) continue;
      const src = k * T;
      const dst = m * T;
      for (let t = 0; t < T; t++) out[dst + t] += w * spec.data[src + t];
    }
  }
  return { data: out, bins: nMels, frames: T };
}
