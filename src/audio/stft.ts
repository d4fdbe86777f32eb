import { ArgumentError } from '../tensor/index.js';
import { rfft } from './fft.js';

/** A frequency × time matrix, row-major: data[f * frames + t]. */
export interface Spectrogram {
  data: Float32Array;
  /** Frequency bins (STFT), mel bands or cepstral coefficients. */
  bins: number;
  frames: number;
}

export type WindowName = 'hann' | 'hamming' | 'rect';

/**
 * Window of length n. Periodic (the default, as torch.hann_window and
 * scipy.signal.get_window use for spectral analysis: sums of shifted copies are
 * constant) or symmetric (for filter design).
 */
export function makeWindow(name: WindowName, n: number, periodic = true): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError('makeWindow', `length must be a positive integer, got ${n}`);
  const w = new Float64Array(n);
  const d = periodic ? n : n - 1;
  for (let i = 0; i < n; i++) {
    if (name === 'rect' || d === 0) w[i] = 1;
    else if (name === 'hann') w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / d);
    else if (name === 'hamming') w[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / d);
    else throw new ArgumentError('makeWindow', `unknown window "${String(name)}" (known: hann, hamming, rect)`);
  }
  return w;
}

export interface StftOptions {
  nFft: number;
  /** Samples between frames; default nFft / 4. */
  hopLength?: number;
  /** Window length (zero-padded to nFft, centred); default nFft. */
  winLength?: number;
  window?: WindowName;
  /** Pad nFft/2 on both sides so frame t is centred on sample t·hop (torch.stft, librosa). Default true. */
  center?: boolean;
  /** How centring pads: 'reflect' (default, as torch.stft) or 'constant' (zeros). */
  padMode?: 'reflect' | 'constant';
  /** 1 = magnitude, 2 = power (default). */
  power?: 1 | 2;
}

function checkInt(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ArgumentError('stft', `${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/**
 * Short-time Fourier transform of a mono signal: frames of nFft samples every
 * hop, multiplied by the window, |rfft|^power per frame. Matches
 * torch.stft(x, n_fft, hop, win, window, center, pad_mode).abs() ** power.
 */
export function stft(signal: Float32Array | Float64Array, opts: StftOptions): Spectrogram {
  const nFft = checkInt('nFft', opts.nFft, 1);
  const hop = checkInt('hopLength', opts.hopLength ?? Math.max(1, Math.floor(nFft / 4)), 1);
  const winLength = checkInt('winLength', opts.winLength ?? nFft, 1);
  if (winLength > nFft) throw new ArgumentError('stft', `winLength ${winLength} exceeds nFft ${nFft}`);
  const center = opts.center ?? true;
  const padMode = opts.padMode ?? 'reflect';
  const power = opts.power ?? 2;
  if (signal.length === 0) throw new ArgumentError('stft', 'empty signal (zero samples)');
  const half = Math.floor(nFft / 2);
  if (center && padMode === 'reflect' && signal.length <= half) {
    throw new ArgumentError('stft', `reflect padding needs more than nFft/2 = ${half} samples, got ${signal.length} (use padMode: 'constant')`);
  }
  const padded = center ? padSignal(signal, half, padMode) : signal;
  if (padded.length < nFft) throw new ArgumentError('stft', `signal of ${padded.length} samples is shorter than nFft ${nFft}`);
  const frames = 1 + Math.floor((padded.length - nFft) / hop);
  const win = new Float64Array(nFft);
  const offset = Math.floor((nFft - winLength) / 2);
  win.set(makeWindow(opts.window ?? 'hann', winLength), offset);
  const bins = half + 1;
  const data = new Float32Array(bins * frames);
  const frame = new Float64Array(nFft);
  for (let t = 0; t < frames; t++) {
    const s = t * hop;
    for (let i = 0; i < nFft; i++) frame[i] = padded[s + i] * win[i];
    const { re, im } = rfft(frame);
    for (let f = 0; f < bins; f++) {
      const p = re[f] * re[f] + im[f] * im[f];
      data[f * frames + t] = power === 2 ? p : Math.sqrt(p);
    }
  }
  return { data, bins, frames };
}

function padSignal(x: Float32Array | Float64Array, p: number, mode: 'reflect' | 'constant'): Float64Array {
  const n = x.length;
  const out = new Float64Array(n + 2 * p);
  for (let i = 0; i < n; i++) out[p + i] = x[i];
  if (mode === 'reflect') {
    for (let i = 1; i <= p; i++) { out[p - i] = x[i]; out[p + n - 1 + i] = x[n - 1 - i]; }
  } else if (mode !== 'constant') throw new ArgumentError('stft', `padMode must be 'reflect' or 'constant', got ${String(mode)}`);
  return out;
}
