import { ArgumentError } from '../tensor/index.js';
import { resample } from './resample.js';
import { toMono, type AudioData } from './wav.js';
import { deltas, fixFrames, logMelSpectrogram, normalizeUtterance, stackChannels } from './features.js';
import type { Spectrogram } from './stft.js';
import type { MelScale } from './mel.js';

/**
 * The speech models' input, as in Abdel-Hamid et al. 2014: log mel filter-bank
 * energies with their Δ and ΔΔ as three channels of a frequency × time map.
 * Stored in checkpoints, so predict computes exactly what training saw.
 */
export interface SpeechFeatureConfig {
  sampleRate: number;
  nFft: number;
  winLength: number;
  hopLength: number;
  nMels: number;
  /** Frames per example; longer utterances keep the most energetic window, shorter ones are padded. */
  frames: number;
  scale: MelScale;
  /** Add Δ and ΔΔ channels (3 channels instead of 1). */
  deltas: boolean;
}

export const SPEECH_FEATURES: SpeechFeatureConfig = {
  sampleRate: 16000, nFft: 512, winLength: 400, hopLength: 160, nMels: 40, frames: 100, scale: 'htk', deltas: true,
};

/** Mono, resampled to the feature rate. */
export function prepareAudio(audio: AudioData, sampleRate: number): Float32Array {
  const mono = toMono(audio);
  return audio.sampleRate === sampleRate ? mono : resample(mono, audio.sampleRate, sampleRate);
}

/** The window of `frames` frames with the largest total energy (the spoken word in a longer recording). */
function loudestWindow(spec: Spectrogram, frames: number): Spectrogram {
  if (spec.frames <= frames) return spec;
  const T = spec.frames;
  const e = new Float64Array(T);
  for (let f = 0; f < spec.bins; f++) for (let t = 0; t < T; t++) e[t] += spec.data[f * T + t];
  let best = 0;
  let run = 0;
  for (let t = 0; t < frames; t++) run += e[t];
  let bestRun = run;
  for (let s = 1; s + frames <= T; s++) {
    run += e[s + frames - 1] - e[s - 1];
    if (run > bestRun) { bestRun = run; best = s; }
  }
  const out = new Float32Array(spec.bins * frames);
  for (let f = 0; f < spec.bins; f++) out.set(spec.data.subarray(f * T + best, f * T + best + frames), f * frames);
  return { data: out, bins: spec.bins, frames };
}

/**
 * Waveform → [C, nMels, frames] features. Documented behaviour on awkward
 * input: silence gives all-zero features (log floor, then normalisation of a
 * constant); clipped audio is processed as it is (its harmonics show up in the
 * spectrum); a recording shorter than one STFT frame is zero-padded.
 */
export function speechFeatures(signal: Float32Array, cfg: SpeechFeatureConfig = SPEECH_FEATURES): { data: Float32Array; shape: [number, number, number] } {
  if (signal.length === 0) throw new ArgumentError('speechFeatures', 'empty signal (zero samples)');
  const x = signal.length > cfg.nFft ? signal : Float32Array.from({ length: cfg.nFft + 1 }, (_, i) => signal[i] ?? 0);
  const lm = logMelSpectrogram(x, { sampleRate: cfg.sampleRate, nFft: cfg.nFft, winLength: cfg.winLength, hopLength: cfg.hopLength, nMels: cfg.nMels, scale: cfg.scale, topDb: 80 });
  // Pick the window on the raw log-mel, pad with its floor, then normalise.
  let floor = Infinity;
  for (let i = 0; i < lm.data.length; i++) floor = Math.min(floor, lm.data[i]);
  const fixed = fixFrames(loudestWindow(lm, cfg.frames), cfg.frames, floor);
  const base = normalizeUtterance(fixed);
  if (!cfg.deltas) return stackChannels([base]);
  const d1 = deltas(base);
  return stackChannels([base, d1, deltas(d1)]);
}
