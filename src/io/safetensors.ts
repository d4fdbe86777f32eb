/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header
 * length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets}} with an
 * optional "__metadata__" string map, then the raw little-endian data, each
 * tensor at [begin, end) relative to the end of the header.
 * The reader checks the whole header against the file before it builds any
 * tensor, so a truncated or tampered file can only ever give a FormatError;
 * a file that is not safetensors at all (a PNG, a zip, JSON) is named as such.
 * Element types: see safetensors-dtype.ts (F16/BF16 read as float32, I64 as
 * int32 unless { int64: 'float64' }, and so on).
 */
import { ArgumentError, FormatError, Tensor } from '../tensor/index.js';
import {
  DEFAULT_STORED,
  DTYPE_SIZE,
  SAFETENSORS_DTYPES,
  decodeData,
  encodeData,
  isSafetensorsDType,
  type DecodeOptions,
  type SafetensorsDType,
} from './safetensors-dtype.js';
import { describeBytes } from './sniff.js';

export { SAFETENSORS_DTYPES, isSafetensorsDType, type SafetensorsDType } from './safetensors-dtype.js';
/** Headers beyond this are refused before decoding, as the reference implementation does. */
export const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
  /** The element type each tensor had in the file; pass it back as `dtypes` to write the same types. */
  dtypes: Record<string, SafetensorsDType>;
}

/** How I64 tensors are read: 'int32' (default; a value outside int32 is a FormatError) or 'float64' (exact to 2^53). */
export type ParseSafetensorsOptions = DecodeOptions;

export interface SerializeSafetensorsOptions {
  /**
   * The element type to store each named tensor as (default F32, F64, I32 by
   * the tensor's dtype), e.g. { 'bn1.num_batches_tracked': 'I64' } as PyTorch
   * writes it, or F16/BF16 to halve a float32 file (round to nearest even).
   */
  dtypes?: Record<string, SafetensorsDType>;
}

/** Reverse the bytes of every `size`-byte element in place (big-endian hosts only). */
function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  if (!LITTLE_ENDIAN && size > 1) for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  return bytes;
}

function storedTypes(tensors: Record<string, Tensor>, dtypes: Record<string, SafetensorsDType> | undefined): Map<string, SafetensorsDType> {
  const out = new Map<string, SafetensorsDType>();
  for (const [name, t] of Object.entries(tensors)) out.set(name, DEFAULT_STORED[t.dtype]);
  for (const [name, d] of Object.entries(dtypes ?? {})) {
    if (!out.has(name)) throw new ArgumentError('serializeSafetensors', `dtypes names "${name}", which is not one of the tensors`);
    if (!isSafetensorsDType(d)) throw new ArgumentError('serializeSafetensors', `tensor "${name}": unknown dtype ${JSON.stringify(d)} (expected one of ${SAFETENSORS_DTYPES.join(', ')})`);
    out.set(name, d);
  }
  return out;
}

export function serializeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>, options: SerializeSafetensorsOptions = {}): Uint8Array {
  const parts: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new ArgumentError('serializeSafetensors', `metadata "${k}" must be a string, got ${typeof v}`);
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  if (Object.hasOwn(tensors, '__metadata__')) {
    throw new ArgumentError('serializeSafetensors', 'the tensor name "__metadata__" is reserved');
  }
  const types = storedTypes(tensors, options.dtypes);
  const blobs: [Uint8Array, number][] = []; // the bytes and their element size
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const dtype = types.get(name) as SafetensorsDType;
    const blob = encodeData(t.data, dtype, name);
    const info = { dtype, shape: t.shape, data_offsets: [offset, offset + blob.length] };
    // Key and value written separately: a name such as "__proto__" must stay a plain key.
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    blobs.push([blob, DTYPE_SIZE[dtype]]);
    offset += blob.length;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8; // pad with spaces so the data starts 8-byte aligned
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let at = 8 + headerLen;
  for (const [blob, size] of blobs) {
    out.set(blob, at);
    swapBytes(out.subarray(at, at + blob.length), size);
    at += blob.length;
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * JSON.parse keeps the last of repeated keys silently; a tampered header could
 * hide an entry that way. Walk the (already valid) JSON text and report the
 * first key that repeats within one object.
 */
function findDuplicateKey(text: string): string | null {
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') stack.push(new Set());
    else if (ch === '[') stack.push(null);
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = stack[stack.length - 1];
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k])) k++;
      if (keys && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = j;
    }
  }
  return null;
}

interface Entry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

function checkEntry(file: string, name: string, v: unknown, at: number): Entry {
  const fail = (msg: string): never => {
    throw new FormatError(file, `tensor "${name}": ${msg}`, at);
  };
  if (!isObject(v)) return fail('header entry must be an object with dtype, shape and data_offsets');
  const extra = Object.keys(v).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
  if (extra.length) fail(`unexpected header field "${extra[0]}"`);
  const dtype = v.dtype;
  if (!isSafetensorsDType(dtype)) return fail(`unsupported dtype ${JSON.stringify(dtype)} (expected one of ${SAFETENSORS_DTYPES.join(', ')})`);
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return fail(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const offs = v.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
    return fail(`data_offsets must be two integers 0 <= begin <= end, got ${JSON.stringify(offs)}`);
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const want = count * DTYPE_SIZE[dtype];
  if (offs[1] - offs[0] !== want) {
    fail(`expected ${want} bytes for ${dtype} [${shape.join(', ')}], data_offsets [${offs[0]}, ${offs[1]}] hold ${offs[1] - offs[0]}`);
  }
  return { name, dtype, shape: shape as number[], begin: offs[0], end: offs[1] };
}

/** The header length, read exactly as the uint64 it is; a length that cannot be right says what the file looks like instead. */
function headerLength(bytes: Uint8Array, file: string): number {
  const notSafetensors = (): void => {
    const what = describeBytes(bytes);
    if (what !== null) throw new FormatError(file, `this is ${what}, not a safetensors file`, 0);
  };
  if (bytes.length < 8) {
    notSafetensors();
    throw new FormatError(file, `truncated: ${bytes.length} bytes, a safetensors file starts with an 8-byte header length`, 0);
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    notSafetensors();
    throw new FormatError(file, `header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`, 0);
  }
  if (8n + n > BigInt(bytes.length)) {
    notSafetensors();
    throw new FormatError(file, `header length ${n} runs past the end of the file (${bytes.length} bytes, expected at least ${8n + n})`, 0);
  }
  return Number(n);
}

export function parseSafetensors(bytes: Uint8Array, file: string, options: ParseSafetensorsOptions = {}): Safetensors {
  if (options.int64 !== undefined && options.int64 !== 'int32' && options.int64 !== 'float64') {
    throw new ArgumentError('parseSafetensors', `int64 must be 'int32' or 'float64', got ${JSON.stringify(options.int64)}`);
  }
  const n = headerLength(bytes, file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new FormatError(file, 'header is not valid UTF-8', 8);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, `header is not valid JSON (${(e as Error).message})`, 8);
  }
  if (!isObject(header)) throw new FormatError(file, 'header must be a JSON object', 8);
  const dup = findDuplicateKey(text);
  if (dup !== null) throw new FormatError(file, `header repeats the key "${dup}"`, 8);

  const metadata: Record<string, string> = Object.create(null);
  const entries: Entry[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(v)) throw new FormatError(file, '"__metadata__" must be an object of strings', 8);
      for (const [k, s] of Object.entries(v)) {
        if (typeof s !== 'string') throw new FormatError(file, `metadata "${k}" must be a string, got ${JSON.stringify(s)}`, 8);
        metadata[k] = s;
      }
    } else entries.push(checkEntry(file, name, v, 8));
  }

  // The tensors must tile the data buffer: sorted by offset, each starting where the previous ended.
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of entries) {
    if (e.begin !== pos) {
      const what = e.begin < pos ? `overlaps the previous tensor (which ends at ${pos})` : `leaves a gap: the previous tensor ends at ${pos}`;
      throw new FormatError(file, `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] ${what}`, dataStart + e.begin);
    }
    if (e.end > dataLen) {
      throw new FormatError(file, `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] run past the end of the data (${dataLen} bytes; file truncated?)`, dataStart + e.begin);
    }
    pos = e.end;
  }
  if (pos !== dataLen) throw new FormatError(file, `${dataLen - pos} bytes after the last tensor: the data buffer is ${dataLen} bytes, the tensors cover ${pos}`, dataStart + pos);

  const tensors: Record<string, Tensor> = Object.create(null);
  const dtypes: Record<string, SafetensorsDType> = Object.create(null);
  for (const e of entries) {
    const raw = swapBytes(bytes.slice(dataStart + e.begin, dataStart + e.end), DTYPE_SIZE[e.dtype]); // a fresh, aligned buffer
    tensors[e.name] = new Tensor(decodeData(raw, e.dtype, options, file, e.name, dataStart + e.begin), e.shape);
    dtypes[e.name] = e.dtype;
  }
  return { tensors, metadata, dtypes };
}
