import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, globalRNG, manualSeed, randn } from '../../src/tensor/index.js';
import { assertThrowsWith } from '../helpers.js';

test('RNG(42) gives a fixed sequence (xoshiro128** seeded by splitmix32)', () => {
  // Recorded once from this implementation; a change here changes every seeded run.
  const r = new RNG(42);
  assert.deepEqual([r.nextUint32(), r.nextUint32(), r.nextUint32()], [2837322924, 544945897, 479756282]);
  assert.equal(r.random(), 0.814939410083783);
  assert.equal(r.normal(), -0.1518903079862768);
  assert.equal(r.normal(), 2.6924872468851495);
  assert.equal(r.int(0, 10), 3);
  assert.equal(new RNG(0).nextUint32(), 3809008728);
});

test('same seed agrees, different seeds differ', () => {
  const draw = (seed: number) => {
    const r = new RNG(seed);
    return Array.from({ length: 20 }, () => r.random());
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  // seeds beyond 32 bits are not folded onto small ones
  assert.notDeepEqual(draw(1), draw(2 ** 32 + 1));
  const r = new RNG(7);
  r.random();
  r.seed(7);
  assert.deepEqual(Array.from({ length: 20 }, () => r.random()), draw(7));
});

test('uniform draws lie in [0, 1) and permutations are permutations', () => {
  const r = new RNG(11);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const v = r.random();
    assert.ok(v >= 0 && v < 1);
    sum += v;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
  const p = Array.from(r.permutation(50));
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
});

test('state save/restore replays the stream, including a cached Box–Muller normal', () => {
  const r = new RNG(3);
  r.normal(); // leaves the spare normal cached
  const state = r.getState();
  const first = [r.normal(), r.random(), r.normal()];
  r.setState(state);
  assert.deepEqual([r.normal(), r.random(), r.normal()], first);
  const other = new RNG(99);
  other.setState(state);
  assert.deepEqual([other.normal(), other.random(), other.normal()], first);
  assertThrowsWith(() => r.setState({ s: [1, 2, 3], spare: null }), ArgumentError, 'RNG', 'four unsigned 32-bit integers');
  assertThrowsWith(() => r.seed(NaN), ArgumentError, 'RNG', 'seed', 'NaN');
});

test('manualSeed reseeds the global generator used by default', () => {
  manualSeed(5);
  const a = randn([4]).toFlatArray();
  manualSeed(5);
  assert.deepEqual(randn([4]).toFlatArray(), a);
  manualSeed(5);
  assert.equal(globalRNG.normal(), new RNG(5).normal());
});
