import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { decodeWav, speechFeatures } from '../../src/audio/index.js';

const hasEspeak = spawnSync('sh', ['-c', 'command -v espeak-ng']).status === 0;

test('make-speech-corpus: seeded clips, manifest, no test voice in training', { skip: hasEspeak ? false : 'espeak-ng is not installed (apt-get install espeak-ng)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/make-speech-corpus.mjs', dir, '--variants', '4', '--accents', '1', '--no-flite', '--no-festival', '--words', 'digits', '--seed', '3'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { classes: string[]; voices: { train: string[]; test: string[] }; items: { file: string; label: string; voice: string; split: string }[] };
    assert.equal(m.classes.length, 10);
    assert.equal(m.items.length, 40);
    assert.ok(m.voices.test.length > 0 && m.voices.train.length > 0);
    assert.ok(!m.voices.test.some((v) => m.voices.train.includes(v)));
    for (const it of m.items) assert.equal(it.split, m.voices.test.includes(it.voice) ? 'test' : 'train');
    const a = decodeWav(new Uint8Array(readFileSync(join(dir, m.items[0].file))));
    assert.equal(a.sampleRate, 16000);
    assert.ok(a.channels[0].some((v) => v !== 0));
    assert.ok(speechFeatures(a.channels[0]).data.every(Number.isFinite));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
