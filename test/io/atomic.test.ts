import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError, RNG } from '../../src/tensor/index.js';
import { readFileChecked, removeStaleTempFiles, writeFileAtomic } from '../../src/io/index.js';
import { assertThrowsWith } from '../helpers.js';
import { content } from './atomic-writer.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const temps = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

test('writeFileAtomic: replaces the target, leaves no temporary file, cleans up after failures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-atomic-'));
  try {
    const target = join(dir, 'w.bin');
    writeFileAtomic(target, Uint8Array.of(1, 2, 3));
    writeFileAtomic(target, Uint8Array.of(4, 5));
    assert.deepEqual([...readFileChecked(target)], [4, 5]);
    assert.deepEqual(readdirSync(dir), ['w.bin']);
    // Renaming over a directory fails: the error propagates and the temporary file is removed.
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x'), 'x');
    assert.throws(() => writeFileAtomic(join(dir, 'sub'), Uint8Array.of(1)));
    assert.deepEqual(temps(dir), []);
    assert.throws(() => writeFileAtomic(join(dir, 'missing', 'w.bin'), Uint8Array.of(1)), /missing does not exist/);
    // A leftover of a dead writer (pid 2^22 + 1 is above Linux's default pid_max) is removed by the next write.
    writeFileSync(join(dir, '.w.bin.4194305.abcdef.tmp'), 'stale');
    writeFileSync(join(dir, '.other.bin.4194305.abcdef.tmp'), 'not ours');
    writeFileAtomic(target, Uint8Array.of(9));
    assert.deepEqual(temps(dir), ['.other.bin.4194305.abcdef.tmp']);
    assert.deepEqual(removeStaleTempFiles(join(dir, 'other.bin')), [join(dir, '.other.bin.4194305.abcdef.tmp')]);
    assertThrowsWith(() => readFileChecked(join(dir, 'nope.safetensors')), FormatError, 'nope.safetensors', 'no such file');
    assertThrowsWith(() => readFileChecked(join(dir, 'sub')), FormatError, 'sub', 'is a directory');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('writeFileAtomic: a writer killed at random moments leaves nothing or one complete version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-atomic-'));
  const target = join(dir, 'ckpt.safetensors');
  const size = 8 << 20;
  const script = fileURLToPath(new URL('./atomic-writer.ts', import.meta.url));
  const rng = new RNG(5);
  let completeSeen = 0;
  let leftoverSeen = 0;
  try {
    for (let run = 0; run < 10; run++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, target, String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((res) => child.stdout.once('data', () => res()));
      await new Promise((res) => setTimeout(res, rng.int(0, 250)));
      child.kill('SIGKILL');
      await new Promise((res) => child.once('exit', res));
      if (existsSync(target)) {
        const bytes = readFileSync(target);
        assert.equal(bytes.length, size, `run ${run}: target has ${bytes.length} bytes`);
        const version = bytes.readUInt32LE(0);
        assert.equal(sha(bytes), sha(content(version, size)), `run ${run}: target is not a complete version ${version}`);
        completeSeen++;
      }
      const left = temps(dir);
      assert.ok(left.length <= 1, `run ${run}: temporary files pile up: ${left.join(', ')}`);
      leftoverSeen += left.length;
    }
    assert.ok(completeSeen > 0, 'no run got as far as a complete write');
    // A later write removes the last killed writer's leftover.
    writeFileAtomic(target, content(0, 16));
    assert.deepEqual(temps(dir), []);
    console.log(`# atomic: ${completeSeen} complete targets, ${leftoverSeen} kills mid-write`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
