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
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { FormatError, ReceptiveError } from '../tensor/index.js';

/** A file-system call failed: one line naming the path and the reason (no Node stack trace, no temporary file names). */
export class FileSystemError extends ReceptiveError {
  constructor(readonly path: string, readonly code: string | undefined, message: string) {
    super(message);
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

/** Why a path's directory is unusable: the first ancestor that exists but is a file, or the one that is missing. */
function missingDirReason(dir: string): string {
  let missing = dir;
  for (let d = dir; ; d = dirname(d)) {
    try {
      return statSync(d).isDirectory() ? `the directory ${missing} does not exist` : `${d} is a file, not a directory`;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') continue;
      if (code !== 'ENOENT' || dirname(d) === d) return REASONS[code ?? ''] ?? String(code);
      missing = d;
    }
  }
}

/**
 * A Node file-system error as a FileSystemError about `path` (the path the user
 * gave, not a temporary file): `cannot <action> <path>: <reason>`.
 */
export function fsError(e: unknown, path: string, action: 'read' | 'write' | 'create directory' | 'open'): ReceptiveError {
  if (e instanceof ReceptiveError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  let why = (code && REASONS[code]) ?? `${code ?? (e as Error)?.message ?? String(e)}`;
  if (code === 'ENOENT' || code === 'ENOTDIR') why = action === 'read' && code === 'ENOENT' ? REASONS.ENOENT : missingDirReason(action === 'create directory' ? path : dirname(resolve(path)));
  return new FileSystemError(path, code, `cannot ${action} ${path}: ${why}`);
}

/**
 * mkdir -p without Node's recursive mode, which loops forever where mkdir
 * answers ENOENT for an existing parent (/proc, some FUSE mounts): one level at
 * a time, each failure a FileSystemError naming the directory.
 */
export function ensureDir(path: string): void {
  const dir = resolve(path);
  const todo: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    let isDir: boolean;
    try {
      isDir = statSync(d).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && dirname(d) !== d) {
        todo.push(d);
        continue;
      }
      throw fsError(e, path, 'create directory');
    }
    if (!isDir) throw new FileSystemError(path, 'ENOTDIR', `cannot create directory ${path}: ${d} is a file, not a directory`);
    break;
  }
  for (const d of todo.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(d).isDirectory()) continue;
      // ENOENT for a parent that exists: the file system does not allow directories here.
      const why = code === 'ENOENT' ? `${dirname(d)} does not accept new directories` : (code && REASONS[code]) ?? String(code);
      throw new FileSystemError(path, code, `cannot create directory ${path}: ${why}`);
    }
  }
}

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

/** Write `bytes` to `path` atomically; failures are FileSystemErrors naming `path` and the reason. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const target = resolve(path);
  const dir = dirname(target);
  try {
    if (statSync(target).isDirectory()) throw new FileSystemError(path, 'EISDIR', `cannot write ${path}: ${REASONS.EISDIR}`);
  } catch (e) {
    if (e instanceof ReceptiveError) throw e;
    // ENOENT is the usual case (a new file); anything else shows again when the temporary file is opened.
  }
  removeStaleTempFiles(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    throw fsError(e, path, 'write');
  }
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
    throw fsError(e, path, 'write');
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
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is a file, not a directory' : `cannot be read (${code ?? (e as Error).message})`;
    throw new FormatError(path, why);
  }
}
