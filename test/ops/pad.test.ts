import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, randn, tensor } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { mul, pad, sum } from '../../src/ops/index.js';
import { assertThrowsWith } from '../helpers.js';

const rnd = (shape: number[], seed: number) => randn(shape, { dtype: 'float64', rng: new RNG(seed), requiresGrad: true });

test('pad reflect: the mirror image without repeating the edge, on the last axes', () => {
  assert.deepEqual(pad(tensor([1, 2, 3]), [[2, 2]], { mode: 'reflect' }).toArray(), [3, 2, 1, 2, 3, 2, 1]);
  const y = pad(tensor([[1, 2], [3, 4], [5, 6]]), [[1, 2], [1, 0]], { mode: 'reflect' });
  // Rows 1 | 0 1 2 | 1 0, then columns 1 | 0 1.
  assert.deepEqual(y.toArray(), [[4, 3, 4], [2, 1, 2], [4, 3, 4], [6, 5, 6], [4, 3, 4], [2, 1, 2]]);
});

test('pad replicate: copies of the edge (ONNX edge)', () => {
  assert.deepEqual(pad(tensor([1, 2, 3]), [[2, 1]], { mode: 'replicate' }).toArray(), [1, 1, 1, 2, 3, 3]);
  const y = pad(tensor([[[1, 2], [3, 4]]]), [[0, 1], [2, 0]], { mode: 'replicate' });
  assert.deepEqual(y.toArray(), [[[1, 1, 1, 2], [3, 3, 3, 4], [3, 3, 3, 4]]]);
});

test('pad: the gradient of reflect and replicate adds up the copies (by hand, and gradcheck)', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  // reflect [2, 2] reads 3 2 1 2 3 2 1: x0 at positions 2 and 6, x1 at 1, 3, 5, x2 at 0 and 4.
  sum(mul(pad(x, [[2, 2]], { mode: 'reflect' }), tensor([1, 10, 100, 1000, 10000, 100000, 1000000]))).backward();
  assert.deepEqual(Array.from(x.grad!.data), [100 + 1000000, 10 + 1000 + 100000, 1 + 10000]);
  const z = tensor([1, 2, 3], { requiresGrad: true });
  sum(mul(pad(z, [[2, 1]], { mode: 'replicate' }), tensor([1, 10, 100, 1000, 10000, 100000]))).backward();
  assert.deepEqual(Array.from(z.grad!.data), [111, 1000, 110000]);
  for (const mode of ['reflect', 'replicate'] as const) {
    const r = gradcheck((p) => pad(p, [[1, 2], [2, 1]], { mode }), [rnd([2, 3, 4], 1)]);
    assert.ok(r.ok, `${mode}: ${JSON.stringify(r)}`);
  }
  const c = gradcheck((p) => pad(p, [[1, 0], [0, 2]], { value: 3 }), [rnd([2, 3], 2)]);
  assert.ok(c.ok, JSON.stringify(c));
});

test('pad: constant mode as before, and bad modes or sizes named', () => {
  assert.deepEqual(pad(tensor([1, 2]), [[1, 1]], { value: -1 }).toArray(), [-1, 1, 2, -1]);
  assert.deepEqual(pad(tensor([1, 2]), [[1, 0]], 5).toArray(), [5, 1, 2]);
  assertThrowsWith(() => pad(tensor([1, 2, 3]), [[3, 0]], { mode: 'reflect' }), ArgumentError, 'reflect pads [3, 0] of axis 0 must be smaller than its size 3');
  assertThrowsWith(() => pad(tensor([1, 2]), [[1, 0]], { mode: 'circular' as 'reflect' }), ArgumentError, "mode must be 'constant', 'reflect' or 'replicate'");
  assertThrowsWith(() => pad(tensor([1, 2]), [[1, 0]], { mode: 'replicate', value: 2 }), ArgumentError, "value applies to mode 'constant' only");
  assertThrowsWith(() => pad(tensor([1, 2]), [[1, 0]], 'edge' as unknown as number), ArgumentError, 'a number or { mode, value }');
});
