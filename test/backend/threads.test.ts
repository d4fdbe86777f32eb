import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { ArgumentError } from '../../src/tensor/index.js';
import { getNumThreads, setNumThreads } from '../../src/backend/wasm/index.js';
import { MAX_THREADS } from '../../src/backend/wasm/runtime.js';
import { assertThrowsWith } from '../helpers.js';

test('setNumThreads refuses more than the pool can run, naming the limit and the core count', () => {
  const cores = availableParallelism();
  assert.equal(MAX_THREADS, 31);
  const before = getNumThreads();
  for (const n of [1000, 32]) {
    assertThrowsWith(() => setNumThreads(n), ArgumentError, 'setNumThreads', `${n} threads`, 'at most 31 threads', `${cores} cores`, `use 1 to ${Math.min(cores, 31)}`);
  }
  assert.equal(getNumThreads(), before, 'a refused count changes nothing');
  for (const n of [0, -1, 2.5, NaN]) assertThrowsWith(() => setNumThreads(n), ArgumentError, 'setNumThreads', 'integer >= 1');
});

test('more threads than cores (up to 31) is accepted with one warning', (t) => {
  const cores = availableParallelism();
  if (cores >= MAX_THREADS) return t.skip(`${cores} cores: no count between the cores and the limit`);
  const warnings: string[] = [];
  const warn = t.mock.method(console, 'warn', (m: string) => void warnings.push(m));
  const before = getNumThreads();
  try {
    setNumThreads(cores + 1);
    assert.equal(getNumThreads(), cores + 1);
    setNumThreads(Math.min(cores + 2, MAX_THREADS));
    assert.equal(warnings.length, 1, 'warned once');
    assert.match(warnings[0], new RegExp(`setNumThreads\\(${cores + 1}\\) on a machine with ${cores} cores`));
  } finally {
    warn.mock.restore();
    setNumThreads(Math.min(before, cores));
  }
});
