import { ArgumentError } from '../tensor/index.js';

/*
 * Band-limited resampling by windowed-sinc interpolation (Smith, "Digital
 * Audio Resampling"): each output sample is Σ x[n]·h(t − n) with h a sinc
 * whose cutoff is the lower of the two Nyquist rates (so downsampling does not
 * alias), tapered by a Hann window of `zeros` zero crossings on each side.
 * When the rates have a small common ratio L/M (22050 → 16000 is 320/441), the
 * output positions fall on only L distinct fractional offsets, so the filter
 * taps are computed once per offset (polyphase) instead of per sample.
 */

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function tap(d: number, cutoff: number, half: number): number {
  const a = Math.PI * d * cutoff;
  const sinc = d === 0 ? 1 : Math.sin(a) / a;
  return sinc * (0.5 + 0.5 * Math.cos((Math.PI * d) / half)) * cutoff;
}

export function resample(x: Float32Array, fromRate: number, toRate: number, zeros = 16): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new ArgumentError('resample', `rates must be > 0, got ${fromRate} → ${toRate}`);
  if (!Number.isInteger(zeros) || zeros < 1) throw new ArgumentError('resample', `zeros must be a positive integer, got ${zeros}`);
  if (fromRate === toRate) return x.slice();
  const ratio = toRate / fromRate;
  const outLen = Math.max(1, Math.round(x.length * ratio));
  const cutoff = Math.min(1, ratio); // in units of the input Nyquist
  const half = zeros / cutoff; // filter half-width in input samples
  const out = new Float32Array(outLen);
  const integral = Number.isInteger(fromRate) && Number.isInteger(toRate);
  const g = integral ? gcd(fromRate, toRate) : 1;
  const L = toRate / g;
  const M = fromRate / g;
  const taps = 2 * Math.ceil(half) + 1;
  if (integral && L <= 4096 && L * taps <= 1 << 22) {
    // Output j sits at t = j·M/L = q + p/L: phase p's taps are h(p/L − k) for k = −K..K around n = q + k.
    const K = Math.ceil(half);
    const table = new Float64Array(L * taps);
    for (let p = 0; p < L; p++) for (let k = -K; k <= K; k++) {
      const d = p / L - k;
      table[p * taps + k + K] = Math.abs(d) < half ? tap(d, cutoff, half) : 0;
    }
    for (let j = 0; j < outLen; j++) {
      const q = Math.floor((j * M) / L);
      const p = j * M - q * L;
      const row = p * taps;
      let acc = 0;
      const lo = Math.max(-K, -q);
      const hi = Math.min(K, x.length - 1 - q);
      for (let k = lo; k <= hi; k++) acc += x[q + k] * table[row + k + K];
      out[j] = acc;
    }
    return out;
  }
  for (let j = 0; j < outLen; j++) {
    const t = j / ratio;
    const lo = Math.max(0, Math.ceil(t - half));
    const hi = Math.min(x.length - 1, Math.floor(t + half));
    let acc = 0;
    for (let n = lo; n <= hi; n++) acc += x[n] * tap(t - n, cutoff, half);
    out[j] = acc;
  }
  return out;
}
