import { ArgumentError, FormatError } from '../tensor/index.js';

/*
 * RIFF/WAVE reading and writing (Microsoft's "Multimedia Programming Interface
 * and Data Specifications 1.0"; WAVE_FORMAT_EXTENSIBLE per its 2001 addendum).
 * Integer PCM of 8 (unsigned), 16, 24 and 32 bits and IEEE float of 32 and 64
 * bits, any channel count and rate. Samples come back as float32 in [-1, 1)
 * per channel (integers divided by 2^(bits-1)), which is how every front end
 * downstream expects them.
 */

/** Decoded audio: one Float32Array per channel, all the same length. */
export interface AudioData {
  sampleRate: number;
  channels: Float32Array[];
}

export interface WavInfo {
  /** 1 = integer PCM, 3 = IEEE float (extensible files report their sub-format). */
  format: 1 | 3;
  bitsPerSample: number;
  numChannels: number;
  sampleRate: number;
  numFrames: number;
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

function tag(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

/**
 * Parse a WAV file. `name` only words error messages (the file and byte offset
 * of what was wrong). A zero-length data chunk is an error: a front end cannot
 * make frames from nothing, and an empty file is almost always a failed export.
 */
export function decodeWav(bytes: Uint8Array, name = 'wav'): AudioData & { info: WavInfo } {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError('decodeWav', 'expects the file as a Uint8Array');
  if (bytes.length < 12) throw new FormatError(name, `too short for a RIFF header (${bytes.length} bytes)`, 0);
  if (tag(bytes, 0) !== 'RIFF') throw new FormatError(name, `not a RIFF file (starts with ${JSON.stringify(tag(bytes, 0))}, expected "RIFF")`, 0);
  if (tag(bytes, 8) !== 'WAVE') throw new FormatError(name, `RIFF file of form ${JSON.stringify(tag(bytes, 8))}, expected "WAVE"`, 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Omit<WavInfo, 'numFrames'> | null = null;
  let blockAlign = 0;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = tag(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) throw new FormatError(name, `fmt chunk of ${size} bytes is truncated or too small (needs 16)`, pos);
      let format = view.getUint16(body, true);
      const numChannels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      blockAlign = view.getUint16(body + 12, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (format === EXTENSIBLE) {
        if (size < 40) throw new FormatError(name, `WAVE_FORMAT_EXTENSIBLE fmt chunk of ${size} bytes, needs 40`, pos);
        format = view.getUint16(body + 24, true);
      }
      if (format !== PCM && format !== FLOAT) throw new FormatError(name, `unsupported encoding: format tag ${format} (supported: 1 = PCM, 3 = IEEE float)`, body);
      const ok = format === PCM ? [8, 16, 24, 32].includes(bitsPerSample) : [32, 64].includes(bitsPerSample);
      if (!ok) throw new FormatError(name, `unsupported ${format === PCM ? 'PCM' : 'float'} sample size: ${bitsPerSample} bits`, body + 14);
      if (numChannels < 1) throw new FormatError(name, 'fmt chunk declares 0 channels', body + 2);
      if (sampleRate < 1) throw new FormatError(name, 'fmt chunk declares a sample rate of 0', body + 4);
      if (blockAlign !== numChannels * (bitsPerSample / 8)) throw new FormatError(name, `block align ${blockAlign} != channels × bytes per sample = ${numChannels * (bitsPerSample / 8)}`, body + 12);
      fmt = { format: format as 1 | 3, numChannels, sampleRate, bitsPerSample };
    } else if (id === 'data') {
      if (!fmt) throw new FormatError(name, 'data chunk before the fmt chunk', pos);
      // Streams written before their length is known leave size 0 or 0xFFFFFFFF: the data runs to the end.
      const avail = bytes.length - body;
      const len = size === 0xffffffff || size > avail ? avail - (avail % blockAlign) : size;
      const numFrames = Math.floor(len / blockAlign);
      if (numFrames === 0) throw new FormatError(name, 'data chunk holds no samples (zero-length audio)', pos);
      return { sampleRate: fmt.sampleRate, channels: readSamples(view, body, numFrames, fmt), info: { ...fmt, numFrames } };
    }
    pos = body + size + (size & 1); // chunks are padded to an even length
  }
  throw new FormatError(name, fmt ? 'no data chunk' : 'no fmt chunk', pos);
}

function readSamples(view: DataView, at: number, frames: number, f: Omit<WavInfo, 'numFrames'>): Float32Array[] {
  const C = f.numChannels;
  const bytes = f.bitsPerSample / 8;
  const out = Array.from({ length: C }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < C; c++) {
      const p = at + (i * C + c) * bytes;
      let v: number;
      if (f.format === FLOAT) v = bytes === 4 ? view.getFloat32(p, true) : view.getFloat64(p, true);
      else if (bytes === 1) v = (view.getUint8(p) - 128) / 128;
      else if (bytes === 2) v = view.getInt16(p, true) / 32768;
      else if (bytes === 3) v = (((view.getUint8(p + 2) << 24) | (view.getUint8(p + 1) << 16) | (view.getUint8(p) << 8)) >> 8) / 8388608;
      else v = view.getInt32(p, true) / 2147483648;
      // A float file may hold NaN or ±Inf (a broken export): zero them so no feature is NaN.
      out[c][i] = Number.isFinite(v) ? v : 0;
    }
  }
  return out;
}

export interface EncodeWavOptions {
  /** 8, 16, 24 or 32 for PCM (values clipped to [-1, 1]), 32 or 64 with float: true. Default 16. */
  bitsPerSample?: number;
  float?: boolean;
}

/** Write canonical 44-byte-header WAV (PCM or IEEE float). */
export function encodeWav(audio: AudioData, opts: EncodeWavOptions = {}): Uint8Array {
  const float = opts.float ?? false;
  const bits = opts.bitsPerSample ?? (float ? 32 : 16);
  if (float ? ![32, 64].includes(bits) : ![8, 16, 24, 32].includes(bits)) throw new ArgumentError('encodeWav', `unsupported ${float ? 'float' : 'PCM'} sample size ${bits}`);
  const C = audio.channels.length;
  if (C < 1) throw new ArgumentError('encodeWav', 'needs at least one channel');
  const frames = audio.channels[0].length;
  if (audio.channels.some((ch) => ch.length !== frames)) throw new ArgumentError('encodeWav', 'channels differ in length');
  const bytes = bits / 8;
  const dataLen = frames * C * bytes;
  const out = new Uint8Array(44 + dataLen + (dataLen & 1));
  const v = new DataView(out.buffer);
  const str = (at: number, s: string) => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  str(0, 'RIFF'); v.setUint32(4, out.length - 8, true); str(8, 'WAVE');
  str(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, float ? FLOAT : PCM, true); v.setUint16(22, C, true);
  v.setUint32(24, audio.sampleRate, true); v.setUint32(28, audio.sampleRate * C * bytes, true); v.setUint16(32, C * bytes, true); v.setUint16(34, bits, true);
  str(36, 'data'); v.setUint32(40, dataLen, true);
  const scale = 2 ** (bits - 1);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < C; c++) {
      const p = 44 + (i * C + c) * bytes;
      const x = audio.channels[c][i];
      if (float) { if (bytes === 4) v.setFloat32(p, x, true); else v.setFloat64(p, x, true); continue; }
      const q = Math.max(-scale, Math.min(scale - 1, Math.round(x * scale)));
      if (bytes === 1) v.setUint8(p, q + 128);
      else if (bytes === 2) v.setInt16(p, q, true);
      else if (bytes === 3) { v.setUint8(p, q & 0xff); v.setUint8(p + 1, (q >> 8) & 0xff); v.setUint8(p + 2, (q >> 16) & 0xff); }
      else v.setInt32(p, q, true);
    }
  }
  return out;
}

/** Average the channels into one (the front ends take mono). */
export function toMono(audio: AudioData): Float32Array {
  const [first, ...rest] = audio.channels;
  if (rest.length === 0) return first;
  const out = new Float32Array(first.length);
  const k = 1 / audio.channels.length;
  for (const ch of audio.channels) for (let i = 0; i < out.length; i++) out[i] += ch[i] * k;
  return out;
}
