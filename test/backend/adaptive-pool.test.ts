import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randn, RNG } from '../../src/tensor/index.js';
import { kernel, setBackend, withBackend } from '../../src/backend/index.js';
import { enableWasmBackend, getNumThreads, setNumThreads, wasmInfo } from '../../src/backend/wasm/index.js';
import { adaptiveAvgPool2d } from '../../src/ops/pool.js';
import { sum } from '../../src/ops/reduce.js';
import { backward } from '../../src/autograd/index.js';
import { untilPoolPosts, untilWorkersJoin } from '../helpers.js';

/*
 * Adaptive average pooling on wasm against the reference (same float64 sums, so
 * the same bits), with bins that overlap (7 → 3, 5 → 4) and global pooling; then
 * the elementwise kernels a training step runs, split into items, for 1, 2 and 3 threads.
 */

const rng = new RNG(5);
const rand = (shape: number[]) => randn(shape, { dtype: 'float32', rng });

before(async () => {
  assert.equal(await enableWasmBackend(), true);
});
after(async () => {
  await setBackend('reference');
});

test('AdaptiveAvgPool2D and its gradient: wasm = reference bit for bit', () => {
  for (const [shape, out] of [[[2, 3, 7, 5], [3, 4]], [[4, 8, 4, 4], [1, 1]], [[1, 2, 6, 9], [6, 9]], [[3, 5, 1, 1], [1, 1]], [[2, 2, 3, 3], [5, 4]]] as const) {
    const x = rand([...shape]);
    const y = withBackend('wasm', () => kernel('AdaptiveAvgPool2D')(x, { outH: out[0], outW: out[1] }));
    const yr = withBackend('reference', () => kernel('AdaptiveAvgPool2D')(x, { outH: out[0], outW: out[1] }));
    assert.deepEqual(y.shape, yr.shape);
    assert.deepEqual(y.data, yr.data, `forward ${shape} → ${out}`);
    const dy = rand([shape[0], shape[1], out[0], out[1]]);
    const dx = withBackend('wasm', () => kernel('AdaptiveAvgPool2DGrad')(dy, { inH: shape[2], inW: shape[3] }));
    const dxr = withBackend('reference', () => kernel('AdaptiveAvgPool2DGrad')(dy, { inH: shape[2], inW: shape[3] }));
    assert.deepEqual(dx.data, dxr.data, `gradient ${shape} → ${out}`);
  }
  // By hand: the mean of a 2×2 plane.
  const x = rand([1, 1, 2, 2]);
  const m = withBackend('wasm', () => kernel('AdaptiveAvgPool2D')(x, { outH: 1, outW: 1 })).data[0];
  assert.equal(m, Math.fround((x.data[0] + x.data[1] + x.data[2] + x.data[3]) / 4));
});

test('adaptiveAvgPool2d backward on wasm: each input gets 1/|bin| from every bin that holds it (overlapping bins)', () => {
  const [H, W, oh, ow] = [5, 7, 2, 3];
  const x = randn([2, 3, H, W], { dtype: 'float32', rng, requiresGrad: true });
  withBackend('wasm', () => backward(sum(adaptiveAvgPool2d(x, [oh, ow]))));
  const plane = new Float64Array(H * W);
  for (let i = 0; i < oh; i++) {
    const [h0, h1] = [Math.floor((i * H) / oh), Math.ceil(((i + 1) * H) / oh)];
    for (let j = 0; j < ow; j++) {
      const [w0, w1] = [Math.floor((j * W) / ow), Math.ceil(((j + 1) * W) / ow)];
      for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) plane[h * W + w] += 1 / ((h1 - h0) * (w1 - w0));
    }
  }
  const g = x.grad!.data;
  for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i] - plane[i % (H * W)]) < 1e-6, `input ${i}: ${g[i]} vs ${plane[i % (H * W)]}`);
});

test('elementwise kernels and adaptive pooling: 1, 2 and 3 threads give the reference bits', async () => {
  // Above the pool's threshold for memory-bound kernels (1 M elements).
  const a = rand([4, 64, 70, 70]);
  const b = rand([4, 64, 70, 70]);
  const c = rand([1, 64, 1, 1]);
  const run = (backend: string) => withBackend(backend, () => [
    kernel('Unary')(a, { op: 'relu' }), kernel('Unary')(a, { op: 'step' }),
    kernel('Binary')(a, b, { op: 'add', outShape: a.shape }), kernel('Binary')(a, c, { op: 'mul', outShape: a.shape }),
    kernel('Binary')(c, a, { op: 'sub', outShape: a.shape }), kernel('Binary')(a, b, { op: 'reluGrad', outShape: a.shape }),
    kernel('AdaptiveAvgPool2D')(a, { outH: 3, outW: 3 }), kernel('AdaptiveAvgPool2DGrad')(a, { inH: 140, inW: 141 }),
  ]);
  const want = run('reference');
  const before = getNumThreads();
  try {
    for (const k of [1, 2, 3]) {
      setNumThreads(k);
      const joined = wasmInfo()!.joinedJobs;
      const check = () => {
        const got = run('wasm');
        for (let i = 0; i < want.length; i++) assert.deepEqual(got[i].data, want[i].data, `output ${i} with ${k} threads`);
      };
      check();
      if (k > 1) {
        await untilPoolPosts(`with ${k} threads the kernels`, check);
        await untilWorkersJoin(joined, () => {
          const again = run('wasm');
          for (let i = 0; i < want.length; i++) assert.deepEqual(again[i].data, want[i].data, `output ${i} with ${k} threads, again`);
        });
      }
    }
  } finally {
    setNumThreads(before);
  }
});
