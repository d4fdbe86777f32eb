import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bf16FromFloat32, bf16FromNumber, decodeBF16, decodeF16, f16FromFloat32, f16FromNumber } from '../../src/io/half.js';

const hex = (h: number): string => `0x${h.toString(16).padStart(4, '0')}`;
const f16 = (h: number): number => decodeF16(Uint16Array.of(h))[0];
const bf16 = (h: number): number => decodeBF16(Uint16Array.of(h))[0];
/** Both encoders (the float32 bit path and the one-rounding float64 path) must give `want`. */
function encodesTo(enc: [(x: number) => number, (x: number) => number], x: number, want: number, what: string): void {
  assert.equal(hex(enc[0](x)), hex(want), `${what}: float32 path, x = ${x}`);
  assert.equal(hex(enc[1](x)), hex(want), `${what}: float64 path, x = ${x}`);
}
const F16: [(x: number) => number, (x: number) => number] = [f16FromFloat32, f16FromNumber];
const BF16: [(x: number) => number, (x: number) => number] = [bf16FromFloat32, bf16FromNumber];

test('F16: values worked out by hand', () => {
  // [value, pattern]: 1/3 = 1.0101…₂ × 2^-2 → mantissa 341.33 → 341 (0x155), exponent 13.
  const cases: [number, number][] = [
    [1, 0x3c00], [-2.5, 0xc100], [1 / 3, 0x3555], [0.1, 0x2e66], [65504, 0x7bff], [65519.99, 0x7bff],
    [65520, 0x7c00], // the tie above the largest finite value goes to the even pattern, which is Inf
    [2 ** -14, 0x0400], [2 ** -24, 0x0001], [1023 * 2 ** -24, 0x03ff],
    [2 ** -25, 0x0000], [3 * 2 ** -26, 0x0001], [3 * 2 ** -25, 0x0002], // subnormal ties: 0.5 → 0, 1.5 → 2
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], // normal ties go to even
    [Infinity, 0x7c00], [-Infinity, 0xfc00], [0, 0x0000], [-0, 0x8000], [1e-10, 0x0000], [-1e10, 0xfc00],
  ];
  for (const [x, h] of cases) encodesTo(F16, x, h, 'F16');
  assert.equal(hex(f16FromFloat32(NaN)), '0x7e00');
  assert.equal(hex(f16FromNumber(NaN)), '0x7e00');
  assert.equal(f16(0x3555), 0.333251953125);
  assert.equal(f16(0x0001), 2 ** -24);
  assert.equal(f16(0x03ff), 1023 * 2 ** -24);
  assert.equal(f16(0x7bff), 65504);
  assert.equal(f16(0xfc00), -Infinity);
  assert.ok(Object.is(f16(0x8000), -0));
  assert.ok(Number.isNaN(f16(0x7e00)) && Number.isNaN(f16(0x7c01)) && Number.isNaN(f16(0xfe00)));
});

test('BF16: values worked out by hand', () => {
  // 1/3 as float32 is 0x3eaaaaab: the dropped half 0xaaab is above 0x8000, so it rounds up.
  const cases: [number, number][] = [
    [1, 0x3f80], [1 / 3, 0x3eab], [65504, 0x4780], [-2.5, 0xc020],
    [1 + 2 ** -8, 0x3f80], [1 + 3 * 2 ** -8, 0x3f82], // ties to even
    [3.3895313892515355e38, 0x7f7f], [3.4028234663852886e38, 0x7f80], // the largest BF16; float32's largest rounds to Inf
    [2 ** -133, 0x0001], [2 ** -126, 0x0080], [Infinity, 0x7f80], [-Infinity, 0xff80], [-0, 0x8000],
  ];
  for (const [x, h] of cases) encodesTo(BF16, x, h, 'BF16');
  assert.equal(hex(bf16FromFloat32(NaN)), '0x7fc0');
  assert.equal(hex(bf16FromNumber(-NaN)), '0x7fc0');
  assert.equal(bf16(0x3eab), 0.333984375);
  assert.equal(bf16(0x0001), 2 ** -133);
  assert.ok(Number.isNaN(bf16(0x7fc1)) && Number.isNaN(bf16(0xffc0)));
});

/** Every pattern decodes and re-encodes to itself; every midpoint rounds to the even neighbour, and just off it to the nearer one. */
function exhaustive(name: string, decode: (h: number) => number, enc: [(x: number) => number, (x: number) => number], signBit: number, expMask: number): void {
  const f = new Float32Array(2);
  for (let h = 0; h < 65536; h++) {
    const v = decode(h);
    if (Number.isNaN(v)) {
      assert.equal(h & expMask, expMask, `${name} ${hex(h)} decodes to NaN`);
      continue;
    }
    for (const e of enc) assert.equal(hex(e(v)), hex(h), `${name}: ${hex(h)} = ${v} round trip`);
    const next = h + 1;
    if ((h & ~signBit) >= expMask) continue; // Inf: no next value
    const w = decode(next); // same sign, one step away from zero
    if ((next & ~signBit) >= expMask) continue;
    const mid = (v + w) / 2; // exact in float32: one bit more than the 16-bit format
    f[0] = mid;
    assert.equal(f[0], mid);
    const even = h % 2 === 0 ? h : next;
    for (const e of enc) assert.equal(hex(e(mid)), hex(even), `${name}: midpoint of ${hex(h)} and ${hex(next)}`);
    // The float32 neighbours of the midpoint: towards v and towards w.
    const bits = new Uint32Array(f.buffer);
    f[0] = mid;
    if (mid !== 0) {
      bits[1] = bits[0] - 1; // one float32 step towards zero, i.e. towards v
      for (const e of enc) assert.equal(hex(e(f[1])), hex(h), `${name}: just below the midpoint of ${hex(h)}`);
      bits[1] = bits[0] + 1;
      for (const e of enc) assert.equal(hex(e(f[1])), hex(next), `${name}: just above the midpoint of ${hex(h)}`);
    }
  }
}

test('F16: all 65536 patterns round trip; all midpoints round to even', () => exhaustive('F16', f16, F16, 0x8000, 0x7c00));
test('BF16: all 65536 patterns round trip; all midpoints round to even', () => exhaustive('BF16', bf16, BF16, 0x8000, 0x7f80));

test('F16/BF16 from float64 round once, not through float32', () => {
  // 1 + 2^-11 + 2^-40 is above the F16 tie at 1 + 2^-11; float32 would first round it onto the tie (→ 0x3c00).
  const x = 1 + 2 ** -11 + 2 ** -40;
  assert.equal(Math.fround(x), 1 + 2 ** -11);
  assert.equal(hex(f16FromNumber(x)), '0x3c01');
  assert.equal(hex(f16FromFloat32(x)), '0x3c00');
  const y = 1 + 2 ** -8 + 2 ** -40;
  assert.equal(hex(bf16FromNumber(y)), '0x3f81');
  assert.equal(hex(bf16FromFloat32(y)), '0x3f80');
  // Below float32's range: the float64 path still sees a non-zero value.
  assert.equal(hex(bf16FromNumber(-1e-300)), '0x8000');
  assert.equal(hex(f16FromNumber(1e300)), '0x7c00');
});
