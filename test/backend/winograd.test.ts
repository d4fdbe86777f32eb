import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randn, RNG, ArgumentError, Tensor } from '../../src/tensor/index.js';
import { kernel, setBackend, withBackend, type Conv2DInfo } from '../../src/backend/index.js';
import { enableWasmBackend, getNumThreads, setNumThreads, setConvAlgorithm, getConvAlgorithm, wasmInfo } from '../../src/backend/wasm/index.js';
import { conv2d, conv2dInfo } from '../../src/ops/conv.js';
import { relu } from '../../src/ops/activation.js';
import { backward } from '../../src/autograd/index.js';
import { assertClose, untilPoolPosts, untilWorkersJoin } from '../helpers.js';

/*
 * The Winograd F(4×4, 3×3) path of the wasm backend (3×3, stride 1) against the
 * reference kernels, float32. Tolerance: the direct path's (atol 2e-6·L + 1e-6,
 * rtol 1e-5, L = the reduction length; see wasm.test.ts) plus 5e-5 of the
 * largest output. The transforms multiply tile values by up to 10 on the way in
 * and 17 on the way out (and by 1/6, 1/24 for the weights), so the rounding error
 * is 15–50× the direct sum's and scales with the size of the outputs rather than
 * with each one: measured 0.3–1.5e-5 of max|y| for L = 9 … 4,608 (Lavin & Gray
 * report the same order for F(4×4, 3×3) in float32). The filter gradient (the
 * adjoint, summed over every tile of the batch) measured 0.3–2.5e-5 of max|dW|
 * for L = 196 … 25,088. The worst case below uses under a tenth of the tolerance.
 */

const rng = new RNG(77);
const rand = (shape: number[]) => randn(shape, { dtype: 'float32', rng });
const maxAbs = (t: { data: ArrayLike<number> }) => {
  let m = 0;
  for (let i = 0; i < t.data.length; i++) m = Math.max(m, Math.abs(t.data[i]));
  return m;
};
const tol = (L: number, want: { data: ArrayLike<number> }) => ({ atol: 2e-6 * L + 1e-6 + 5e-5 * maxAbs(want), rtol: 1e-5 });
const ref = <T>(fn: () => T): T => withBackend('reference', fn);
const maxAbsDiff = (a: { data: ArrayLike<number> }, b: { data: ArrayLike<number> }) => {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
};

before(async () => {
  assert.equal(await enableWasmBackend(), true);
});
after(async () => {
  setConvAlgorithm('auto');
  await setBackend('reference');
});

function check(N: number, C: number, H: number, W: number, M: number, padding: [number, number, number, number], bias: boolean): number {
  const x = rand([N, C, H, W]);
  const w = rand([M, C, 3, 3]);
  const b = bias ? rand([M]) : null;
  const info: Conv2DInfo = conv2dInfo('test', x, w, { padding });
  const what = JSON.stringify({ N, C, H, W, M, padding, bias });
  const y = kernel('Conv2D')(x, w, b, info);
  const y0 = ref(() => kernel('Conv2D')(x, w, b, info));
  assertClose(y, y0, tol(C * 9, y0), `Conv2D ${what}`);
  const dy = rand([...y0.shape]);
  const dx = kernel('Conv2DBackpropInput')(dy, w, info);
  const dx0 = ref(() => kernel('Conv2DBackpropInput')(dy, w, info));
  assertClose(dx, dx0, tol(M * 9, dx0), `Conv2DBackpropInput ${what}`);
  const dw = kernel('Conv2DBackpropFilter')(x, dy, info);
  const dw0 = ref(() => kernel('Conv2DBackpropFilter')(x, dy, info));
  const L = N * info.outH * info.outW;
  assertClose(dw, dw0, tol(L, dw0), `Conv2DBackpropFilter ${what}`);
  return Math.max(maxAbsDiff(y, y0) / tol(C * 9, y0).atol, maxAbsDiff(dx, dx0) / tol(M * 9, dx0).atol, maxAbsDiff(dw, dw0) / tol(L, dw0).atol);
}

test('Winograd conv2d, its input gradient and its filter gradient match the reference on edge shapes, paddings and channel counts', () => {
  setConvAlgorithm('winograd');
  try {
    let worst = 0;
    // Output sizes around the 4×4 tile and the 4-tile vector groups: 1..5, 8, 13, 16, 17, 29.
    for (const [H, W] of [[3, 3], [4, 5], [5, 7], [6, 6], [10, 18], [15, 19], [18, 31], [31, 10]]) {
      for (const padding of [[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2], [0, 1, 1, 0], [2, 0, 1, 2]] as [number, number, number, number][]) {
        const N = 1 + (H % 3);
        worst = Math.max(worst, check(N, 1 + ((H + W) % 7), H, W, 1 + ((H * W) % 9), padding, (H + W) % 2 === 0));
      }
    }
    // Wider reductions: many channels, output channels not a multiple of 4.
    worst = Math.max(worst, check(2, 64, 12, 12, 37, [1, 1, 1, 1], true));
    worst = Math.max(worst, check(1, 256, 7, 7, 18, [1, 1, 1, 1], true));
    assert.ok(worst < 0.5, `worst error / atol = ${worst}`);
  } finally {
    setConvAlgorithm('auto');
  }
});

test("'auto' picks Winograd for a large 3×3 layer and the direct path for a small one", () => {
  const x = rand([1, 64, 16, 16]);
  const w = rand([64, 64, 3, 3]);
  const info = conv2dInfo('test', x, w, { padding: 1 });
  const run = (a: 'auto' | 'direct' | 'winograd') => {
    setConvAlgorithm(a);
    try {
      return kernel('Conv2D')(x, w, null, info).data;
    } finally {
      setConvAlgorithm('auto');
    }
  };
  assert.equal(getConvAlgorithm(), 'auto');
  const [auto, direct, wino] = [run('auto'), run('direct'), run('winograd')];
  assert.deepEqual(auto, wino);
  assert.notDeepEqual(auto, direct);
  // 8 channels: the transforms would cost more than they save.
  const xs = rand([1, 8, 16, 16]);
  const ws = rand([8, 8, 3, 3]);
  const is = conv2dInfo('test', xs, ws, { padding: 1 });
  setConvAlgorithm('direct');
  const d = kernel('Conv2D')(xs, ws, null, is).data;
  setConvAlgorithm('auto');
  assert.deepEqual(kernel('Conv2D')(xs, ws, null, is).data, d);
});

test('Winograd results do not depend on the thread count', async () => {
  const x = rand([3, 20, 13, 22]);
  const w = rand([21, 20, 3, 3]);
  const b = rand([21]);
  const info = conv2dInfo('test', x, w, { padding: 1 });
  const dy = rand([3, 21, info.outH, info.outW]);
  const run = () => [kernel('Conv2D')(x, w, b, info).data, kernel('Conv2DBackpropInput')(dy, w, info).data];
  const before = getNumThreads();
  setConvAlgorithm('winograd');
  try {
    setNumThreads(1);
    const one = run();
    for (const n of [2, 3]) {
      setNumThreads(n);
      const joined = wasmInfo()!.joinedJobs;
      await untilPoolPosts(`with ${n} threads the kernels`, () => assert.deepEqual(run(), one, `${n} threads`));
      await untilWorkersJoin(joined, () => assert.deepEqual(run(), one, `${n} threads, again`));
    }
  } finally {
    setNumThreads(before);
    setConvAlgorithm('auto');
  }
});

test('transformed Winograd weights are refreshed when the weight changes in place', () => {
  const x = rand([1, 16, 8, 8]);
  const w = rand([16, 16, 3, 3]);
  const info = conv2dInfo('test', x, w, { padding: 1 });
  const dy = rand([1, 16, 8, 8]);
  setConvAlgorithm('winograd');
  try {
    const y1 = kernel('Conv2D')(x, w, null, info);
    const dx1 = kernel('Conv2DBackpropInput')(dy, w, info);
    w.data[5] += 1;
    w.markModified();
    const y2 = kernel('Conv2D')(x, w, null, info);
    const dx2 = kernel('Conv2DBackpropInput')(dy, w, info);
    assert.notDeepEqual(y1.data, y2.data);
    assert.notDeepEqual(dx1.data, dx2.data);
    const y0 = ref(() => kernel('Conv2D')(x, w, null, info));
    const dx0 = ref(() => kernel('Conv2DBackpropInput')(dy, w, info));
    assertClose(y2, y0, tol(144, y0));
    assertClose(dx2, dx0, tol(144, dx0));
  } finally {
    setConvAlgorithm('auto');
  }
});

test('setConvAlgorithm refuses an unknown algorithm by name', () => {
  assert.throws(() => setConvAlgorithm('fft' as never), (e: Error) => e instanceof ArgumentError && /setConvAlgorithm.*'auto', 'direct' or 'winograd'.*"fft"/.test(e.message));
  assert.equal(getConvAlgorithm(), 'auto');
});

test('a batch large enough to go through in chunks equals its images run one by one, bit for bit', () => {
  // 36·(64 + 64)·64 tiles·4 bytes = 1.2 MB of transformed tiles per image: 9 images take two chunks.
  const N = 9;
  const x = rand([N, 64, 32, 32]);
  const w = rand([64, 64, 3, 3]);
  const info = conv2dInfo('test', x, w, { padding: 1 });
  setConvAlgorithm('winograd');
  try {
    const y = kernel('Conv2D')(x, w, null, info);
    const per = 64 * 32 * 32;
    for (const n of [0, 6, 7, 8]) {
      const xn = new Tensor(x.data.slice(n * per, (n + 1) * per), [1, 64, 32, 32]);
      const yn = kernel('Conv2D')(xn, w, null, conv2dInfo('test', xn, w, { padding: 1 }));
      assert.deepEqual(y.data.subarray(n * per, (n + 1) * per), yn.data, `image ${n}`);
    }
    setConvAlgorithm('direct');
    const yd = kernel('Conv2D')(x, w, null, info);
    assertClose(y, yd, tol(2 * 576, yd));
  } finally {
    setConvAlgorithm('auto');
  }
});

test('autograd through two Winograd 3×3 layers matches the reference backend (outputs and every gradient)', () => {
  const x0 = rand([2, 16, 12, 10]);
  const w1 = rand([24, 16, 3, 3]);
  const b1 = rand([24]);
  const w2 = rand([8, 24, 3, 3]);
  const r = rand([2, 8, 12, 10]);
  const run = (backend: string) =>
    withBackend(backend, () => {
      const x = new Tensor(x0.data.slice(), x0.shape, true);
      const p = [w1, b1, w2].map((t) => new Tensor(t.data.slice(), t.shape, true));
      const h = relu(conv2d(x, p[0], { bias: p[1], padding: 1 }));
      const y = conv2d(h, p[2], { padding: 'same' });
      backward(y, r);
      return [y, x.grad!, p[0].grad!, p[1].grad!, p[2].grad!];
    });
  setConvAlgorithm('winograd');
  try {
    const got = run('wasm');
    const want = run('reference');
    const L = [24 * 9, 16 * 9, 2 * 12 * 10, 2 * 12 * 10, 2 * 12 * 10];
    ['y', 'dx', 'dw1', 'db1', 'dw2'].forEach((name, i) => assertClose(got[i], want[i], tol(L[i], want[i]), name));
  } finally {
    setConvAlgorithm('auto');
  }
});
