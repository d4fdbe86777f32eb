import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, RNG, Tensor, randn } from '../../src/tensor/index.js';
import { gradcheck, backward } from '../../src/autograd/index.js';
import { embedding, maxPool1d, avgPool1d, adaptiveMaxPool1d, sum } from '../../src/ops/index.js';
import { Embedding, MaxPool1d, AvgPool1d, AdaptiveMaxPool1d, moduleFromJSON, moduleToJSON } from '../../src/nn/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

const rng = new RNG(11);
const f64 = (shape: number[]) => { const t = randn(shape, { rng, dtype: 'float64' }); t.requiresGrad = true; return t; };

test('embedding looks rows up; gradcheck; the gradient reaches used rows only, never the padding row', () => {
  const w = f64([6, 3]);
  const ids = new Tensor(Int32Array.from([2, 0, 2, 5]), [2, 2]);
  const y = embedding(ids, w, { paddingIdx: 0 });
  assert.deepEqual([...y.shape], [2, 2, 3]);
  assertClose(y.data.subarray(9, 12), w.data.subarray(15, 18));
  const r = gradcheck((t) => embedding(ids, t, { paddingIdx: 0 }), [w]);
  // The padding row's analytic gradient is 0, its numeric one is not: gradcheck must see that as an error...
  assert.ok(!r.ok && r.worst!.index >= 0 && r.worst!.index < 3, 'the padding row (elements 0..2) is the one that differs');
  assert.ok(gradcheck((t) => embedding(ids, t), [w]).ok, 'without paddingIdx the lookup passes gradcheck');
  w.grad = null;
  backward(sum(embedding(ids, w, { paddingIdx: 0 })));
  const g = w.grad!.data;
  const rowSum = (r: number) => g[r * 3] + g[r * 3 + 1] + g[r * 3 + 2];
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(rowSum), [0, 0, 6, 0, 0, 3], 'row 2 used twice, row 5 once, padding row 0 none');
});

test('embedding refuses out-of-range and fractional ids, naming the position', () => {
  const w = randn([4, 2]);
  assertThrowsWith(() => embedding(new Tensor(Int32Array.from([1, 4]), [2]), w), ArgumentError, 'index 4 at position 1', '4 rows');
  assertThrowsWith(() => embedding(new Tensor(Float32Array.from([0.5]), [1]), w), DTypeError, 'integer');
  assertThrowsWith(() => new Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: 4 }), ArgumentError, 'paddingIdx');
});

test('Embedding layer: padding row starts at zero; freeze keeps the table out of training; JSON round trip', () => {
  const e = new Embedding({ numEmbeddings: 5, embeddingDim: 4, paddingIdx: 1, rng: new RNG(1) });
  assert.deepEqual([...e.weight.data.subarray(4, 8)], [0, 0, 0, 0]);
  assert.equal(new Embedding({ numEmbeddings: 5, embeddingDim: 4, freeze: true }).weight.requiresGrad, false);
  const back = moduleFromJSON(moduleToJSON(e)) as Embedding;
  assert.deepEqual(back.toConfig(), { numEmbeddings: 5, embeddingDim: 4, paddingIdx: 1 });
});

test('1-D pools by hand', () => {
  const x = new Tensor(Float64Array.from([1, 5, 2, 8, 3, 0, 4]), [1, 1, 7]);
  assert.deepEqual([...maxPool1d(x, { kernelSize: 2 }).data], [5, 8, 3]);
  assert.deepEqual([...maxPool1d(x, { kernelSize: 3, stride: 2 }).data], [5, 8, 4]);
  assert.deepEqual([...avgPool1d(x, { kernelSize: 2 }).data], [3, 5, 1.5]);
  assert.deepEqual([...adaptiveMaxPool1d(x, 1).data], [8]);
  // windows [0,3) [2,5) [4,7) for L = 7, n = 3
  assert.deepEqual([...adaptiveMaxPool1d(x, 3).data], [5, 8, 4]);
  assertThrowsWith(() => maxPool1d(new Tensor(new Float32Array(4), [4]), { kernelSize: 2 }), Error, '[N, C, L]');
});

test('gradcheck: maxPool1d, avgPool1d (padding), adaptiveMaxPool1d', () => {
  const x = f64([2, 3, 9]);
  assert.ok(gradcheck((t) => maxPool1d(t, { kernelSize: 3, stride: 2 }), [x]).ok);
  assert.ok(gradcheck((t) => avgPool1d(t, { kernelSize: 3, stride: 2, padding: 1 }), [x]).ok);
  assert.ok(gradcheck((t) => adaptiveMaxPool1d(t, 1), [x]).ok);
  assert.ok(gradcheck((t) => adaptiveMaxPool1d(t, 4), [x]).ok);
});

test('1-D pool layers match the functional ops and round-trip through JSON', () => {
  const x = randn([2, 4, 10], { rng });
  for (const [m, f] of [
    [new MaxPool1d({ kernelSize: 3, stride: 1 }), (t: Tensor) => maxPool1d(t, { kernelSize: 3, stride: 1 })],
    [new AvgPool1d({ kernelSize: 2 }), (t: Tensor) => avgPool1d(t, { kernelSize: 2 })],
    [new AdaptiveMaxPool1d({ outputSize: 3 }), (t: Tensor) => adaptiveMaxPool1d(t, 3)],
  ] as const) {
    assertClose(m.call(x), f(x));
    assertClose((moduleFromJSON(moduleToJSON(m)) as typeof m).call(x), f(x));
  }
  assertThrowsWith(() => new MaxPool1d({ kernelSize: 0 }), ArgumentError, 'kernelSize');
});
