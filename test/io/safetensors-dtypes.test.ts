import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ArgumentError, FormatError, Tensor } from '../../src/tensor/index.js';
import { parseSafetensors, serializeSafetensors, SAFETENSORS_DTYPES, type SafetensorsDType } from '../../src/io/index.js';
import { encodeHalf } from '../../src/io/half.js';
import { assertThrowsWith } from '../helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/torchvision/', import.meta.url));
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(FIXTURES + name));

const f32Bits = (a: ArrayLike<number>): number[] => [...new Uint32Array(Float32Array.from(a).buffer)];
const f64Hex = (a: Float64Array): string[] => [...new BigUint64Array(a.buffer, a.byteOffset, a.length)].map((b) => b.toString(16).padStart(16, '0'));

interface Expected {
  dtype: SafetensorsDType;
  shape: number[];
  f32Bits?: number[];
  f64Bits?: string[];
  values?: number[];
  sourceF32Bits?: number[];
  f16Bits?: number[];
  bf16Bits?: number[];
}

test('a safetensors file written from PyTorch tensors reads back as torch holds them, every dtype', () => {
  const expected = JSON.parse(readFileSync(FIXTURES + 'dtypes.json', 'utf8')).tensors as Record<string, Expected>;
  const bytes = read('dtypes.safetensors');
  const r = parseSafetensors(bytes, 'dtypes.safetensors');
  assert.deepEqual(Object.keys(r.tensors), Object.keys(expected));
  assert.equal(r.metadata.format, 'pt');
  for (const [name, e] of Object.entries(expected)) {
    const t = r.tensors[name];
    assert.equal(r.dtypes[name], e.dtype, name);
    assert.deepEqual(t.shape, e.shape, name);
    const want = e.dtype === 'F64' ? 'float64' : e.dtype === 'F32' || e.dtype === 'F16' || e.dtype === 'BF16' ? 'float32' : 'int32';
    assert.equal(t.dtype, want, name);
    if (e.f32Bits) assert.deepEqual(f32Bits(t.data), e.f32Bits, name); // bit for bit: NaN, -0 and subnormals included
    else if (e.f64Bits) assert.deepEqual(f64Hex(t.data as Float64Array), e.f64Bits, name);
    else assert.deepEqual([...t.data], e.values, name);
  }
  // Writing what was read with the types it had gives torch's file back, byte for byte.
  assert.deepEqual(serializeSafetensors(r.tensors, r.metadata, { dtypes: r.dtypes }), bytes);
});

test('F16 and BF16 encoding matches torch .half() and .bfloat16() on ~800 float32 values (ties, subnormals, overflow)', () => {
  const { f16, bf16 } = JSON.parse(readFileSync(FIXTURES + 'dtypes.json', 'utf8')).tensors as Record<string, Expected>;
  const src = new Float32Array(Uint32Array.from(f16.sourceF32Bits as number[]).buffer);
  assert.ok(src.length > 700);
  // NaN bits are not compared: torch 1.13 writes BF16 NaN as 0xffff (vectorised path) or 0x7fc0 (scalar path).
  const same = (got: Uint16Array, want: number[], nanMask: number, what: string) => {
    assert.equal(got.length, want.length);
    const isNaN16 = (h: number) => (h & nanMask) === nanMask && (h & 0x7fff) !== nanMask;
    let nans = 0;
    for (let i = 0; i < want.length; i++) {
      if (Number.isNaN(src[i])) {
        assert.ok(isNaN16(got[i]) && isNaN16(want[i]), `${what} [${i}]: NaN`);
        nans++;
      } else assert.equal(got[i], want[i], `${what} [${i}]: ${src[i]} gives 0x${got[i].toString(16)}, torch 0x${want[i].toString(16)}`);
    }
    assert.equal(nans, 1);
  };
  same(encodeHalf(src, 'F16'), f16.f16Bits as number[], 0x7c00, 'F16');
  same(encodeHalf(src, 'BF16'), bf16.bf16Bits as number[], 0x7f80, 'BF16');
  // The float64 path (one rounding from the double) agrees on values that are float32 already.
  same(encodeHalf(Float64Array.from(src), 'F16'), f16.f16Bits as number[], 0x7c00, 'F16 from float64');
  same(encodeHalf(Float64Array.from(src), 'BF16'), bf16.bf16Bits as number[], 0x7f80, 'BF16 from float64');
  // And through the file writer: the stored bytes are torch's.
  const out = parseSafetensors(serializeSafetensors({ x: new Tensor(src, [src.length]) }, undefined, { dtypes: { x: 'F16' } }), 'x');
  assert.deepEqual(f32Bits(out.tensors.x.data), f16.f32Bits);
});

test('I64 values outside int32 are refused by default, naming the tensor, element, value and byte; read exactly as float64 on request', () => {
  const bytes = read('int64.safetensors');
  const { big } = JSON.parse(readFileSync(FIXTURES + 'int64.json', 'utf8')) as { big: { shape: number[]; values: number[] } };
  const dataStart = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  assertThrowsWith(() => parseSafetensors(bytes, 'int64.safetensors'), FormatError, 'int64.safetensors', 'tensor "big"', 'I64 element 0 is 2147483648', 'outside int32', "int64: 'float64'", `at byte ${dataStart}`);
  const r = parseSafetensors(bytes, 'int64.safetensors', { int64: 'float64' });
  assert.equal(r.tensors.big.dtype, 'float64');
  assert.deepEqual([...r.tensors.big.data], big.values);
  assert.equal(r.dtypes.big, 'I64');
  // Written back as I64, the same bytes.
  assert.deepEqual(serializeSafetensors(r.tensors, undefined, { dtypes: r.dtypes }), bytes);
  // Beyond 2^53 even float64 cannot hold the value: refused with the exact value (BigInt), not a rounded one.
  const tooBig = serializeSafetensors({ a: new Tensor(Int32Array.of(5, 6), [2]) }, undefined, { dtypes: { a: 'I64' } });
  const at = tooBig.length - 8;
  tooBig.set([1, 0, 0, 0, 0, 0, 0x20, 0], at); // 2^53 + 1
  assertThrowsWith(() => parseSafetensors(tooBig, 'big.st', { int64: 'float64' }), FormatError, 'tensor "a"', 'element 1 is 9007199254740993', 'beyond 2^53', `at byte ${at}`);
  tooBig.set([0, 0, 0, 0, 0, 0, 0xe0, 0xff], at); // -2^53
  assertThrowsWith(() => parseSafetensors(tooBig, 'big.st', { int64: 'float64' }), FormatError, 'element 1 is -9007199254740992');
  tooBig.set([1, 0, 0, 0, 0, 0, 0xe0, 0xff], at); // -2^53 + 1: the last exact one
  assert.deepEqual([...parseSafetensors(tooBig, 'big.st', { int64: 'float64' }).tensors.a.data], [5, -(2 ** 53) + 1]);
  assertThrowsWith(() => parseSafetensors(tooBig, 'x', { int64: 'int64' as 'int32' }), ArgumentError, "int64 must be 'int32' or 'float64'");
});

test('every dtype round trips through the writer, with hand-checked bytes for I64, F16, BF16, BOOL', () => {
  const cases: [SafetensorsDType, Tensor, number[]][] = [
    ['F64', new Tensor(Float32Array.of(1.5, -0.1), [2]), [1.5, Math.fround(-0.1)]],
    ['F32', new Tensor(Float64Array.of(0.1, 1e300), [2]), [Math.fround(0.1), Infinity]],
    ['F16', new Tensor(Float32Array.of(1, 1 / 3, 70000), [3]), [1, 0.333251953125, Infinity]],
    ['BF16', new Tensor(Float64Array.of(1, 1 / 3), [1, 2]), [1, 0.333984375]],
    ['I64', new Tensor(Float64Array.of(-1, 2 ** 40, 2 ** 53 - 1), [3]), [-1, 2 ** 40, 2 ** 53 - 1]],
    ['I32', new Tensor(Float32Array.of(-7, 16777216), [2]), [-7, 16777216]],
    ['I16', new Tensor(Int32Array.of(-32768, 32767), [2]), [-32768, 32767]],
    ['I8', new Tensor(Int32Array.of(-128, 127), [2]), [-128, 127]],
    ['U8', new Tensor(Int32Array.of(0, 255), [2]), [0, 255]],
    ['BOOL', new Tensor(Float32Array.of(1, 0, 1), [3]), [1, 0, 1]],
  ];
  assert.deepEqual(cases.map((c) => c[0]).sort(), [...SAFETENSORS_DTYPES].sort());
  const tensors = Object.fromEntries(cases.map(([d, t]) => [d.toLowerCase(), t]));
  const dtypes = Object.fromEntries(cases.map(([d]) => [d.toLowerCase(), d]));
  const bytes = serializeSafetensors(tensors, undefined, { dtypes });
  const r = parseSafetensors(bytes, 'all', { int64: 'float64' });
  for (const [d, t, values] of cases) {
    const name = d.toLowerCase();
    assert.equal(r.dtypes[name], d);
    assert.deepEqual(r.tensors[name].shape, t.shape, name);
    assert.deepEqual([...r.tensors[name].data], values, name);
  }
  const one = (d: SafetensorsDType, t: Tensor): number[] => {
    const b = serializeSafetensors({ t }, undefined, { dtypes: { t: d } });
    return [...b.subarray(b.length - t.size * (d === 'I64' ? 8 : d === 'BOOL' ? 1 : 2))];
  };
  // Little-endian (low word first); -1 is all ones; 2^40 has bit 8 of the high word.
  assert.deepEqual(one('I64', new Tensor(Float64Array.of(-1, 2 ** 40), [2])), [255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual(one('F16', new Tensor(Float32Array.of(1, -2.5), [2])), [0x00, 0x3c, 0x00, 0xc1]);
  assert.deepEqual(one('BF16', new Tensor(Float32Array.of(1, -2.5), [2])), [0x80, 0x3f, 0x20, 0xc0]);
  assert.deepEqual(one('BOOL', new Tensor(Int32Array.of(0, 1), [2])), [0, 1]);
});

test('the writer refuses values a stored dtype cannot hold, and unknown dtype options', () => {
  const t = (...v: number[]) => new Tensor(Float64Array.from(v), [v.length]);
  const cases: [Tensor, SafetensorsDType, ...string[]][] = [
    [t(1, 128), 'I8', 'element 1 is 128', "outside I8's range [-128, 127]"],
    [t(-1), 'U8', 'element 0 is -1'],
    [t(0, 2), 'BOOL', 'element 1 is 2'],
    [t(1.5), 'I32', 'element 0 is 1.5, not an integer'],
    [t(NaN), 'I64', 'element 0 is NaN'],
    [t(2 ** 53), 'I64', 'element 0 is 9007199254740992'],
    [t(2 ** 31), 'I32', 'element 0 is 2147483648'],
  ];
  for (const [x, d, ...frags] of cases) {
    assertThrowsWith(() => serializeSafetensors({ 'bn.w': x }, undefined, { dtypes: { 'bn.w': d } }), ArgumentError, 'serializeSafetensors', 'tensor "bn.w"', ...frags);
  }
  assertThrowsWith(() => serializeSafetensors({ a: t(1) }, undefined, { dtypes: { b: 'F16' } }), ArgumentError, 'dtypes names "b"');
  assertThrowsWith(() => serializeSafetensors({ a: t(1) }, undefined, { dtypes: { a: 'F8' as SafetensorsDType } }), ArgumentError, 'tensor "a"', 'unknown dtype "F8"', 'BF16');
});

test('a BOOL byte other than 0 or 1 is a FormatError at its offset', () => {
  const bytes = serializeSafetensors({ m: new Tensor(Int32Array.of(1, 0, 1), [3]) }, undefined, { dtypes: { m: 'BOOL' } });
  bytes[bytes.length - 2] = 7;
  assertThrowsWith(() => parseSafetensors(bytes, 'mask.safetensors'), FormatError, 'mask.safetensors', 'tensor "m"', 'BOOL element 1 is the byte 7', `at byte ${bytes.length - 2}`);
});
