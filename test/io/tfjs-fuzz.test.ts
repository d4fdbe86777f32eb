import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, ReceptiveError, randn, type Tensor } from '../../src/tensor/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { importTfjsLayers } from '../../src/io/tfjs/index.js';
import { tinyModel } from './tfjs-tiny.js';

/*
 * Issue 14: the TF.js layers loader raises only the library's typed errors on
 * damaged model.json files and weight shards, and never hangs. Three kinds of
 * damage: bytes of the JSON text, values inside the parsed JSON (numbers, names,
 * shapes, dtypes, inbound links), and the weight bytes (truncated or shortened).
 */

const WEIRD: unknown[] = [null, -1, 0, 1e9, 2 ** 31, 1.5, NaN, '', 'x', 'same', [], [0], [-3, 2], {}, true, [[['in', 0, 0]]], 'float16', 'uint16'];

/** Every [container, key] of a parsed JSON value, so a mutation can pick any of them. */
function slots(v: unknown, out: [Record<string | number, unknown>, string | number][] = []): [Record<string | number, unknown>, string | number][] {
  if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
      slots((v as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

/** Raw (untyped) failures by their first stack lines, so one run lists every distinct one. */
const raw = new Map<string, number>();

function attempt(i: number, run: () => void): 'ran' | 'typed' | 'raw' {
  const t0 = Date.now();
  try {
    run();
    return 'ran';
  } catch (e) {
    if (e instanceof ReceptiveError) return 'typed';
    const key = String((e as Error).stack).split('\n').slice(0, 3).join(' | ');
    if (!raw.has(key)) raw.set(key, i);
    return 'raw';
  } finally {
    assert.ok(Date.now() - t0 < 5000, `case ${i} took ${Date.now() - t0} ms`);
  }
}

test('importTfjsLayers on thousands of damaged model.json files and weight shards raises only ReceptiveErrors', () => {
  const { json, weights } = tinyModel();
  const x = randn([1, 2, 7, 7], { rng: new RNG(2) });
  assert.equal((noGrad(() => importTfjsLayers(json, weights).call(x)) as Tensor).size, 5, 'the undamaged model runs');
  const text = new TextEncoder().encode(JSON.stringify(json));
  const rng = new RNG(7);
  const count = { ran: 0, typed: 0, raw: 0 };
  for (let i = 0; i < 3000; i++) {
    const kind = i % 3;
    count[attempt(i, () => {
      if (kind === 0) {
        // Bytes of the JSON text: mostly unparseable, sometimes a different valid document.
        const b = Uint8Array.from(text);
        for (let k = rng.int(1, 4); k > 0; k--) b[rng.int(0, b.length)] = rng.int(32, 127);
        const cut = rng.random() < 0.3 ? b.subarray(0, rng.int(0, b.length)) : b;
        noGrad(() => importTfjsLayers(new TextDecoder().decode(cut), weights).call(x));
      } else if (kind === 1) {
        const doc = structuredClone(json) as unknown;
        const all = slots(doc);
        for (let k = rng.int(1, 3); k > 0; k--) {
          const [obj, key] = all[rng.int(0, all.length)];
          obj[key] = WEIRD[rng.int(0, WEIRD.length)];
        }
        noGrad(() => importTfjsLayers(doc as typeof json, weights).call(x));
      } else {
        const b = Uint8Array.from(weights);
        const bytes = rng.random() < 0.5 ? b.subarray(0, rng.int(0, b.length)) : Uint8Array.from([...b, ...new Uint8Array(rng.int(1, 9))]);
        noGrad(() => importTfjsLayers(json, bytes).call(x));
      }
    })]++;
  }
  assert.equal(raw.size, 0, `untyped failures:\n${[...raw].map(([k, i]) => `case ${i}: ${k}`).join('\n')}`);
  assert.ok(count.typed > 1500, `${count.typed} refused, ${count.ran} still ran`);
});
