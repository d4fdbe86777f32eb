import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, FormatError, RNG, Tensor } from '../../src/tensor/index.js';
import { parseSafetensors, serializeSafetensors, MAX_HEADER_BYTES } from '../../src/io/index.js';
import { assertThrowsWith } from '../helpers.js';

const enc = (s: string): number[] => [...new TextEncoder().encode(s)];

/** A file assembled from a header string and data bytes, with the length field set to the header's length. */
function file(header: string, data: number[] = []): Uint8Array {
  const h = enc(header);
  const len = [h.length & 255, (h.length >> 8) & 255, (h.length >> 16) & 255, h.length >>> 24, 0, 0, 0, 0];
  return Uint8Array.from([...len, ...h, ...data]);
}

function sample(): Record<string, Tensor> {
  return {
    'features.0.weight': new Tensor(Float32Array.of(1.5, -2, 3.25, 0, Infinity, NaN), [2, 3]),
    'features.0.bias': new Tensor(Float64Array.of(Math.PI, -1e-300), [2]),
    steps: new Tensor(Int32Array.of(-7, 2147483647, 0), [3]),
    empty: new Tensor(new Float32Array(0), [0, 4]),
    scalar: new Tensor(Float32Array.of(42), []),
  };
}

test('safetensors: one F32 tensor [2] = [1, 2], byte by byte from the spec', () => {
  const json = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 54 bytes, padded to 56
  const expected = Uint8Array.from([56, 0, 0, 0, 0, 0, 0, 0, ...enc(json), 0x20, 0x20, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40]);
  const out = serializeSafetensors({ a: new Tensor(Float32Array.of(1, 2), [2]) });
  assert.deepEqual(out, expected);
  const back = parseSafetensors(expected, 'a.safetensors');
  assert.deepEqual(Object.keys(back.tensors), ['a']);
  assert.deepEqual(back.tensors.a.shape, [2]);
  assert.deepEqual([...back.tensors.a.data], [1, 2]);
  assert.equal(back.tensors.a.dtype, 'float32');
  // Unpadded headers from other writers are read as well.
  const unpadded = parseSafetensors(file(json, [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]), 'b');
  assert.deepEqual([...unpadded.tensors.a.data], [1, 2]);
});

test('safetensors: round trip of several dtypes, shapes and metadata', () => {
  const t = sample();
  const bytes = serializeSafetensors(t, { format: 'pt', note: 'é ✓ "quoted"' });
  const lenField = new DataView(bytes.buffer).getUint32(0, true);
  assert.equal(lenField % 8, 0);
  const back = parseSafetensors(bytes, 'x');
  assert.deepEqual({ ...back.metadata }, { format: 'pt', note: 'é ✓ "quoted"' });
  assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(t).sort());
  for (const [k, v] of Object.entries(t)) {
    assert.deepEqual(back.tensors[k].shape, v.shape, k);
    assert.equal(back.tensors[k].dtype, v.dtype, k);
    assert.deepEqual(back.tensors[k].data, v.data, k);
  }
  // A tensor named like an Object.prototype key is kept as a plain entry.
  const odd = parseSafetensors(serializeSafetensors({ __proto__x: t.steps, ['__proto__']: t.scalar } as Record<string, Tensor>), 'y');
  assert.deepEqual(Object.keys(odd.tensors).sort(), ['__proto__', '__proto__x']);
  assert.deepEqual([...odd.tensors['__proto__'].data], [42]);
  assertThrowsWith(() => serializeSafetensors({ __metadata__: t.steps }), ArgumentError, 'reserved');
});

test('safetensors: each kind of bad header gives its FormatError', () => {
  const f32 = (offs: string, shape = '[2]', dtype = 'F32') => `{"w":{"dtype":"${dtype}","shape":${shape},"data_offsets":${offs}}}`;
  const data8 = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40];
  const cases: [Uint8Array, ...string[]][] = [
    [Uint8Array.of(1, 2, 3), 'truncated', '3 bytes', 'at byte 0'],
    [Uint8Array.of(200, 0, 0, 0, 0, 0, 0, 0, 0x7b), 'header length 200 runs past the end of the file (9 bytes'],
    [Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0), 'header length 4294967296 exceeds the limit'],
    [file('{"w":1}'), 'tensor "w"', 'must be an object'],
    [Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0xff), 'not valid UTF-8', 'at byte 8'],
    [file('{"w":'), 'not valid JSON'],
    [file('[1,2]'), 'must be a JSON object'],
    [file(f32('[0,8]', '[2]', 'F8_E4M3'), data8), 'tensor "w"', 'unsupported dtype "F8_E4M3"', 'BF16'],
    [file(f32('[0,8]', '[-2]'), data8), 'shape must be an array of non-negative integers'],
    [file(f32('[0,8]', '[2.5]'), data8), 'shape must be'],
    [file(f32('[8,0]'), data8), 'data_offsets must be two integers'],
    [file(f32('[0,8.0001]'), data8), 'data_offsets must be two integers'],
    [file(f32('[0,12]', '[2]'), data8), 'expected 8 bytes for F32 [2]', 'hold 12'],
    [file(f32('[0,8]', '[3]'), data8), 'expected 12 bytes for F32 [3]'],
    [file(f32('[0,8]'), data8.slice(0, 5)), 'tensor "w"', 'run past the end of the data (5 bytes'],
    [file(f32('[0,8]'), [...data8, 1, 2]), '2 bytes after the last tensor'],
    [file(f32('[4,12]'), [...data8, 1, 2, 3, 4]), 'tensor "w"', 'leaves a gap'],
    [file('{"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}', data8), 'tensor "b"', 'overlaps'],
    [file('{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}', data8), 'repeats the key "a"'],
    [file('{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4],"dtype":"F32"}}', data8.slice(0, 4)), 'repeats the key "dtype"'],
    [file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"crc":1}}`, data8), 'unexpected header field "crc"'],
    [file('{"__metadata__":{"a":1}}'), 'metadata "a" must be a string'],
    [file('{"__metadata__":[]}'), '"__metadata__" must be an object'],
  ];
  for (const [bytes, ...fragments] of cases) assertThrowsWith(() => parseSafetensors(bytes, 'bad.safetensors'), FormatError, 'bad.safetensors', ...fragments);
  // Escaped spellings of one key are still the same key.
  assertThrowsWith(() => parseSafetensors(file('{"__metadata__":{"k":"1","\\u006b":"2"}}'), 'm'), FormatError, 'repeats the key "k"');
  assert.ok(MAX_HEADER_BYTES >= 1e8);
});

/** A successful parse must be self-consistent with the bytes it came from. */
function checkValid(bytes: Uint8Array, r: ReturnType<typeof parseSafetensors>): void {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  let total = 0;
  for (const t of Object.values(r.tensors)) {
    assert.equal(t.data.length, t.shape.reduce((a, b) => a * b, 1));
    total += t.data.byteLength;
  }
  assert.equal(8 + n + total, bytes.length);
}

function expectFormatErrorOrValid(bytes: Uint8Array, what: string): 'ok' | 'error' {
  try {
    checkValid(bytes, parseSafetensors(bytes, 'fuzz.safetensors'));
    return 'ok';
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.ok(e instanceof FormatError, `${what}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok((e as Error).message.startsWith('fuzz.safetensors: '), (e as Error).message);
    return 'error';
  }
}

test('safetensors: every prefix of a saved file is refused with a FormatError', () => {
  const bytes = serializeSafetensors(sample(), { format: 'pt' });
  for (let len = 0; len < bytes.length; len++) {
    assert.equal(expectFormatErrorOrValid(bytes.slice(0, len), `prefix ${len}`), 'error', `prefix of ${len} bytes parsed`);
  }
  assert.equal(expectFormatErrorOrValid(bytes, 'whole'), 'ok');
});

test('safetensors: thousands of seeded mutations parse validly or give a FormatError, nothing else', () => {
  const base = serializeSafetensors(sample(), { format: 'pt' });
  const n = new DataView(base.buffer).getUint32(0, true);
  const headerText = new TextDecoder().decode(base.subarray(8, 8 + n)).trimEnd();
  const data = base.subarray(8 + n);
  const rng = new RNG(20240601);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length)];
  const counts = { ok: 0, error: 0 };
  const junk = ['-1', '1.5', '1e300', '"x"', 'null', '[]', '{}', '[0]', '[1,2,3]', '4294967296', '9007199254740993', 'true', '"F16"', '"I32"', '"F64"'];
  for (let iter = 0; iter < 4000; iter++) {
    let bytes: Uint8Array;
    const kind = iter % 5;
    if (kind === 0) {
      bytes = base.slice();
      for (let k = rng.int(1, 5); k > 0; k--) bytes[rng.int(0, bytes.length)] ^= 1 << rng.int(0, 8);
    } else if (kind === 1) {
      bytes = base.slice();
      const v = pick([n + rng.int(-16, 17), rng.int(0, base.length + 8), rng.nextUint32(), 0]);
      new DataView(bytes.buffer).setUint32(0, v >>> 0, true);
      if (rng.random() < 0.2) bytes[4 + rng.int(0, 4)] = rng.int(1, 256);
    } else if (kind === 2) {
      // Replace one JSON token (number, string or bracket group) and keep the length field right,
      // so the mutation reaches the semantic checks.
      const tokens = [...headerText.matchAll(/-?\d+|"[^"]*"|\[[^\]]*\]/g)];
      const t = pick(tokens);
      const text = headerText.slice(0, t.index) + pick(junk) + headerText.slice((t.index ?? 0) + t[0].length);
      bytes = file(text, [...data]);
    } else if (kind === 3) {
      // Duplicate, drop or reorder top-level entries.
      const obj = JSON.parse(headerText) as Record<string, unknown>;
      const keys = Object.keys(obj);
      const parts = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(obj[k])}`);
      const op = rng.int(0, 3);
      if (op === 0) parts.push(pick(parts));
      else if (op === 1) parts.splice(rng.int(0, parts.length), 1);
      else parts.reverse();
      bytes = file(`{${parts.join(',')}}`, [...data]);
    } else {
      // Insert or delete a few bytes anywhere.
      const arr = [...base];
      const at = rng.int(0, arr.length);
      if (rng.random() < 0.5) arr.splice(at, rng.int(1, 9));
      else arr.splice(at, 0, ...Array.from({ length: rng.int(1, 9) }, () => rng.int(0, 256)));
      bytes = Uint8Array.from(arr);
    }
    counts[expectFormatErrorOrValid(bytes, `mutation ${iter} (kind ${kind})`)]++;
  }
  // Both outcomes occur: the mutations are neither all harmless nor all fatal.
  assert.ok(counts.ok > 100 && counts.error > 1000, JSON.stringify(counts));
});

test('a file that is not safetensors at all is named for what it looks like', () => {
  const withTail = (head: number[] | string, n = 64): Uint8Array => {
    const h = typeof head === 'string' ? enc(head) : head;
    return Uint8Array.from([...h, ...Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255)]);
  };
  const cases: [Uint8Array, string][] = [
    [withTail([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'this is a PNG image, not a safetensors file'],
    [withTail([0xff, 0xd8, 0xff, 0xe0]), 'a JPEG image'],
    [withTail('PK\x03\x04'), "a zip archive: PyTorch's torch.save writes one"],
    [withTail([0x80, 0x02, 0x8a, 0x0a]), 'a Python pickle'],
    [withTail([0x1f, 0x8b, 0x08, 0x00]), 'gzip-compressed'],
    [withTail([0, 0, 8, 3, 0, 0, 0xea, 0x60]), 'an IDX file (the MNIST format)'],
    [Uint8Array.from(enc('{\n  "weight": [1, 2, 3]\n}\n')), 'this is JSON text'],
    [Uint8Array.from(enc('  [1, 2]')), 'JSON text'],
    [Uint8Array.from(enc('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n')), 'a Git LFS pointer'],
    [Uint8Array.from(enc('<!DOCTYPE html><html><body>404</body></html>')), 'an HTML page'],
    [Uint8Array.from(enc('épaisseur des filtres: 3×3\n')), 'this is a text file'],
    [Uint8Array.from(enc('hi\n')), 'a text file'],
    [new Uint8Array(0), 'this is an empty file'],
  ];
  for (const [bytes, what] of cases) {
    const e = assertThrowsWith(() => parseSafetensors(bytes, 'model.safetensors'), FormatError, 'model.safetensors: ', what, 'at byte 0');
    assert.ok(!/header length/.test(e.message), e.message);
  }
});

test('header lengths are read as exact uint64; a truncated real file still says what is wrong', () => {
  // 2^53 + 1: a float64 reading would print ...992.
  const len = Uint8Array.of(1, 0, 0, 0, 0, 0, 0x20, 0, 0x7b);
  assertThrowsWith(() => parseSafetensors(len, 'f'), FormatError, 'header length 9007199254740993 exceeds the limit');
  assertThrowsWith(() => parseSafetensors(Uint8Array.of(255, 255, 255, 255, 255, 255, 255, 255), 'f'), FormatError, 'header length 18446744073709551615');
  const bytes = serializeSafetensors(sample());
  const cut = bytes.slice(0, 40);
  const e = assertThrowsWith(() => parseSafetensors(cut, 'cut.safetensors'), FormatError, 'cut.safetensors', 'runs past the end of the file (40 bytes');
  assert.ok(!/this is/.test(e.message), e.message);
  assertThrowsWith(() => parseSafetensors(bytes.slice(0, bytes.length - 3), 'cut.safetensors'), FormatError, 'run past the end of the data', 'file truncated?');
  // The length field is written as a full uint64: bytes 4..7 are zero.
  assert.deepEqual([...bytes.subarray(4, 8)], [0, 0, 0, 0]);
});
