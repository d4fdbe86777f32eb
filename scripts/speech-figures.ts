// The speech augmentations as pictures for docs/applications.md: the log-mel spectrogram (40 HTK bands, 10 ms frames,
// lowest band at the bottom) of one clip as it is, pitch-shifted down and up, time-warped, and with SpecAugment masks.
// Run: node --import tsx scripts/speech-figures.ts <clip.wav> <out.png>
import { readFileSync } from 'node:fs';
import { Tensor, RNG } from '../src/tensor/index.js';
import { decodeWav, logMelSpectrogram, pitchShift, prepareAudio, specAugment, warpFrames, type Spectrogram } from '../src/audio/index.js';
import { grid, mapToImage } from '../src/viz/index.js';
import { writePng } from '../src/data/image-node.js';

const [wav, out] = process.argv.slice(2);
const x = prepareAudio(decodeWav(new Uint8Array(readFileSync(wav)), wav), 16000);
const logMel = (s: Float32Array) => logMelSpectrogram(s, { sampleRate: 16000, nFft: 512, winLength: 400, hopLength: 160, nMels: 40, scale: 'htk', topDb: 80 });
// Flipped so that low frequencies are at the bottom, as spectrograms are drawn.
const picture = (s: Spectrogram) => {
  const d = new Float32Array(s.data.length);
  for (let f = 0; f < s.bins; f++) d.set(s.data.subarray(f * s.frames, (f + 1) * s.frames), (s.bins - 1 - f) * s.frames);
  // The 80 dB below the loudest bin, as the features see it (topDb 80).
  const top = s.data.reduce((m, v) => Math.max(m, v), -Infinity);
  return mapToImage(new Tensor(d, [s.bins, s.frames]), { scale: 3, range: [top - 80, top] });
};
const maxOf = (s: Spectrogram) => s.data.reduce((m, v) => Math.max(m, v), -Infinity);
const base = logMel(x);
// A frame inside the word (the corpus places words at random offsets; this clip's word starts near frame 5).
const centre = 30;
const panels = [
  ['as rendered', base],
  ['pitch -4 semitones', logMel(pitchShift(x, -4))],
  ['pitch +4 semitones', logMel(pitchShift(x, 4))],
  [`time warp: frame ${centre} to ${centre + 15}`, { ...base, data: warpFrames(base.data, base.bins, base.frames, centre, 15) }],
  ['SpecAugment masks', specAugment(base, { freqMasks: 2, freqWidth: 8, timeMasks: 1, timeWidth: 15, value: maxOf(base) - 80 }, new RNG(4))],
] as const;
writePng(out, grid(panels.map(([, s]) => picture(s)), { cols: 1, labels: panels.map(([l]) => l), fontScale: 2 }));
console.log(`wrote ${out}`);
