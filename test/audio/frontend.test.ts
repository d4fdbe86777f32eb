import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FormatError, ArgumentError } from '../../src/tensor/index.js';
import {
  decodeWav, encodeWav, rfft, stft, melFilterBank, applyFilterBank, logCompress, dct2, deltas, hzToMel, melToHz,
  logMelSpectrogram, mfcc,
} from '../../src/audio/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

// NumPy/SciPy values from scripts/audio_reference.py (STFT also checked there against torch.stft).
interface Fixture {
  config: { sampleRate: number; nFft: number; winLength: number; hopLength: number; nMels: number; nMfcc: number };
  signal: number[];
  rfft512: { re: number[]; im: number[] };
  rfft400: { re: number[]; im: number[] };
  power: number[][]; melHtk: number[][]; melSlaney: number[][]; melSlaney300to6000: number[][];
  logmel: number[][]; mfcc: number[][]; delta: number[][]; deltaDelta: number[][];
  wavs: { name: string; b64: string; channels: number[][]; sampleRate: number }[];
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/audio-reference.json', import.meta.url), 'utf8')) as Fixture;
const c = fx.config;
const signal = Float32Array.from(fx.signal);
const flat = (m: number[][]) => m.flat();
const stftOpts = { nFft: c.nFft, winLength: c.winLength, hopLength: c.hopLength };

test('rfft matches numpy.fft.rfft (radix-2) and scipy.fft.rfft (n = 400, Bluestein)', () => {
  const a = rfft(signal.subarray(0, 512));
  assertClose(a.re, fx.rfft512.re, { atol: 1e-9, rtol: 1e-9 }, 're 512');
  assertClose(a.im, fx.rfft512.im, { atol: 1e-9, rtol: 1e-9 }, 'im 512');
  const b = rfft(signal.subarray(0, 400));
  assertClose(b.re, fx.rfft400.re, { atol: 1e-8, rtol: 1e-8 }, 're 400');
  assertClose(b.im, fx.rfft400.im, { atol: 1e-8, rtol: 1e-8 }, 'im 400');
});

test('power STFT (centred, reflect, periodic Hann of 400 in 512) matches NumPy', () => {
  const s = stft(signal, stftOpts);
  assert.equal(s.bins, fx.power.length);
  assert.equal(s.frames, fx.power[0].length);
  assertClose(s.data, flat(fx.power), { rtol: 1e-4, atol: 1e-4 });
});

test('mel filter banks: HTK (peak 1) and Slaney (unit area) match the published formulas in NumPy', () => {
  const htk = melFilterBank({ sampleRate: c.sampleRate, nFft: c.nFft, nMels: c.nMels, scale: 'htk' });
  assertClose(htk, flat(fx.melHtk), { atol: 1e-9 }, 'htk');
  const sl = melFilterBank({ sampleRate: c.sampleRate, nFft: c.nFft, nMels: c.nMels, scale: 'slaney', norm: 'slaney' });
  assertClose(sl, flat(fx.melSlaney), { atol: 1e-9 }, 'slaney');
  const band = melFilterBank({ sampleRate: c.sampleRate, nFft: c.nFft, nMels: c.nMels, scale: 'slaney', norm: 'slaney', fMin: 300, fMax: 6000 });
  assertClose(band, flat(fx.melSlaney300to6000), { atol: 1e-9 }, 'slaney 300-6000');
});

test('mel scales: round trips, and the anchor points by hand', () => {
  for (const f of [0, 123, 999, 1000, 4321, 8000]) {
    assert.ok(Math.abs(melToHz(hzToMel(f, 'htk'), 'htk') - f) < 1e-8);
    assert.ok(Math.abs(melToHz(hzToMel(f, 'slaney'), 'slaney') - f) < 1e-8);
  }
  assert.ok(Math.abs(hzToMel(700, 'htk') - 2595 * Math.log10(2)) < 1e-9);
  assert.ok(Math.abs(hzToMel(1000, 'slaney') - 15) < 1e-12); // 1000 Hz / (200/3 Hz per mel)
});

test('log-mel (dB), MFCC (scipy.fft.dct ortho) and HTK deltas match NumPy/SciPy', () => {
  const lm = logMelSpectrogram(signal, { ...stftOpts, sampleRate: c.sampleRate, nMels: c.nMels });
  assertClose(lm.data, flat(fx.logmel), { atol: 2e-3 }, 'logmel');
  const m = mfcc(signal, { ...stftOpts, sampleRate: c.sampleRate, nMels: c.nMels, nMfcc: c.nMfcc });
  assertClose(m.data, flat(fx.mfcc), { atol: 1e-2 }, 'mfcc');
  const ref = { data: Float32Array.from(flat(fx.logmel)), bins: c.nMels, frames: fx.logmel[0].length };
  assertClose(dct2(ref, c.nMfcc).data, flat(fx.mfcc), { atol: 1e-3 }, 'dct of the reference log-mel');
  const d1 = deltas(ref);
  assertClose(d1.data, flat(fx.delta), { atol: 1e-4 }, 'delta');
  assertClose(deltas(d1).data, flat(fx.deltaDelta), { atol: 1e-4 }, 'delta-delta');
});

test('WAV: 8/16/24/32-bit PCM stereo and 32/64-bit float files decode to the packed values', () => {
  for (const w of fx.wavs) {
    const a = decodeWav(new Uint8Array(Buffer.from(w.b64, 'base64')), w.name);
    assert.equal(a.sampleRate, w.sampleRate, w.name);
    assert.equal(a.channels.length, w.channels.length, w.name);
    a.channels.forEach((ch, i) => assertClose(ch, w.channels[i], { atol: 1e-7 }, `${w.name} channel ${i}`));
  }
});

test('WAV: encode → decode round trip at every sample size', () => {
  const x = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i / 3) * 0.9);
  for (const [bits, float, tol] of [[8, false, 1 / 128], [16, false, 1 / 32768], [24, false, 1e-6], [32, false, 1e-7], [32, true, 0], [64, true, 0]] as const) {
    const a = decodeWav(encodeWav({ sampleRate: 11025, channels: [x, x.map((v) => -v)] }, { bitsPerSample: bits, float }));
    assert.equal(a.info.bitsPerSample, bits);
    assertClose(a.channels[0], x, { atol: tol }, `${bits}`);
    assertClose(a.channels[1], x.map((v) => -v), { atol: tol }, `${bits}`);
  }
});

test('WAV: bad files fail with FormatError naming the problem and the byte offset', () => {
  const good = encodeWav({ sampleRate: 8000, channels: [new Float32Array(10)] });
  assertThrowsWith(() => decodeWav(good.slice(0, 8), 'a.wav'), FormatError, 'a.wav', 'too short');
  const notRiff = good.slice(); notRiff[0] = 0x58;
  assertThrowsWith(() => decodeWav(notRiff, 'b.wav'), FormatError, 'not a RIFF file', 'byte 0');
  const alaw = good.slice(); alaw[20] = 6; // WAVE_FORMAT_ALAW
  assertThrowsWith(() => decodeWav(alaw, 'c.wav'), FormatError, 'unsupported encoding', 'format tag 6', 'byte 20');
  const bits12 = good.slice(); bits12[34] = 12;
  assertThrowsWith(() => decodeWav(bits12, 'd.wav'), FormatError, '12 bits');
  const empty = encodeWav({ sampleRate: 8000, channels: [new Float32Array(0)] });
  assertThrowsWith(() => decodeWav(empty, 'e.wav'), FormatError, 'zero-length');
  assertThrowsWith(() => decodeWav(good.slice(0, 36), 'f.wav'), FormatError, 'no data chunk');
  assertThrowsWith(() => stft(new Float32Array(0), { nFft: 512 }), ArgumentError, 'empty signal');
});

test('silent, clipping and non-finite input give finite features', () => {
  const o = { ...stftOpts, sampleRate: c.sampleRate, nMels: c.nMels };
  const silent = logMelSpectrogram(new Float32Array(4000), o);
  assert.ok(silent.data.every((v) => v === -100), 'silence sits at the −100 dB floor');
  const clipped = Float32Array.from({ length: 4000 }, (_, i) => Math.max(-1, Math.min(1, 5 * Math.sin(i / 5))));
  assert.ok(mfcc(clipped, o).data.every(Number.isFinite));
  const f = encodeWav({ sampleRate: 8000, channels: [Float32Array.from([0.5, NaN, Infinity, -0.25])] }, { float: true });
  assert.deepEqual([...decodeWav(f).channels[0]], [0.5, 0, 0, -0.25]);
  const fb = melFilterBank({ sampleRate: 8000, nFft: 256, nMels: 20 });
  assert.ok(logCompress(applyFilterBank(stft(new Float32Array(1000), { nFft: 256 }), fb, 20)).data.every(Number.isFinite));
});
