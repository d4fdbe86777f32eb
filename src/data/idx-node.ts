/** Node-only: read IDX files from disk, gunzipping transparently. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FormatError } from '../tensor/index.js';
import { isGzip, parseIdx, type IdxArray } from './idx.js';

/** The bytes of a file, with a FormatError (not a bare ENOENT) when it cannot be read. */
export function readBytes(path: string): Uint8Array {
  try {
    const buf = readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FormatError(path, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`);
  }
}

export function gunzipIfNeeded(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new FormatError(file, `corrupt gzip data: ${(e as Error).message}`);
  }
}

export function readIdxFile(path: string): IdxArray {
  return parseIdx(gunzipIfNeeded(readBytes(path), path), path);
}
