import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from './helpers.js';

const failure = (fn: () => void): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return assert.fail('expected a failure');
};

test('assertClose: NaN equals NaN only when asked; ±Inf only the same sign', () => {
  assertClose([NaN, 1], [NaN, 1], { equalNaN: true });
  assert.match(failure(() => assertClose([NaN], [NaN])), /1 of 1 elements differ/);
  assert.match(failure(() => assertClose([NaN], [0], { equalNaN: true })), /1 of 1 elements differ/);
  assertClose([Infinity, -Infinity], [Infinity, -Infinity]);
  assert.match(failure(() => assertClose([Infinity], [-Infinity])), /differ/);
  assert.match(failure(() => assertClose([Infinity], [1e308])), /differ/);
});

test('assertClose: tolerance is atol + rtol·|expected|; a failure reports count, worst difference and index', () => {
  assertClose([1 + 1e-6], [1], { atol: 0, rtol: 1e-5 });
  assertClose([100.0009], [100], { atol: 1e-5, rtol: 1e-5 });
  const msg = failure(() => assertClose([0, 1.5, 2, 3.01], [0, 1, 2, 3], { atol: 1e-3, rtol: 0 }, 'demo'));
  assert.match(msg, /^demo: 2 of 4 elements differ \(atol 0\.001, rtol 0\)/);
  assert.match(msg, /worst at flat index 1: got 1\.5, expected 1 \(abs diff 0\.5, rel diff 0\.5\)/);
  assert.match(failure(() => assertClose([1, 2], [1, 2, 3])), /2 elements vs expected 3/);
});
