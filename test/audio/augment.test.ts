import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG } from '../../src/tensor/index.js';
import { resample, addNoise, timeShift, speedPerturb, specAugment, speechFeatures, normalizeUtterance, pitchShift, timeStretch, timeWarp, warpFrames } from '../../src/audio/index.js';
import { ReceptiveError } from '../../src/tensor/errors.js';

const tone = (f: number, rate: number, n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * f * i) / rate));
const power = (x: Float32Array) => x.reduce((a, v) => a + v * v, 0) / x.length;

test('resampling a 440 Hz tone gives the tone at the new rate (up and down)', () => {
  for (const [from, to] of [[8000, 16000], [22050, 16000], [44100, 8000]]) {
    const y = resample(tone(440, from, from), from, to);
    assert.equal(y.length, to);
    const want = tone(440, to, to);
    // Away from the edges (where the filter runs out of input) the error is small.
    let worst = 0;
    for (let i = 200; i < to - 200; i++) worst = Math.max(worst, Math.abs(y[i] - want[i]));
    assert.ok(worst < 2e-3, `${from}→${to}: max error ${worst}`);
  }
  // Downsampling removes what the new rate cannot hold: a 6 kHz tone resampled to 8 kHz (Nyquist 4 kHz) vanishes.
  const alias = resample(tone(6000, 16000, 16000), 16000, 8000);
  assert.ok(power(alias.subarray(200, -200)) < 1e-4, `aliased power ${power(alias.subarray(200, -200))}`);
});

test('addNoise hits the requested SNR; silence stays silence', () => {
  const x = tone(300, 16000, 16000);
  const y = addNoise(x, 10, undefined, new RNG(3));
  const n = y.map((v, i) => v - x[i]);
  const snr = 10 * Math.log10(power(x) / power(n));
  assert.ok(Math.abs(snr - 10) < 1e-3, `snr ${snr}`);
  assert.ok(addNoise(new Float32Array(100), 0).every((v) => v === 0));
});

test('timeShift and speedPerturb', () => {
  assert.deepEqual([...timeShift(Float32Array.from([1, 2, 3, 4]), 1)], [0, 1, 2, 3]);
  assert.deepEqual([...timeShift(Float32Array.from([1, 2, 3, 4]), -2)], [3, 4, 0, 0]);
  const fast = speedPerturb(tone(400, 16000, 16000), 1.25);
  assert.equal(fast.length, 12800);
  // Played 1.25× faster at the same rate, 400 Hz becomes 500 Hz.
  const want = tone(500, 16000, 12800);
  let worst = 0;
  for (let i = 300; i < 12500; i++) worst = Math.max(worst, Math.abs(fast[i] - want[i]));
  assert.ok(worst < 5e-3, `max error ${worst}`);
});

test('specAugment masks whole bands and frames with the mean, at most the given widths', () => {
  const bins = 20, frames = 30;
  const spec = { data: Float32Array.from({ length: bins * frames }, (_, i) => i + 1), bins, frames };
  const out = specAugment(spec, { freqMasks: 1, freqWidth: 5, timeMasks: 1, timeWidth: 7, value: -1 }, new RNG(5));
  const maskedRows = Array.from({ length: bins }, (_, f) => out.data.subarray(f * frames, (f + 1) * frames).every((v) => v === -1)).filter(Boolean).length;
  const maskedCols = Array.from({ length: frames }, (_, t) => Array.from({ length: bins }, (_, f) => out.data[f * frames + t]).every((v) => v === -1)).filter(Boolean).length;
  assert.ok(maskedRows <= 5 && maskedCols <= 7);
  const changed = out.data.filter((v, i) => v !== spec.data[i]).length;
  assert.equal(changed, maskedRows * frames + maskedCols * bins - maskedRows * maskedCols);
});

test('speech features: 3 channels × 40 mel × 100 frames, zero-mean per band, silence → zeros, never NaN', () => {
  const x = tone(500, 16000, 24000).map((v, i) => (i > 8000 && i < 16000 ? v : 0));
  const f = speechFeatures(x);
  assert.deepEqual(f.shape, [3, 40, 100]);
  assert.ok(f.data.every(Number.isFinite));
  const row = f.data.subarray(0, 100);
  assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) / 100) < 1e-4);
  assert.ok(speechFeatures(new Float32Array(16000)).data.every((v) => v === 0));
  assert.ok(speechFeatures(Float32Array.from([0.3, -1, 1])).data.every(Number.isFinite), 'three samples');
  const flatBand = normalizeUtterance({ data: new Float32Array(10).fill(4), bins: 1, frames: 10 });
  assert.ok(flatBand.data.every((v) => v === 0));
});

/** Frequency of a (near-)pure tone from its upward zero crossings, located by linear interpolation between samples. */
function zeroCrossingHz(x: Float32Array, rate: number, from: number, to: number): number {
  let first = -1, last = -1, n = 0;
  for (let i = from; i < to - 1; i++) {
    if (x[i] <= 0 && x[i + 1] > 0) {
      const t = i + x[i] / (x[i] - x[i + 1]);
      if (first < 0) first = t;
      last = t;
      n++;
    }
  }
  return (rate * (n - 1)) / (last - first);
}
const rms = (x: Float32Array, a: number, b: number) => Math.sqrt(power(x.subarray(a, b)));

test('pitchShift moves a pure tone by the requested semitones and keeps its length and level', () => {
  const x = tone(440, 16000, 16000).map((v) => 0.5 * v);
  for (const s of [-12, -3, 1.5, 4, 12]) {
    const y = pitchShift(x, s);
    assert.equal(y.length, x.length);
    const hz = zeroCrossingHz(y, 16000, 2000, 14000);
    const cents = 1200 * Math.log2(hz / 440) - 100 * s;
    assert.ok(Math.abs(cents) < 3, `${s} semitones: ${hz.toFixed(2)} Hz, ${cents.toFixed(2)} cents off`);
    // A phase vocoder smears a little energy off the tone's bins; the level stays within 1.5 dB.
    const db = 20 * Math.log10(rms(y, 2000, 14000) / rms(x, 2000, 14000));
    assert.ok(Math.abs(db) < 1.5, `${s} semitones: level ${db.toFixed(2)} dB`);
  }
  assert.deepEqual([...pitchShift(Float32Array.from([1, 2, 3]), 0)], [1, 2, 3]);
  assert.throws(() => pitchShift(x, Number.NaN), ReceptiveError);
  assert.throws(() => pitchShift(new Float32Array(0), 2), /empty signal/);
});

test('timeStretch changes the length by the factor and keeps the frequency', () => {
  for (const factor of [0.8, 1.3]) {
    const y = timeStretch(tone(300, 16000, 16000), factor);
    assert.equal(y.length, Math.round(16000 * factor));
    const hz = zeroCrossingHz(y, 16000, 2000, y.length - 2000);
    assert.ok(Math.abs(hz - 300) < 0.3, `×${factor}: ${hz} Hz`);
  }
  assert.throws(() => timeStretch(tone(300, 16000, 100), 0), /factor must be/);
  assert.throws(() => timeStretch(tone(300, 16000, 100), 1.1, { nFft: 500 }), /power of two/);
});

test('time warp keeps the frame count, moves the marked frame by the shift and maps the rest linearly', () => {
  const bins = 3, frames = 21, center = 8, shift = 4;
  // Row r holds 10·r + t at frame t, except a marker (−50) at the centre frame.
  const data = Float32Array.from({ length: bins * frames }, (_, i) => (i % frames === center ? -50 : 10 * Math.floor(i / frames) + (i % frames)));
  const out = warpFrames(data, bins, frames, center, shift);
  assert.equal(out.length, data.length);
  for (let r = 0; r < bins; r++) {
    const row = out.subarray(r * frames, (r + 1) * frames);
    assert.equal(row[center + shift], -50, 'the marker lands shift frames later');
    assert.equal(row[0], 10 * r);
    assert.equal(row[frames - 1], 10 * r + frames - 1);
    // Frame 3 reads source frame 3·8/12 = 2 exactly; frame 16 reads 8 + 4·12/8 = 14 exactly.
    assert.equal(row[3], 10 * r + 2);
    assert.equal(row[16], 10 * r + 14);
    // Frame 1 reads source frame 8/12 = 2/3: interpolated between frames 0 and 1.
    assert.ok(Math.abs(row[1] - (10 * r + 2 / 3)) < 1e-5);
  }
  // A shift back (negative) moves the marker earlier.
  assert.equal(warpFrames(data, bins, frames, center, -5)[center - 5], -50);
  assert.throws(() => warpFrames(data, bins, frames, center, 13), /outside/);
  assert.throws(() => warpFrames(data, bins, frames, 0, 1), /center must be/);
  // The random form keeps the shape and the end frames, and is seeded.
  const spec = { data, bins, frames };
  const a = timeWarp(spec, 5, new RNG(2));
  assert.deepEqual([a.bins, a.frames], [bins, frames]);
  assert.deepEqual(a.data, timeWarp(spec, 5, new RNG(2)).data);
  assert.equal(a.data[0], data[0]);
  assert.equal(a.data[frames - 1], data[frames - 1]);
  assert.deepEqual(timeWarp(spec, 0).data, data);
});
