import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, ReceptiveError, randn, tensor } from '../../src/tensor/index.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';

/*
 * Issue 14: the safetensors reader raises only the library's typed errors on
 * damaged files, and never hangs. Damage of three kinds: truncation, random
 * bytes anywhere, and edits inside the JSON header (offsets, shapes, dtypes,
 * names) re-encoded with a consistent length prefix, so they reach the checks
 * after the header parses.
 */

const WEIRD: unknown[] = [null, -1, 0, 1, 7, 2 ** 31, 2 ** 53, 1.5, 'F32', 'F64', 'I64', 'BF16', 'U8', 'XX', '', [], [0], [2, -1], [1e9, 1e9], [0, 4, 8], {}, true];

function withHeader(header: unknown, body: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

test('parseSafetensors on thousands of damaged files raises only ReceptiveErrors', () => {
  const rng = new RNG(5);
  const good = serializeSafetensors(
    { 'conv.weight': randn([4, 2, 3, 3], { rng }), 'fc.bias': randn([5], { rng, dtype: 'float64' }), steps: tensor([3, 1, 4], { dtype: 'int32' }) },
    { format: 'pt' },
    { dtypes: { steps: 'I64' } },
  );
  const parsed = parseSafetensors(good, 'good.safetensors');
  assert.deepEqual(Object.keys(parsed.tensors).sort(), ['conv.weight', 'fc.bias', 'steps']);
  const n = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + n))) as Record<string, unknown>;
  const body = good.subarray(8 + n);
  const raw = new Map<string, number>();
  const count = { ran: 0, typed: 0, raw: 0 };
  for (let i = 0; i < 4000; i++) {
    let bytes: Uint8Array;
    if (i % 4 === 0) bytes = good.subarray(0, rng.int(0, good.length));
    else if (i % 4 === 1) {
      bytes = Uint8Array.from(good);
      // Mostly in the length prefix and header, where the structure is.
      for (let k = rng.int(1, 4); k > 0; k--) bytes[rng.int(0, rng.random() < 0.8 ? 8 + n : bytes.length)] = rng.int(0, 256);
    } else {
      const h = structuredClone(header) as Record<string, Record<string, unknown>>;
      for (let k = rng.int(1, 3); k > 0; k--) {
        const names = Object.keys(h);
        const t = names[rng.int(0, names.length)];
        if (rng.random() < 0.15) h[`${t}${rng.int(0, 9)}`] = h[t];
        else if (t === '__metadata__') h[t] = { format: WEIRD[rng.int(0, WEIRD.length)] } as Record<string, unknown>;
        else {
          const field = ['dtype', 'shape', 'data_offsets'][rng.int(0, 3)];
          const v = WEIRD[rng.int(0, WEIRD.length)];
          // Half the time a near miss: one offset or dimension nudged.
          if (rng.random() < 0.5 && Array.isArray(h[t][field])) (h[t][field] as number[])[rng.int(0, (h[t][field] as number[]).length)] += rng.int(-9, 10);
          else h[t][field] = v;
        }
      }
      bytes = withHeader(h, rng.random() < 0.2 ? body.subarray(0, rng.int(0, body.length)) : body);
    }
    const t0 = Date.now();
    try {
      const r = parseSafetensors(bytes, 'fuzz.safetensors');
      for (const t of Object.values(r.tensors)) assert.equal(t.data.length, t.size, `case ${i}: a tensor's data matches its shape`);
      count.ran++;
    } catch (e) {
      if (e instanceof ReceptiveError) count.typed++;
      else {
        const key = String((e as Error).stack).split('\n').slice(0, 3).join(' | ');
        if (!raw.has(key)) raw.set(key, i);
        count.raw++;
      }
    }
    assert.ok(Date.now() - t0 < 5000, `case ${i} took ${Date.now() - t0} ms`);
  }
  assert.equal(raw.size, 0, `untyped failures:\n${[...raw].map(([k, i]) => `case ${i}: ${k}`).join('\n')}`);
  assert.ok(count.typed > 2000, `${count.typed} refused, ${count.ran} still parsed`);
});
