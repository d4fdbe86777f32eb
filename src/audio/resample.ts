import { ArgumentError } from '../tensor/index.js';

/*
 * Band-limited resampling by windowed-sinc interpolation (Smith, "Digital
 * Audio Resampling"): each output sample is Σ x[n]·h(t − n) with h a sinc
 * whose cutoff is the lower of the two Nyquist rates (so downsampling does not
 * alias), tapered by a Hann window of `zeros` zero crossings on each side.
 */
export function resample(x: Float32Array, fromRate: number, toRate: number, zeros = 16): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new ArgumentError('resample', `rates must be > 0, got ${fromRate} → ${toRate}`);
  if (!Number.isInteger(zeros) || zeros < 1) throw new ArgumentError('resample', `zeros must be a positive integer, got ${zeros}`);
  if (fromRate === toRate) return x.slice();
  const ratio = toRate / fromRate;
  const outLen = Math.max(1, Math.round(x.length * ratio));
  const cutoff = Math.min(1, ratio); // in units of the input Nyquist
  const half = zeros / cutoff; // filter half-width in input samples
  const out = new Float32Array(outLen);
  for (let j = 0; j < outLen; j++) {
    const t = j / ratio;
    const lo = Math.max(0, Math.ceil(t - half));
    const hi = Math.min(x.length - 1, Math.floor(t + half));
    let acc = 0;
    for (let n = lo; n <= hi; n++) {
      const d = t - n;
      const a = Math.PI * d * cutoff;
      const sinc = d === 0 ? 1 : Math.sin(a) / a;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * d) / half);
      acc += x[n] * sinc * w;
    }
    out[j] = acc * cutoff;
  }
  return out;
}
