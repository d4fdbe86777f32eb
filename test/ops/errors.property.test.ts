import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allocate, ArgumentError, DTYPES, ReceptiveError, Tensor, type DType } from '../../src/tensor/index.js';
import * as ops from '../../src/ops/index.js';
import { assertThrowsWith } from '../helpers.js';

/*
 * Every public op, called thousands of times with random shapes, dtypes and
 * arguments (nonsense included), either returns a Tensor (or tensors) or throws
 * a ReceptiveError: a raw TypeError or RangeError escaping is a missing check.
 */

// Building blocks exported for other op files, not ops a user calls with their own arguments.
const HELPERS = new Set([
  'checkTensor', 'checkFloat', 'toTensor', 'checkInt', 'checkNumber', 'describe', 'pair', 'sumToShape', 'view',
  'checkOptions', 'unary', 'binaryRaw', 'convOutputSize', 'samePadding', 'resolvePadding', 'conv2dInfo', 'poolOutputSize', 'pool2dInfo',
]);
const OPS = Object.entries(ops)
  .filter(([name, v]) => typeof v === 'function' && !HELPERS.has(name))
  .map(([name, fn]) => [name, fn as (...args: unknown[]) => unknown] as const);

const dtypeArb = fc.constantFrom<DType>(...DTYPES);
// Ranks 2-4 are favoured so that conv, pool and norm calls get past their rank checks.
const shapeArb = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 5 }),
  fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
  fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 4, maxLength: 4 }),
);
// Values: small integers (valid class indices and channel counts) mixed with NaN and ±Inf.
const valueArb = fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double({ min: -5, max: 5 }), fc.constantFrom(NaN, Infinity, -Infinity));

const tensorArb = fc.tuple(shapeArb, dtypeArb, fc.array(valueArb, { minLength: 1, maxLength: 8 }), fc.boolean()).map(([shape, dtype, vals, rg]) => {
  const data = allocate(dtype, shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = vals[i % vals.length];
  return new Tensor(data, shape, rg && dtype !== 'int32');
});

const junkArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, NaN, Infinity, -Infinity, -1, 0, 1, 2, 3, 1.5, -0.5, 100, true, false, '', 'same', 'valid', 'mean', 'none', 'sum', 'nearest', 'bilinear', 'bogus', {}, []),
  fc.array(fc.integer({ min: -3, max: 5 }), { maxLength: 5 }),
  fc.array(fc.tuple(fc.integer({ min: -1, max: 3 }), fc.integer({ min: -1, max: 3 })), { maxLength: 4 }),
  tensorArb,
);

const OPTION_KEYS = [
  'axis', 'keepdims', 'correction', 'bias', 'stride', 'padding', 'dilation', 'groups', 'outputPadding', 'kernelSize', 'ceilMode',
  'countIncludePad', 'divisorOverride', 'returnIndices', 'size', 'scaleFactor', 'mode', 'alignCorners', 'weight', 'training', 'momentum',
  'eps', 'p', 'rng', 'alpha', 'beta', 'k', 'reduction', 'labelSmoothing', 'ignoreIndex', 'posWeight',
];
const optionsArb = fc.dictionary(fc.constantFrom(...OPTION_KEYS), junkArb, { maxKeys: 4 });

// Tensors first (the usual call), then anything.
const argsArb = fc.tuple(
  fc.array(tensorArb, { minLength: 0, maxLength: 3 }),
  fc.array(fc.oneof(junkArb, optionsArb), { maxLength: 3 }),
).map(([ts, rest]) => [...ts, ...rest]);

function check(name: string, fn: (...args: unknown[]) => unknown, args: unknown[]): void {
  try {
    fn(...args);
  } catch (e) {
    if (!(e instanceof ReceptiveError)) {
      const what = e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack}` : String(e);
      assert.fail(`${name} let a non-ReceptiveError escape: ${what}`);
    }
  }
}

// A fixed seed keeps CI reproducible; FUZZ_SEED / FUZZ_RUNS explore further.
const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

for (const [name, fn] of OPS) {
  test(`${name}: every error is a ReceptiveError`, () => {
    fc.assert(fc.property(argsArb, (args) => check(name, fn, args)), { numRuns: RUNS, seed: SEED });
  });
}

test('the fuzzed list covers the op families', () => {
  const names = OPS.map(([n]) => n);
  for (const n of ['add', 'sum', 'reshape', 'matmul', 'conv2d', 'relu', 'batchNorm', 'crossEntropy', 'maxPool2d', 'interpolate']) {
    assert.ok(names.includes(n), `${n} is not fuzzed`);
  }
});

test('slips the fuzzer found are refused with messages that name the op and the argument', () => {
  const x = new Tensor(new Float32Array(4), [2, 2]);
  const bare = Object.create(null) as unknown;
  assertThrowsWith(() => ops.sum(x, null as unknown as ops.ReduceOptions), ArgumentError, 'sum', 'options must be an object', 'null');
  assertThrowsWith(() => ops.softmax(x, bare as number), ArgumentError, 'softmax', 'axis an object is out of range');
  assertThrowsWith(() => ops.pad(x, [[1, 1]], { value: bare as number }), ArgumentError, 'pad', 'value must be a number');
  assertThrowsWith(() => ops.pad(x, [[1, 1]], 'reflect' as unknown as number), ArgumentError, 'pad', 'must be a number or { mode, value }');
  assertThrowsWith(() => ops.broadcastTo(x, undefined as unknown as number[]), ArgumentError, 'broadcastTo', 'shape must be an array');
  assertThrowsWith(() => ops.split(x, 'two' as unknown as number[]), ArgumentError, 'split', 'sizes', '"two"');
  assertThrowsWith(() => ops.conv2d(new Tensor(new Float32Array(16), [1, 1, 4, 4]), new Tensor(new Float32Array(9), [1, 1, 3, 3]), null as unknown as ops.Conv2dOptions), ArgumentError, 'conv2d', 'options must be an object');
  assertThrowsWith(() => ops.variance(x, { correction: 'one' as unknown as number }), ArgumentError, 'variance', 'correction', '"one"');
});
