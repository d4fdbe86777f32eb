import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_TENSOR_BYTES, MAX_TENSOR_ELEMENTS, ReceptiveError, ResourceError, arange, full, ones, rand, randn, tensor, zeros,
} from '../../src/tensor/index.js';
import { Linear } from '../../src/nn/index.js';
import { conv2d } from '../../src/ops/index.js';
import { withBackend } from '../../src/backend/index.js';
import { assertThrowsWith } from '../helpers.js';

/** Run fn, which must throw a ResourceError, and check it neither took long nor allocated its tensor. */
function refusedFast(fn: () => unknown, ...fragments: string[]): ResourceError {
  const before = process.memoryUsage().arrayBuffers;
  const t = performance.now();
  const e = assertThrowsWith(fn, ResourceError, ...fragments) as ResourceError;
  const ms = performance.now() - t;
  assert.ok(ms < 500, `refused in ${ms.toFixed(0)} ms`);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20, 'nothing large was allocated');
  assert.ok(e instanceof ReceptiveError);
  return e;
}

test('the stated limits: 2^31 − 1 elements and 4 GiB per tensor', () => {
  assert.equal(MAX_TENSOR_ELEMENTS, 2 ** 31 - 1);
  assert.equal(MAX_TENSOR_BYTES, 2 ** 32);
});

test('huge shapes are refused before allocating, naming the op, the shape and the limit', () => {
  refusedFast(() => zeros([1e6, 1e6]), 'zeros', '[1000000, 1000000]', '1,000,000,000,000 elements', '2,147,483,647');
  refusedFast(() => zeros([2 ** 31]), 'zeros', '[2147483648]', '2^31 − 1');
  refusedFast(() => ones([65536, 65536]), 'ones', '[65536, 65536]');
  refusedFast(() => randn([1, 1, 100000, 100000]), 'randn', '[1, 1, 100000, 100000]');
  refusedFast(() => rand([3e9]), 'rand');
  refusedFast(() => tensor(0, { shape: [2 ** 40] }), 'tensor');
  refusedFast(() => arange(0, 1e12), 'arange', '[1000000000000]');
  refusedFast(() => arange(0, Infinity), 'arange');
  // Under the element limit but over the byte limit: 2^29 + 1 float64 values are 4 GiB + 8 bytes.
  const e = refusedFast(() => full([2 ** 29 + 1], 1, { dtype: 'float64' }), 'full', 'float64', '[536870913]', '4.00 GiB');
  assert.equal(e.neededBytes, (2 ** 29 + 1) * 8);
  assert.equal(e.limitBytes, 2 ** 32);
  refusedFast(() => zeros([2 ** 30 + 1]), 'zeros', 'float32');
});

test('a layer with a huge weight is refused in its constructor', () => {
  refusedFast(() => new Linear({ inFeatures: 1e9, outFeatures: 1e9 }), '[1000000000, 1000000000]');
});

test('an op whose output would pass the limit is refused in its kernel before the output is allocated (reference backend)', () => {
  // 1×1 convolution, 65,536 output channels on a 256×256 image: 2^32 output elements from 512 KB of inputs.
  const x = zeros([1, 1, 256, 256]);
  const w = zeros([65536, 1, 1, 1]);
  withBackend('reference', () => refusedFast(() => conv2d(x, w), 'Conv2D', '[1, 65536, 256, 256]', '4,294,967,296 elements'));
});
