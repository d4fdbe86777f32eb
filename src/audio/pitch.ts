import { ArgumentError } from '../tensor/index.js';
import { fft } from './fft.js';
import { makeWindow } from './stft.js';
import { resample } from './resample.js';

/*
 * Pitch shifting without a tempo change, as librosa.effects.pitch_shift does
 * it: stretch the signal in time by k = 2^(semitones/12) with a phase vocoder
 * (Flanagan & Golden 1966; Laroche & Dolson 1999), which keeps the frequencies,
 * then play it k times faster by resampling, which multiplies every frequency by
 * k and brings the length back. The spectral envelope moves with the pitch, as
 * it does under speed perturbation, so this also varies the apparent vocal
 * tract length.
 */

export interface PhaseVocoderOptions {
  /** FFT size (default 512: 32 ms at 16 kHz) and synthesis hop (default nFft / 4). */
  nFft?: number;
  hopLength?: number;
}

const TWO_PI = 2 * Math.PI;

function checkOptions(name: string, o: PhaseVocoderOptions): { nFft: number; hop: number } {
  const nFft = o.nFft ?? 512;
  const hop = o.hopLength ?? nFft / 4;
  if (!Number.isInteger(nFft) || nFft < 4 || (nFft & (nFft - 1)) !== 0) throw new ArgumentError(name, `nFft must be a power of two >= 4, got ${nFft}`);
  if (!Number.isInteger(hop) || hop < 1 || hop > nFft / 2) throw new ArgumentError(name, `hopLength must be an integer in [1, nFft/2 = ${nFft / 2}], got ${hop}`);
  return { nFft, hop };
}

/** Centred (zero-padded) STFT frames: magnitude and phase of the nFft/2 + 1 bins, frame-major, with one silent frame appended. */
function analyse(x: Float32Array, nFft: number, hop: number, win: Float64Array) {
  const half = nFft / 2;
  const bins = half + 1;
  const frames = 1 + Math.floor(x.length / hop);
  const mag = new Float64Array((frames + 1) * bins);
  const phase = new Float64Array((frames + 1) * bins);
  const fr = new Float64Array(nFft), fi = new Float64Array(nFft);
  for (let t = 0; t < frames; t++) {
    const s = t * hop - half;
    for (let i = 0; i < nFft; i++) { const j = s + i; fr[i] = j >= 0 && j < x.length ? x[j] * win[i] : 0; fi[i] = 0; }
    fft(fr, fi);
    for (let f = 0; f < bins; f++) { mag[t * bins + f] = Math.hypot(fr[f], fi[f]); phase[t * bins + f] = Math.atan2(fi[f], fr[f]); }
  }
  return { mag, phase, frames, bins };
}

/**
 * Phase-vocoder time stretch: the output is `factor` times as long (factor > 1
 * slows down) with the same frequencies. Analysis frames are read at
 * fractional positions t/factor; magnitudes are interpolated between the two
 * neighbouring frames and the phase of each bin advances by the measured
 * instantaneous frequency (librosa.phase_vocoder's recipe). Resynthesis is
 * windowed overlap-add, normalised by the summed squared window.
 */
export function timeStretch(x: Float32Array, factor: number, opts: PhaseVocoderOptions = {}): Float32Array {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new ArgumentError('timeStretch', `factor must be a finite number > 0, got ${factor}`);
  const { nFft, hop } = checkOptions('timeStretch', opts);
  if (x.length === 0) throw new ArgumentError('timeStretch', 'empty signal (zero samples)');
  const outLen = Math.max(1, Math.round(x.length * factor));
  if (factor === 1) return x.slice();
  const win = makeWindow('hann', nFft);
  const A = analyse(x, nFft, hop, win);
  const { bins } = A;
  const outFrames = 1 + Math.floor(outLen / hop);
  const acc = new Float64Array(bins);
  acc.set(A.phase.subarray(0, bins));
  const half = nFft / 2;
  const y = new Float64Array((outFrames - 1) * hop + nFft);
  const norm = new Float64Array(y.length);
  const fr = new Float64Array(nFft), fi = new Float64Array(nFft);
  for (let t = 0; t < outFrames; t++) {
    const step = t / factor;
    const t0 = Math.min(Math.floor(step), A.frames - 1);
    const alpha = Math.min(1, step - t0);
    const b0 = t0 * bins, b1 = b0 + bins;
    for (let f = 0; f < bins; f++) {
      const mag = (1 - alpha) * A.mag[b0 + f] + alpha * A.mag[b1 + f];
      fr[f] = mag * Math.cos(acc[f]);
      fi[f] = mag * Math.sin(acc[f]);
      // Expected advance over one hop plus the deviation measured between the two analysis frames, wrapped to (−π, π].
      const expected = (TWO_PI * hop * f) / nFft;
      let d = A.phase[b1 + f] - A.phase[b0 + f] - expected;
      d -= TWO_PI * Math.round(d / TWO_PI);
      acc[f] += expected + d;
    }
    // Inverse real FFT through the forward one: x = conj(FFT(conj(X))) / n, with X made Hermitian.
    for (let f = 1; f < half; f++) { fr[nFft - f] = fr[f]; fi[nFft - f] = -fi[f]; }
    fi[0] = 0; fi[half] = 0;
    for (let i = 0; i < nFft; i++) fi[i] = -fi[i];
    fft(fr, fi);
    const s = t * hop;
    for (let i = 0; i < nFft; i++) {
      y[s + i] += (fr[i] / nFft) * win[i];
      norm[s + i] += win[i] * win[i];
    }
  }
  const out = new Float32Array(outLen);
  // Undo the centring pad; where the windows barely overlap (the edges) leave the sum unnormalised rather than divide by ~0.
  for (let i = 0; i < outLen; i++) {
    const j = i + half;
    out[i] = norm[j] > 1e-8 ? y[j] / norm[j] : y[j];
  }
  return out;
}

/**
 * Shift the pitch by `semitones` (positive: higher), keeping the length: a
 * phase-vocoder stretch by k = 2^(s/12), then resampling back. k is rounded to
 * a multiple of 1/1000 so the resampler can use its polyphase path (a few
 * times faster); that moves the shift by at most 1.8 cents for |s| ≤ 12.
 */
export function pitchShift(x: Float32Array, semitones: number, opts: PhaseVocoderOptions = {}): Float32Array {
  if (!Number.isFinite(semitones)) throw new ArgumentError('pitchShift', `semitones must be a finite number, got ${semitones}`);
  if (x.length === 0) throw new ArgumentError('pitchShift', 'empty signal (zero samples)');
  if (semitones === 0) return x.slice();
  const K = Math.max(1, Math.round(1000 * 2 ** (semitones / 12)));
  const shifted = resample(timeStretch(x, K / 1000, opts), K, 1000);
  // Rounding in the two steps can leave a sample more or less: cut or zero-pad to the input's length.
  const out = new Float32Array(x.length);
  out.set(shifted.subarray(0, x.length));
  return out;
}
