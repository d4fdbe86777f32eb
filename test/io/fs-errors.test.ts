import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDir, FileSystemError, fsError, writeFileAtomic } from '../../src/io/atomic.js';
import { assertThrowsWith } from '../helpers.js';

const errno = (code: string) => Object.assign(new Error(`${code}: raw node message, open '/x/.hidden.123.tmp'`), { code });

test('writeFileAtomic: each failure names the target and the reason, never the temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-fserr-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'file'), 'x');
    const cases: [string, string][] = [
      [join(dir, 'sub'), `cannot write ${join(dir, 'sub')}: is a directory, not a file`],
      [join(dir, 'file', 'w.bin'), `cannot write ${join(dir, 'file', 'w.bin')}: ${join(dir, 'file')} is a file, not a directory`],
      [join(dir, 'file', 'a', 'w.bin'), `cannot write ${join(dir, 'file', 'a', 'w.bin')}: ${join(dir, 'file')} is a file, not a directory`],
      [join(dir, 'no', 'pe', 'w.bin'), `cannot write ${join(dir, 'no', 'pe', 'w.bin')}: the directory ${join(dir, 'no')} does not exist`],
    ];
    for (const [path, message] of cases) {
      const e = assertThrowsWith(() => writeFileAtomic(path, Uint8Array.of(1)), FileSystemError);
      assert.equal(e.message, message);
      assert.doesNotMatch(e.message, /\.tmp|\n/);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['file', 'sub'], 'no temporary file left behind');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('ensureDir: creates nested directories; refuses a file on the way and /proc at once (Node\'s recursive mkdir loops there)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-fserr-'));
  try {
    ensureDir(join(dir, 'a', 'b', 'c'));
    ensureDir(join(dir, 'a', 'b', 'c'));
    assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['c']);
    writeFileSync(join(dir, 'f'), 'x');
    const e = assertThrowsWith(() => ensureDir(join(dir, 'f', 'g')), FileSystemError);
    assert.equal(e.message, `cannot create directory ${join(dir, 'f', 'g')}: ${join(dir, 'f')} is a file, not a directory`);
    const t0 = performance.now();
    const p = assertThrowsWith(() => ensureDir('/proc/receptive-x/y'), FileSystemError);
    assert.equal(p.message, 'cannot create directory /proc/receptive-x/y: /proc does not accept new directories');
    assert.ok(performance.now() - t0 < 1000);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('fsError: the codes a root test process cannot provoke map to their reasons, naming the path given', () => {
  const expected: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on device',
    EISDIR: 'is a directory, not a file', EMFILE: 'too many open files',
  };
  for (const [code, why] of Object.entries(expected)) {
    const e = fsError(errno(code), 'runs/x/checkpoint.safetensors', 'write');
    assert.ok(e instanceof FileSystemError);
    assert.equal(e.message, `cannot write runs/x/checkpoint.safetensors: ${why}`);
    assert.equal((e as FileSystemError).code, code);
  }
  assert.equal(fsError(errno('EWEIRD'), 'p', 'read').message, 'cannot read p: EWEIRD');
  assert.equal(fsError(errno('ENOENT'), '/no/such/file', 'read').message, 'cannot read /no/such/file: no such file or directory');
});
