#!/usr/bin/env node
// A spoken-word corpus rendered offline by Debian's speech synthesisers (espeak-ng, and flite and festival where installed):
// the digits "zero" … "nine" and a few keywords, each voice (an espeak-ng accent with a voice variant, or a flite
// or festival voice) at a random speed and pitch, placed at a random offset in a 1.2 s clip, at a random gain, mixed
// with white or pink noise at 5–30 dB SNR. Voices are split so that no test voice appears in training: whole
// espeak-ng variants (with every accent), one flite voice and one festival voice are test-only. Festival's pitch
// is varied by pitchShift (±3 semitones) after synthesis. Seeded: the same seed writes the same corpus.
//
//   node --import tsx scripts/make-speech-corpus.mjs <out-dir> [--seed 1] [--variants 40] [--takes 1] [--words digits|all] [--accents 7] [--no-flite] [--no-festival]
//
// Writes <out-dir>/wav/<voice>/<word>-<take>.wav (16 kHz, 16-bit mono) and <out-dir>/manifest.json:
// { classes, sampleRate, items: [{ file, label, voice, split, speed, pitch, snrDb }], voices: { train, test }, ... }.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { RNG } from '../src/tensor/index.ts';
import { decodeWav, encodeWav, prepareAudio, addNoise, pitchShift } from '../src/audio/index.ts';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : def; };
const FLAGS = ['--no-flite', '--no-festival'];
const out = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--') || FLAGS.includes(args[i - 1])));
if (!out) { console.error('usage: make-speech-corpus.mjs <out-dir> [--seed n] [--variants n] [--takes n] [--words digits|all]'); process.exit(2); }
const seed = Number(opt('seed', '1'));
const nVariants = Number(opt('variants', '40'));
const takes = Number(opt('takes', '1'));
const nAccents = Number(opt('accents', '7'));
const useFlite = !args.includes('--no-flite');
const useFestival = !args.includes('--no-festival');
const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const KEYWORDS = ['yes', 'no', 'stop', 'go'];
const words = opt('words', 'all') === 'digits' ? DIGITS : [...DIGITS, ...KEYWORDS];
const RATE = 16000;
const CLIP = Math.round(1.2 * RATE);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
if (!has('espeak-ng')) { console.error('espeak-ng is not installed (apt-get install -y espeak-ng)'); process.exit(1); }
const version = spawnSync('espeak-ng', ['--version']).stdout.toString().trim();

const rng = new RNG(seed);
const shuffle = (a) => { const p = rng.permutation(a.length); return [...p].map((i) => a[i]); };
const ACCENTS = ['en-gb', 'en-us', 'en-gb-scotland', 'en-gb-x-gbclan', 'en-gb-x-rp', 'en-029', 'en-gb-x-gbcwmd'];
const variantList = spawnSync('espeak-ng', ['--voices=variant']).stdout.toString().split('\n').slice(1)
  .map((l) => l.trim().split(/\s+/)[4]).filter((f) => f && f.startsWith('!v/')).map((f) => f.slice(3)).sort();
const variants = shuffle(variantList).slice(0, nVariants);
const testVariants = new Set(variants.slice(0, Math.round(variants.length / 4)));
const voices = [];
for (const a of ACCENTS.slice(0, nAccents)) for (const v of variants) voices.push({ id: `espeak-${a}+${v}`, engine: 'espeak', accent: a, variant: v, split: testVariants.has(v) ? 'test' : 'train' });
if (useFlite && has('flite')) {
  for (const v of ['kal', 'kal16', 'awb', 'slt', 'rms']) voices.push({ id: `flite-${v}`, engine: 'flite', variant: v, split: v === 'rms' ? 'test' : 'train' });
}
// Festival's voices as Debian packages them (festvox-kallpc16k, festvox-kdlpc16k, festvox-us-slt-hts); ked is test-only.
const festivalVoices = useFestival && has('festival')
  ? (spawnSync('festival', ['--pipe'], { input: '(print (voice.list))' }).stdout.toString().match(/\(([^()]*)\)/)?.[1] ?? '').split(/\s+/).filter(Boolean).sort()
  : [];
for (const v of festivalVoices) voices.push({ id: `festival-${v}`, engine: 'festival', variant: v, split: v === 'ked_diphone' ? 'test' : 'train' });

const tmp = join(tmpdir(), `speech-corpus-${process.pid}.wav`);
const tmpFile = (i) => join(tmpdir(), `speech-corpus-${process.pid}-${i}.wav`);
/** Festival starts slowly (about 1 s), so one process renders all of a voice's words at their speeds. */
function renderFestival(voice, jobs) {
  const scheme = [`(voice_${voice.variant})`, ...jobs.map((j, i) => `(Parameter.set 'Duration_Stretch ${(175 / j.speed).toFixed(3)}) (utt.save.wave (utt.synth (Utterance Text "${j.word}")) "${tmpFile(i)}" 'riff)`)].join('\n');
  const r = spawnSync('festival', ['--pipe'], { input: scheme });
  if (r.status !== 0) throw new Error(`${voice.id} failed: ${r.stderr}`);
  return jobs.map((j, i) => {
    const f = tmpFile(i);
    const audio = prepareAudio(decodeWav(new Uint8Array(readFileSync(f)), f), RATE);
    rmSync(f, { force: true });
    return pitchShift(audio, (j.pitch - 50) / 10);
  });
}
function render(voice, word, speed, pitch) {
  const r = voice.engine === 'espeak'
    ? spawnSync('espeak-ng', ['-v', `${voice.accent}+${voice.variant}`, '-s', String(speed), '-p', String(pitch), '-w', tmp, word])
    : spawnSync('flite', ['-voice', voice.variant, '--setf', `duration_stretch=${(175 / speed).toFixed(3)}`, '--setf', `int_f0_target_mean=${80 + 1.6 * pitch}`, '-t', word, '-o', tmp]);
  if (r.status !== 0) throw new Error(`${voice.id} failed on "${word}": ${r.stderr}`);
  return prepareAudio(decodeWav(new Uint8Array(readFileSync(tmp)), tmp), RATE);
}

/** Pink-ish noise: white noise through a one-pole low-pass, mixed with some white. */
function noise(n) {
  const pink = rng.random() < 0.5;
  const x = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) { const w = rng.normal(); y = 0.97 * y + 0.03 * w; x[i] = pink ? 6 * y + 0.2 * w : w; }
  return x;
}

mkdirSync(join(out, 'wav'), { recursive: true });
const items = [];
const t0 = performance.now();
for (const voice of voices) {
  mkdirSync(join(out, 'wav', voice.id), { recursive: true });
  const draw = () => ({ speed: Math.round(120 + rng.random() * 110), pitch: Math.round(20 + rng.random() * 60) });
  // Festival voices draw all their speeds and pitches first, to render them in one process.
  const jobs = voice.engine === 'festival' ? words.flatMap((word) => Array.from({ length: takes }, () => ({ word, ...draw() }))) : null;
  const rendered = jobs ? renderFestival(voice, jobs) : null;
  for (const word of words) {
    for (let k = 0; k < takes; k++) {
      const j = jobs ? jobs[words.indexOf(word) * takes + k] : { word, ...draw() };
      const { speed, pitch } = j;
      let speech = rendered ? rendered[words.indexOf(word) * takes + k] : render(voice, word, speed, pitch);
      if (speech.length > CLIP) speech = speech.subarray(0, CLIP);
      const clip = new Float32Array(CLIP);
      const gain = 10 ** ((-20 + rng.random() * 20) / 20) / Math.max(1e-6, speech.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
      const offset = Math.floor(rng.random() * (CLIP - speech.length + 1));
      for (let i = 0; i < speech.length; i++) clip[offset + i] = speech[i] * gain;
      const snrDb = rng.random() < 0.85 ? Math.round(5 + rng.random() * 25) : null;
      const mixed = snrDb === null ? clip : addNoise(clip, snrDb, noise(CLIP), rng);
      const file = join('wav', voice.id, `${word}-${k}.wav`);
      writeFileSync(join(out, file), encodeWav({ sampleRate: RATE, channels: [mixed] }));
      items.push({ file, label: word, voice: voice.id, split: voice.split, speed, pitch, snrDb });
    }
  }
}
rmSync(tmp, { force: true });
const manifest = {
  generator: 'scripts/make-speech-corpus.mjs', seed, engines: { 'espeak-ng': version, flite: useFlite && has('flite'), festival: festivalVoices }, sampleRate: RATE,
  classes: words, voices: { train: voices.filter((v) => v.split === 'train').map((v) => v.id), test: voices.filter((v) => v.split === 'test').map((v) => v.id) },
  testVariants: [...testVariants].sort(), items,
};
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 1));
const n = (s) => items.filter((i) => i.split === s).length;
console.log(`wrote ${items.length} clips (${n('train')} train, ${n('test')} test; ${voices.length} voices) to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
