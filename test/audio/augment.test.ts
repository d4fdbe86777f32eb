import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG } from '../../src/tensor/index.js';
import { resample, addNoise, timeShift, speedPerturb, specAugment, speechFeatures, normalizeUtterance } from '../../src/audio/index.js';

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
