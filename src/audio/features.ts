import { ArgumentError } from '../tensor/index.js';
import { stft, type Spectrogram, type StftOptions } from './stft.js';
import { applyFilterBank, melFilterBank, type MelScale } from './mel.js';

/*
 * Features built on the mel spectrogram: log compression, the cepstrum (DCT),
 * time derivatives and per-utterance normalisation. Silence stays finite
 * everywhere: powers are floored before the log, and a constant band
 * normalises to zeros rather than 0/0.
 */

export interface LogOptions {
  /** Floor on the power before the log (default 1e-10, i.e. −100 dB). */
  amin?: number;
  /** 'db' (default): 10·log10, as librosa.power_to_db(ref=1); 'ln': natural log, as Kaldi/HTK filter banks. */
  kind?: 'db' | 'ln';
  /** Clip to this many dB below the utterance's peak (librosa's top_db); off by default. */
  topDb?: number;
}

export function logCompress(spec: Spectrogram, opts: LogOptions = {}): Spectrogram {
  const amin = opts.amin ?? 1e-10;
  if (!(amin > 0)) throw new ArgumentError('logCompress', `amin must be > 0, got ${amin}`);
  const db = (opts.kind ?? 'db') === 'db';
  const out = new Float32Array(spec.data.length);
  let peak = -Infinity;
  for (let i = 0; i < out.length; i++) {
    const p = Math.max(spec.data[i], amin);
    out[i] = db ? 10 * Math.log10(p) : Math.log(p);
    if (out[i] > peak) peak = out[i];
  }
  if (opts.topDb !== undefined) {
    if (!(opts.topDb >= 0)) throw new ArgumentError('logCompress', `topDb must be >= 0, got ${opts.topDb}`);
    const floor = peak - (db ? opts.topDb : opts.topDb * Math.LN10 / 10);
    for (let i = 0; i < out.length; i++) if (out[i] < floor) out[i] = floor;
  }
  return { data: out, bins: spec.bins, frames: spec.frames };
}

export interface MelSpectrogramOptions extends Omit<StftOptions, 'power'> {
  sampleRate: number;
  nMels: number;
  fMin?: number;
  fMax?: number;
  scale?: MelScale;
  norm?: 'slaney' | null;
}

/** Power STFT → mel filter bank: [nMels, frames]. */
export function melSpectrogram(signal: Float32Array | Float64Array, o: MelSpectrogramOptions): Spectrogram {
  const spec = stft(signal, { ...o, power: 2 });
  const fb = melFilterBank({ sampleRate: o.sampleRate, nFft: o.nFft, nMels: o.nMels, fMin: o.fMin, fMax: o.fMax, scale: o.scale, norm: o.norm });
  return applyFilterBank(spec, fb, o.nMels);
}

export function logMelSpectrogram(signal: Float32Array | Float64Array, o: MelSpectrogramOptions & LogOptions): Spectrogram {
  return logCompress(melSpectrogram(signal, o), o);
}

/** DCT-II with orthonormal scaling along the band axis (scipy.fft.dct(x, type=2, norm='ortho', axis=0)), first nCoeffs rows. */
export function dct2(spec: Spectrogram, nCoeffs = spec.bins): Spectrogram {
  const N = spec.bins;
  const T = spec.frames;
  if (!Number.isInteger(nCoeffs) || nCoeffs < 1 || nCoeffs > N) throw new ArgumentError('dct2', `nCoeffs must be an integer in [1, ${N}], got ${nCoeffs}`);
  const out = new Float32Array(nCoeffs * T);
  for (let k = 0; k < nCoeffs; k++) {
    const s = k === 0 ? Math.sqrt(1 / N) : Math.sqrt(2 / N);
    for (let n = 0; n < N; n++) {
      const c = s * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * N));
      for (let t = 0; t < T; t++) out[k * T + t] += c * spec.data[n * T + t];
    }
  }
  return { data: out, bins: nCoeffs, frames: T };
}

/** MFCC: DCT-II (ortho) of the log-mel spectrogram (in dB unless told otherwise). */
export function mfcc(signal: Float32Array | Float64Array, o: MelSpectrogramOptions & LogOptions & { nMfcc?: number }): Spectrogram {
  return dct2(logMelSpectrogram(signal, o), o.nMfcc ?? 13);
}

/**
 * Time derivative by the HTK regression formula (The HTK Book §5.9):
 * d_t = Σ_{n=1..N} n·(c_{t+n} − c_{t−n}) / (2·Σ n²), edges repeating the first
 * and last frame. Δ of Δ gives the acceleration (ΔΔ) features.
 */
export function deltas(spec: Spectrogram, width = 2): Spectrogram {
  if (!Number.isInteger(width) || width < 1) throw new ArgumentError('deltas', `width must be a positive integer, got ${width}`);
  const T = spec.frames;
  let denom = 0;
  for (let n = 1; n <= width; n++) denom += 2 * n * n;
  const out = new Float32Array(spec.data.length);
  for (let f = 0; f < spec.bins; f++) {
    const row = f * T;
    for (let t = 0; t < T; t++) {
      let acc = 0;
      for (let n = 1; n <= width; n++) {
        const a = spec.data[row + Math.min(T - 1, t + n)];
        const b = spec.data[row + Math.max(0, t - n)];
        acc += n * (a - b);
      }
      out[row + t] = acc / denom;
    }
  }
  return { data: out, bins: spec.bins, frames: T };
}

/**
 * Per-utterance mean and variance normalisation of each band over time
 * (cepstral mean/variance normalisation). A band with standard deviation below
 * eps (silence, a constant tone's flat bands) is only mean-subtracted.
 */
export function normalizeUtterance(spec: Spectrogram, opts: { variance?: boolean; eps?: number } = {}): Spectrogram {
  const T = spec.frames;
  const eps = opts.eps ?? 1e-5;
  const out = new Float32Array(spec.data.length);
  for (let f = 0; f < spec.bins; f++) {
    let mean = 0;
    for (let t = 0; t < T; t++) mean += spec.data[f * T + t];
    mean /= T;
    let v = 0;
    for (let t = 0; t < T; t++) v += (spec.data[f * T + t] - mean) ** 2;
    const std = Math.sqrt(v / T);
    const scale = opts.variance === false || std < eps ? 1 : 1 / std;
    for (let t = 0; t < T; t++) out[f * T + t] = (spec.data[f * T + t] - mean) * scale;
  }
  return { data: out, bins: spec.bins, frames: T };
}

/** Stack spectrograms of equal size as channels: [C, bins, frames] flattened. */
export function stackChannels(specs: readonly Spectrogram[]): { data: Float32Array; shape: [number, number, number] } {
  if (specs.length === 0) throw new ArgumentError('stackChannels', 'needs at least one spectrogram');
  const { bins, frames } = specs[0];
  if (specs.some((s) => s.bins !== bins || s.frames !== frames)) throw new ArgumentError('stackChannels', 'spectrograms differ in size');
  const data = new Float32Array(specs.length * bins * frames);
  specs.forEach((s, i) => data.set(s.data, i * bins * frames));
  return { data, shape: [specs.length, bins, frames] };
}

/** Pad (with the given value) or crop the time axis to exactly `frames`, keeping the start. */
export function fixFrames(spec: Spectrogram, frames: number, value = 0): Spectrogram {
  const out = new Float32Array(spec.bins * frames).fill(value);
  const n = Math.min(frames, spec.frames);
  for (let f = 0; f < spec.bins; f++) out.set(spec.data.subarray(f * spec.frames, f * spec.frames + n), f * frames);
  return { data: out, bins: spec.bins, frames };
}
