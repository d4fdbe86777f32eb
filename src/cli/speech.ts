import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ArgumentError, FormatError, RNG, Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import { softmax } from '../ops/index.js';
import { createModel } from '../models/index.js';
import { decodeWav, pitchShift, prepareAudio, resample, speechFeatures, warpFrames, SPEECH_FEATURES, type SpeechFeatureConfig } from '../audio/index.js';
import { readCheckpoint } from '../train/checkpoint-node.js';
import { seedEverything } from './setup.js';
import { formatTaskReport, trainClassifier, type TaskReport, type TaskSettings } from './task-common.js';

/*
 * `receptive train --task speech --data <dir>` and `receptive predict <ckpt> <file.wav>`.
 * A data directory is either a corpus from scripts/make-speech-corpus.mjs (manifest.json
 * with a train/test split by voice) or a user's folders train/<class>/*.wav and test/<class>/*.wav.
 */

export interface SpeechItem { file: string; label: string; split: 'train' | 'test'; voice?: string }

export function listSpeechCorpus(dir: string): { classes: string[]; items: SpeechItem[] } {
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { classes?: string[]; items?: SpeechItem[] };
    if (!Array.isArray(m.classes) || !Array.isArray(m.items)) throw new FormatError(manifest, 'expected { classes: [...], items: [{ file, label, split }] }');
    return { classes: m.classes, items: m.items.map((i) => ({ ...i, file: join(dir, i.file) })) };
  }
  const items: SpeechItem[] = [];
  const classes = new Set<string>();
  for (const split of ['train', 'test'] as const) {
    const root = join(dir, split);
    if (!existsSync(root)) throw new ArgumentError('train --task speech', `${dir} has neither manifest.json nor ${split}/<class>/*.wav folders`);
    for (const label of readdirSync(root).sort()) {
      if (!statSync(join(root, label)).isDirectory()) continue;
      classes.add(label);
      for (const f of readdirSync(join(root, label)).sort()) if (f.toLowerCase().endsWith('.wav')) items.push({ file: join(root, label, f), label, split });
    }
  }
  return { classes: [...classes].sort(), items };
}

function readWav(path: string, f: SpeechFeatureConfig): Float32Array {
  return prepareAudio(decodeWav(new Uint8Array(readFileSync(path)), path), f.sampleRate);
}

export function wavFeatures(path: string, f: SpeechFeatureConfig): Float32Array {
  return speechFeatures(readWav(path, f), f).data;
}

/**
 * Waveform augmentation for extra training copies: a pitch shift uniform in
 * ±`semitones` (phase vocoder, tempo kept) and a speed change uniform in
 * ±`speed` (resampling; rounded to 1% so the resampler runs polyphase).
 */
export interface WaveAugment { copies: number; semitones: number; speed: number; seed: number }

function augmentWave(x: Float32Array, a: WaveAugment, rng: RNG): Float32Array {
  const st = (2 * rng.random() - 1) * a.semitones;
  const v = Math.round(100 * (1 + (2 * rng.random() - 1) * a.speed));
  const y = st === 0 ? x : pitchShift(x, st);
  return v === 100 ? y : resample(y, v, 100);
}

/**
 * Features of every item (and, with `aug`, of `aug.copies` augmented copies of each, copy-major), cached beside
 * the manifest under `name` (recomputed when the feature settings, the augmentation or the item list change).
 */
function corpusTensors(dir: string, items: SpeechItem[], f: SpeechFeatureConfig, log: (s: string) => void, name = 'features', aug?: WaveAugment): Float32Array {
  const per = (f.deltas ? 3 : 1) * f.nMels * f.frames;
  const copies = aug?.copies ?? 1;
  const key = JSON.stringify({ f, aug, files: items.map((i) => relative(dir, i.file)) });
  const cache = join(dir, `.${name}.f32`);
  const keyFile = join(dir, `.${name}.json`);
  const n = items.length * copies;
  if (existsSync(cache) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) {
    const b = readFileSync(cache);
    if (b.length === n * per * 4) return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  }
  const out = new Float32Array(n * per);
  const t0 = performance.now();
  items.forEach((it, i) => {
    if (!aug) { out.set(wavFeatures(it.file, f), i * per); return; }
    const x = readWav(it.file, f);
    // One stream per item, so an item's copies do not depend on the others.
    const rng = new RNG(aug.seed * 1_000_003 + i);
    for (let c = 0; c < copies; c++) out.set(speechFeatures(augmentWave(x, aug, rng), f).data, (c * items.length + i) * per);
  });
  log(`${name}: ${n} clips in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try { writeFileSync(cache, out); writeFileSync(keyFile, key); } catch { /* a read-only corpus is fine: no cache */ }
  return out;
}

/**
 * SpecAugment on a batch [B, C, F, T] (Park et al. 2019): a time warp of the centre frame by up to `warp` frames,
 * then one band span (≤ freqWidth) and one frame span (≤ timeWidth) per example set to 0 (the normalised mean);
 * all channels alike.
 */
export function batchSpecAugment(freqWidth: number, timeWidth: number, warp = 0) {
  return (x: Tensor, rng: RNG): Tensor => {
    const [B, C, F, T] = x.shape;
    const src = x.data as Float32Array;
    const d = Float32Array.from(src);
    const W = Math.min(warp, Math.floor((T - 3) / 2));
    for (let b = 0; b < B; b++) {
      if (W > 0) {
        const center = W + 1 + Math.floor(rng.random() * (T - 2 - 2 * W));
        const shift = Math.round((2 * rng.random() - 1) * W);
        warpFrames(src, C * F, T, center, shift, b * C * F * T, d);
      }
      const fw = Math.floor(rng.random() * (freqWidth + 1)), f0 = Math.floor(rng.random() * (F - fw + 1));
      const tw = Math.floor(rng.random() * (timeWidth + 1)), t0 = Math.floor(rng.random() * (T - tw + 1));
      for (let c = 0; c < C; c++) {
        const base = (b * C + c) * F * T;
        for (let f = f0; f < f0 + fw; f++) d.fill(0, base + f * T, base + (f + 1) * T);
        for (let f = 0; f < F; f++) d.fill(0, base + f * T + t0, base + f * T + t0 + tw);
      }
    }
    return new Tensor(d, x.shape);
  };
}

/** Speech-only training settings: SpecAugment on or off, its time-warp width, extra augmented copies, model width (--width). */
export interface SpeechTrainOptions {
  specAugment?: boolean;
  timeWarp?: number;
  copies?: number;
  semitones?: number;
  width?: number;
}

export function runSpeechTrain(dir: string, s: TaskSettings & SpeechTrainOptions, io: { interactive: boolean; log: (s: string) => void }): { report: TaskReport; text: string } {
  const { classes, items } = listSpeechCorpus(dir);
  const f = SPEECH_FEATURES;
  const feats = corpusTensors(dir, items, f, io.log);
  const copies = s.copies ?? 0;
  if (!Number.isInteger(copies) || copies < 0) throw new ArgumentError('train --task speech', `--speech-copies must be a non-negative integer, got ${copies}`);
  const trainItems = items.filter((it) => it.split === 'train');
  const aug = copies > 0 ? { copies, semitones: s.semitones ?? 2, speed: 0.1, seed: s.seed } : undefined;
  const extra = aug ? corpusTensors(dir, trainItems, f, io.log, 'augmented', aug) : new Float32Array(0);
  const per = (f.deltas ? 3 : 1) * f.nMels * f.frames;
  const index = new Map(classes.map((c, i) => [c, i]));
  const pick = (split: 'train' | 'test') => {
    const idx = items.map((it, i) => (it.split === split ? i : -1)).filter((i) => i >= 0);
    const x = new Float32Array(idx.length * per);
    const y = new Int32Array(idx.length);
    idx.forEach((i, k) => {
      x.set(feats.subarray(i * per, (i + 1) * per), k * per);
      const c = index.get(items[i].label);
      if (c === undefined) throw new ArgumentError('train --task speech', `item ${items[i].file} has label "${items[i].label}", not one of the classes`);
      y[k] = c;
    });
    return { x: new Tensor(x, [idx.length, f.deltas ? 3 : 1, f.nMels, f.frames]), y };
  };
  const base = pick('train');
  const te = pick('test');
  // The augmented copies follow the originals, with the same labels.
  const nx = base.y.length * (1 + copies);
  let tr = base;
  if (copies > 0) {
    const x = new Float32Array(nx * per);
    x.set(base.x.data as Float32Array);
    x.set(extra, base.y.length * per);
    tr = { x: new Tensor(x, [nx, f.deltas ? 3 : 1, f.nMels, f.frames]), y: Int32Array.from({ length: nx }, (_, i) => base.y[i % base.y.length]) };
  }
  io.log(`speech: ${classes.length} classes, ${tr.y.length} training and ${te.y.length} test clips`);
  const rng = seedEverything(s.seed);
  // --width: the 2-D CNN's first-stage channels, or the 2014 model's feature maps.
  const width = s.width === undefined ? {} : s.model === 'speech-cnn2d' ? { width: s.width } : { filters: s.width };
  const config = { numClasses: classes.length, labels: classes, features: f, ...width };
  const model = createModel(s.model, config, rng);
  const report = trainClassifier(model, config, s, {
    trainX: tr.x, trainY: tr.y, testX: te.x, testY: te.y, numClasses: classes.length,
    transform: s.specAugment === false ? undefined : batchSpecAugment(6, 10, s.timeWarp ?? 0),
  }, io);
  return { report, text: formatTaskReport(report, classes, 'clips of held-out voices') };
}

/** Class probabilities for WAV files from a speech checkpoint. */
export function predictSpeech(checkpoint: string, files: string[]): string {
  const { tensors, info } = readCheckpoint(checkpoint);
  const cfg = info.model.config as { labels?: string[]; features?: SpeechFeatureConfig };
  if (!cfg.labels || !cfg.features) throw new ArgumentError('predict', `${checkpoint} is not a speech checkpoint (no labels/features in its config)`);
  const model = createModel(info.model.name, info.model.config);
  model.loadStateDict(tensors);
  model.eval();
  if (files.length === 0) throw new ArgumentError('predict', 'give one or more .wav files');
  const f = cfg.features;
  return files.map((file) => {
    const x = new Tensor(wavFeatures(file, f), [1, f.deltas ? 3 : 1, f.nMels, f.frames]);
    const p = noGrad(() => softmax(model.call(x) as Tensor, -1)).data;
    const order = [...p.keys()].sort((a, b) => p[b] - p[a]).slice(0, 3);
    return `${file}: ${cfg.labels![order[0]]} (${order.map((i) => `${cfg.labels![i]} ${(100 * p[i]).toFixed(1)}%`).join(', ')})`;
  }).join('\n');
}
