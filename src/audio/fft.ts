import { ArgumentError } from '../tensor/index.js';

/*
 * The discrete Fourier transform of real frames. Power-of-two sizes use the
 * iterative radix-2 Cooley–Tukey FFT; other sizes use Bluestein's chirp-z
 * identity (nk = (n² + k² − (k − n)²)/2) over a power-of-two convolution, so
 * every size costs O(n log n). Plans (twiddles, bit reversal) are cached per size.
 */

interface Radix2Plan { n: number; cos: Float64Array; sin: Float64Array; rev: Uint32Array }
const radix2Plans = new Map<number, Radix2Plan>();

function radix2Plan(n: number): Radix2Plan {
  let p = radix2Plans.get(n);
  if (p) return p;
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let i = 0; i < n / 2; i++) { cos[i] = Math.cos((2 * Math.PI * i) / n); sin[i] = -Math.sin((2 * Math.PI * i) / n); }
  const rev = new Uint32Array(n);
  const bits = Math.log2(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0, x = i; b < bits; b++, x >>= 1) r = (r << 1) | (x & 1);
    rev[i] = r;
  }
  p = { n, cos, sin, rev };
  radix2Plans.set(n, p);
  return p;
}

/** In-place complex FFT of a power-of-two length (inverse: conjugate twiddles, no 1/n scaling). */
function fftRadix2(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  const { cos, sin, rev } = radix2Plan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) { let t = re[i]; re[i] = re[j]; re[j] = t; t = im[i]; im[i] = im[j]; im[j] = t; }
  }
  const sign = inverse ? -1 : 1;
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = sign * sin[k * step];
        const a = start + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr; im[b] = im[a] - xi;
        re[a] += xr; im[a] += xi;
      }
    }
  }
}

const isPow2 = (n: number) => (n & (n - 1)) === 0;

/** Complex DFT of any length n >= 1, in place: X[k] = Σ x[t]·e^{−2πi·tk/n}. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n < 1 || im.length !== n) throw new ArgumentError('fft', `needs real and imaginary parts of the same length >= 1, got ${re.length} and ${im.length}`);
  if (isPow2(n)) { fftRadix2(re, im); return; }
  // Bluestein: X[k] = conj(w_k) · Σ (x_t·conj(w_t)) · w_{k−t}, with w_t = e^{iπt²/n}.
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const a = (Math.PI * ((t * t) % (2 * n))) / n; // t² mod 2n keeps the angle accurate for large t
    wr[t] = Math.cos(a); wi[t] = Math.sin(a);
  }
  const ar = new Float64Array(m), ai = new Float64Array(m), br = new Float64Array(m), bi = new Float64Array(m);
  for (let t = 0; t < n; t++) {
    ar[t] = re[t] * wr[t] + im[t] * wi[t];
    ai[t] = im[t] * wr[t] - re[t] * wi[t];
  }
  br[0] = wr[0]; bi[0] = wi[0];
  for (let t = 1; t < n; t++) { br[t] = br[m - t] = wr[t]; bi[t] = bi[m - t] = wi[t]; }
  fftRadix2(ar, ai); fftRadix2(br, bi);
  for (let i = 0; i < m; i++) {
    const r = ar[i] * br[i] - ai[i] * bi[i];
    ai[i] = ar[i] * bi[i] + ai[i] * br[i];
    ar[i] = r;
  }
  fftRadix2(ar, ai, true);
  for (let k = 0; k < n; k++) {
    const r = ar[k] / m, i = ai[k] / m;
    re[k] = r * wr[k] + i * wi[k];
    im[k] = i * wr[k] - r * wi[k];
  }
}

/** The n/2 + 1 non-negative-frequency bins of a real frame (numpy.fft.rfft). */
export function rfft(x: ArrayLike<number>, n = x.length): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < Math.min(n, x.length); i++) re[i] = x[i];
  fft(re, im);
  const bins = Math.floor(n / 2) + 1;
  return { re: re.slice(0, bins), im: im.slice(0, bins) };
}
