/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header
 * length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets}} with an
 * optional "__metadata__" string map, then the raw little-endian data, each
 * tensor at [begin, end) relative to the end of the header.
 * The reader checks the whole header against the file before it builds any
 * tensor, so a truncated or tampered file can only ever give a FormatError.
 */
import { ArgumentError, FormatError, Tensor, type DType } from '../tensor/index.js';

const TO_SAFE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
const FROM_SAFE: Record<string, { dtype: DType; size: number }> = {
  F32: { dtype: 'float32', size: 4 },
  F64: { dtype: 'float64', size: 8 },
  I32: { dtype: 'int32', size: 4 },
};
/** Headers beyond this are refused before decoding, as the reference implementation does. */
export const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** The bytes of a little-endian copy of a tensor's data. */
function dataBytes(t: Tensor): Uint8Array {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(bytes.length);
  const size = t.data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i - (i % size) + size - 1 - (i % size)];
  return out;
}

export function serializeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const parts: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new ArgumentError('serializeSafetensors', `metadata "${k}" must be a string, got ${typeof v}`);
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  const entries = Object.entries(tensors);
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new ArgumentError('serializeSafetensors', 'the tensor name "__metadata__" is reserved');
    const info = { dtype: TO_SAFE[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    // Key and value written separately: a name such as "__proto__" must stay a plain key.
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8; // pad with spaces so the data starts 8-byte aligned
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setUint32(0, headerLen, true); // high word stays 0
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let at = 8 + headerLen;
  for (const [, t] of entries) {
    out.set(dataBytes(t), at);
    at += t.data.byteLength;
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
  dtype: DType;
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
  const type = typeof v.dtype === 'string' && Object.hasOwn(FROM_SAFE, v.dtype) ? FROM_SAFE[v.dtype] : undefined;
  if (!type) return fail(`unsupported dtype ${JSON.stringify(v.dtype)} (expected F32, F64 or I32)`);
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return fail(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const offs = v.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
    return fail(`data_offsets must be two integers 0 <= begin <= end, got ${JSON.stringify(offs)}`);
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const want = count * type.size;
  if (offs[1] - offs[0] !== want) {
    fail(`expected ${want} bytes for ${TO_SAFE[type.dtype]} [${shape.join(', ')}], data_offsets [${offs[0]}, ${offs[1]}] hold ${offs[1] - offs[0]}`);
  }
  return { name, dtype: type.dtype, shape: shape as number[], begin: offs[0], end: offs[1] };
}

export function parseSafetensors(bytes: Uint8Array, file: string): Safetensors {
  if (bytes.length < 8) throw new FormatError(file, `truncated: ${bytes.length} bytes, a safetensors file starts with an 8-byte header length`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 4294967296 + lo;
  if (n > MAX_HEADER_BYTES) throw new FormatError(file, `header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`, 0);
  if (8 + n > bytes.length) throw new FormatError(file, `header length ${n} runs past the end of the file (${bytes.length} bytes, expected at least ${8 + n})`, 0);
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
  for (const e of entries) {
    const raw = bytes.slice(dataStart + e.begin, dataStart + e.end); // a fresh, aligned buffer
    const size = FROM_SAFE[TO_SAFE[e.dtype]].size;
    if (!LITTLE_ENDIAN) for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
    const count = raw.length / size;
    const data = e.dtype === 'float32' ? new Float32Array(raw.buffer, 0, count) : e.dtype === 'float64' ? new Float64Array(raw.buffer, 0, count) : new Int32Array(raw.buffer, 0, count);
    tensors[e.name] = new Tensor(data, e.shape);
  }
  return { tensors, metadata };
}
