/**
 * Node-only atomic file writes: readers see the old file or the new one, never
 * a mix. Bytes go to a temporary file beside the target (same directory, so the
 * rename cannot cross file systems), are fsynced, then renamed over the target.
 *
 * A process killed mid-write leaves its temporary file behind: it is named
 * `.<target>.<pid>.<random>.tmp`, is never read, and the next write to the same
 * target removes it once that pid is no longer running. So at most the
 * leftovers of the most recently killed writers remain, never a growing pile.
 */
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { FormatError } from '../tensor/index.js';

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // our own writes are synchronous: a file of ours is a leftover
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temporary files for `target` left by writers that are no longer running. */
export function removeStaleTempFiles(target: string): string[] {
  const dir = dirname(resolve(target));
  const prefix = `.${basename(target)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    if (!m || alive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(join(dir, name));
    } catch {
      // Another writer removed it first.
    }
  }
  return removed;
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const target = resolve(path);
  const dir = dirname(target);
  removeStaleTempFiles(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd = openSync(tmp, 'wx', 0o644);
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, target);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone.
    }
    throw e;
  }
  // Make the rename itself durable; directories cannot be opened for fsync on Windows.
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Best effort.
  }
}

/** A file's bytes, or a FormatError naming it (missing, a directory, unreadable). */
export function readFileChecked(path: string): Uint8Array {
  try {
    const buf = readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? (e as Error).message})`;
    throw new FormatError(path, why);
  }
}
