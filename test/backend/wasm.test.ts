import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randn, RNG, Tensor } from '../../src/tensor/index.js';
import { kernel, setBackend, withBackend, type Conv2DInfo, type Pool2DInfo } from '../../src/backend/index.js';
import { enableWasmBackend, getNumThreads, setNumThreads, wasmInfo } from '../../src/backend/wasm/index.js';
import { conv2d, conv2dInfo } from '../../src/ops/conv.js';
import { batchNorm } from '../../src/ops/norm.js';
import { linear } from '../../src/ops/matmul.js';
import { backward } from '../../src/autograd/index.js';
import { assertClose, untilPoolPosts, untilWorkersJoin } from '../helpers.js';

/*
 * Parity of every wasm kernel with the reference kernel, float32.
 *
 * Tolerance: atol = 2e-6·L + 1e-6 and rtol = 1e-5, where L is the length of the
 * reduction behind each output (Cin/groups·kH·kW for the forward pass, Cout/groups·kH·kW
 * for the input gradient, N·outH·outW for the filter gradient, K for matmul).
 * Inputs are uniform in [−1, 1]; the reference adds each product (exact in double) to
 * a float32 output (one rounding per term), the wasm kernels round products and sums
 * in float32 in a different order (4-lane partial sums). Each rounding is at most
 * 2^−24 of a partial sum whose size grows like √L for random signs, so the error of
 * either side stays well under L·2^−24·√L; 2e-6·L covers it for L up to ~10^4 with margin.
 */

const rng = new RNG(1234);
const rand = (shape: number[]) => randn(shape, { dtype: 'float32', rng });
const tol = (L: number) => ({ atol: 2e-6 * L + 1e-6, rtol: 1e-5 });
const ref = <T>(fn: () => T): T => withBackend('reference', fn);

before(async () => {
  assert.equal(await enableWasmBackend(), true);
});
after(async () => {
  await setBackend('reference');
});

function int(lo: number, hi: number): number {
  return lo + Math.floor(rng.random() * (hi - lo + 1));
}

interface ConvCase {
  N: number; C: number; H: number; W: number; OC: number; kH: number; kW: number;
  stride: [number, number]; padding: [number, number, number, number]; dilation: [number, number]; groups: number;
}

function checkConv(cs: ConvCase, what: string): void {
  const x = rand([cs.N, cs.C, cs.H, cs.W]);
  const w = rand([cs.OC, cs.C / cs.groups, cs.kH, cs.kW]);
  const b = rand([cs.OC]);
  const info: Conv2DInfo = conv2dInfo('test', x, w, { stride: cs.stride, padding: cs.padding, dilation: cs.dilation, groups: cs.groups });
  const y = kernel('Conv2D')(x, w, b, info);
  const y0 = ref(() => kernel('Conv2D')(x, w, b, info));
  assertClose(y, y0, tol((cs.C / cs.groups) * cs.kH * cs.kW), `Conv2D ${what}`);
  const dy = rand([...y0.shape]);
  const dx = kernel('Conv2DBackpropInput')(dy, w, info);
  const dx0 = ref(() => kernel('Conv2DBackpropInput')(dy, w, info));
  assertClose(dx, dx0, tol((cs.OC / cs.groups) * cs.kH * cs.kW), `Conv2DBackpropInput ${what}`);
  const dw = kernel('Conv2DBackpropFilter')(x, dy, info);
  const dw0 = ref(() => kernel('Conv2DBackpropFilter')(x, dy, info));
  assertClose(dw, dw0, tol(cs.N * info.outH * info.outW), `Conv2DBackpropFilter ${what}`);
}

test('wasm backend is active with SIMD kernels', () => {
  const info = wasmInfo();
  assert.ok(info);
  assert.ok(getNumThreads() >= 1);
});

test('conv2d kernels match the reference on every stride/padding/dilation/groups combination', () => {
  let n = 0;
  for (const stride of [[1, 1], [2, 2], [3, 1], [1, 2]] as [number, number][]) {
    for (const padding of [[0, 0, 0, 0], [1, 1, 1, 1], [2, 0, 1, 3]] as [number, number, number, number][]) {
      for (const dilation of [[1, 1], [2, 1], [2, 3]] as [number, number][]) {
        for (const [C, OC, groups] of [[3, 5, 1], [4, 6, 2], [5, 5, 5], [3, 9, 3]]) {
          const kH = int(1, 3), kW = int(1, 4);
          const H = Math.max(int(3, 9), dilation[0] * (kH - 1) + 1);
          const W = Math.max(int(3, 9), dilation[1] * (kW - 1) + 1);
          const cs: ConvCase = { N: int(1, 2), C, H, W, OC, kH, kW, stride, padding, dilation, groups };
          checkConv(cs, JSON.stringify(cs));
          n++;
        }
      }
    }
  }
  assert.equal(n, 144);
});

test('conv2d kernels: 1x1 kernels, batch 1, odd channel counts, large K, LeNet and ResNet-like shapes', () => {
  const cases: ConvCase[] = [
    { N: 1, C: 7, H: 5, W: 6, OC: 13, kH: 1, kW: 1, stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 },
    { N: 2, C: 8, H: 9, W: 9, OC: 16, kH: 1, kW: 1, stride: [2, 2], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 },
    { N: 3, C: 1, H: 28, W: 28, OC: 6, kH: 5, kW: 5, stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 },
    { N: 2, C: 6, H: 14, W: 14, OC: 16, kH: 5, kW: 5, stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 },
    { N: 1, C: 3, H: 23, W: 21, OC: 10, kH: 7, kW: 7, stride: [2, 2], padding: [3, 3, 3, 3], dilation: [1, 1], groups: 1 },
    { N: 1, C: 33, H: 6, W: 7, OC: 17, kH: 3, kW: 3, stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 },
    { N: 2, C: 12, H: 8, W: 8, OC: 12, kH: 3, kW: 3, stride: [2, 2], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 12 },
    { N: 1, C: 2, H: 4, W: 4, OC: 3, kH: 2, kW: 2, stride: [1, 1], padding: [3, 3, 3, 3], dilation: [1, 1], groups: 1 },
    // >= 16 input channels per group: the input gradient takes the phase-split gather path.
    { N: 2, C: 32, H: 9, W: 8, OC: 8, kH: 3, kW: 2, stride: [2, 3], padding: [1, 0, 2, 1], dilation: [2, 1], groups: 2 },
    { N: 1, C: 20, H: 7, W: 10, OC: 5, kH: 3, kW: 3, stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 },
    { N: 1, C: 17, H: 3, W: 6, OC: 9, kH: 3, kW: 3, stride: [2, 1], padding: [2, 2, 1, 1], dilation: [1, 2], groups: 1 },
    // A larger batch and plane on the col2im input gradient and the row-walking filter gradient.
    { N: 7, C: 2, H: 50, W: 50, OC: 8, kH: 3, kW: 3, stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 },
    // 1×1 outputs (ResNet's last layers on small inputs): the one-point kernel, K = 9·C not a multiple of 4, odd M.
    { N: 1, C: 37, H: 1, W: 1, OC: 19, kH: 3, kW: 3, stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 },
    { N: 2, C: 10, H: 2, W: 2, OC: 6, kH: 3, kW: 3, stride: [2, 2], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 2 },
    // Taps that only read padding are skipped: kernel rows 2-3 and columns 2-4 of a 5×5 reach the input.
    { N: 2, C: 5, H: 2, W: 3, OC: 9, kH: 5, kW: 5, stride: [2, 2], padding: [2, 2, 2, 2], dilation: [1, 1], groups: 1 },
    { N: 1, C: 6, H: 3, W: 1, OC: 10, kH: 3, kW: 3, stride: [1, 1], padding: [2, 0, 1, 1], dilation: [2, 1], groups: 2 },
  ];
  for (const cs of cases) checkConv(cs, JSON.stringify(cs));
});

test('conv2d forward: large outputs, 1- and 2-row last panels, unpadded stride-1 inputs', () => {
  const cases: ConvCase[] = [
    // M = 30 ends in a 2-row panel.
    { N: 5, C: 3, H: 40, W: 40, OC: 30, kH: 3, kW: 3, stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 },
    // 100,000 floats of output per image: computed and copied out 2 images at a time (4 chunks, the last of 1).
    { N: 7, C: 2, H: 50, W: 50, OC: 40, kH: 3, kW: 3, stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 },
    // M = 9 ends in a 1-row panel.
    { N: 2, C: 2, H: 130, W: 120, OC: 9, kH: 3, kW: 3, stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 },
    // No padding, stride 1, dilation 2, groups: the input is used as laid out.
    { N: 4, C: 4, H: 11, W: 13, OC: 6, kH: 3, kW: 2, stride: [1, 1], padding: [0, 0, 0, 0], dilation: [2, 2], groups: 2 },
    { N: 64, C: 1, H: 28, W: 28, OC: 6, kH: 5, kW: 5, stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 },
    // Many taps (packed path): tiles across rows (7 × 7), and within rows.
    { N: 1, C: 64, H: 7, W: 7, OC: 20, kH: 3, kW: 3, stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 },
    { N: 2, C: 120, H: 12, W: 20, OC: 10, kH: 3, kW: 3, stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 },
  ];
  for (const cs of cases) {
    const x = rand([cs.N, cs.C, cs.H, cs.W]);
    const w = rand([cs.OC, cs.C / cs.groups, cs.kH, cs.kW]);
    const b = rand([cs.OC]);
    const info = conv2dInfo('test', x, w, { stride: cs.stride, padding: cs.padding, dilation: cs.dilation, groups: cs.groups });
    const y = kernel('Conv2D')(x, w, b, info);
    assertClose(y, ref(() => kernel('Conv2D')(x, w, b, info)), tol((cs.C / cs.groups) * cs.kH * cs.kW), `Conv2D ${JSON.stringify(cs)}`);
  }
});

test('conv2d forward with 5 to 8 output channels (the direct kernel) equals the GEMM bit for bit and the reference within tolerance', () => {
  // A layer with 12 output channels takes the GEMM (full 4-row panels); its first OC
  // channels use the same weights, so they are the same sums in the same order.
  let n = 0;
  for (const OC of [5, 6, 7, 8]) {
    for (const [C, H, W, k, pad, dil] of [[1, 28, 28, 5, 0, 1], [3, 9, 13, 3, 1, 1], [2, 12, 30, 3, 2, 2], [1, 6, 7, 3, 0, 1], [4, 10, 24, 1, 0, 1], [1, 20, 40, 5, 2, 1]]) {
      const x = rand([2, C, H, W]);
      const wide = rand([12, C, k, k]);
      const bias = rand([12]);
      const w = new Tensor(wide.data.slice(0, OC * C * k * k), [OC, C, k, k]);
      const b = new Tensor(bias.data.slice(0, OC), [OC]);
      const info = conv2dInfo('test', x, w, { padding: pad, dilation: dil });
      const y = kernel('Conv2D')(x, w, b, info);
      const yw = kernel('Conv2D')(x, wide, bias, conv2dInfo('test', x, wide, { padding: pad, dilation: dil }));
      const plane = info.outH * info.outW;
      for (let i = 0; i < 2; i++) {
        const got = y.data.subarray(i * OC * plane, (i + 1) * OC * plane);
        const want = yw.data.subarray(i * 12 * plane, (i * 12 + OC) * plane);
        assert.deepEqual(got, want, `OC ${OC}, C ${C}, ${H}x${W}, k ${k}, pad ${pad}, dilation ${dil}: image ${i}`);
      }
      assertClose(y, ref(() => kernel('Conv2D')(x, w, b, info)), tol(C * k * k), `OC ${OC} C ${C} ${H}x${W} k ${k}`);
      assertClose(kernel('Conv2D')(x, w, null, info), ref(() => kernel('Conv2D')(x, w, null, info)), tol(C * k * k), `OC ${OC} without bias`);
      n++;
    }
  }
  assert.equal(n, 24);
});

test('matmul matches the reference with transA/transB, odd sizes and batches', () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      // M < 8 with transB is the row-dot kernel (every row count, K and N off multiples of 4);
      // K > 384 without transB runs the reduction in chunks (K = 515: 3 chunks, 1000: 4).
      for (const [B, M, K, N] of [[1, 1, 1, 1], [1, 5, 7, 9], [3, 13, 17, 8], [2, 64, 33, 19], [1, 4, 400, 120], [2, 1, 515, 1001], [1, 2, 3, 5], [3, 3, 8, 4], [1, 6, 129, 7], [1, 7, 64, 64], [2, 24, 1000, 43]]) {
        const a = rand(transA ? [B, K, M] : [B, M, K]);
        const b = rand(transB ? [B, N, K] : [B, K, N]);
        const attrs = { transA, transB };
        assertClose(kernel('MatMul')(a, b, attrs), ref(() => kernel('MatMul')(a, b, attrs)), tol(K), `MatMul ${JSON.stringify({ transA, transB, B, M, K, N })}`);
      }
    }
  }
});

function poolInfo(N: number, C: number, H: number, W: number, k: [number, number], s: [number, number], pad: [number, number], dil: [number, number], ceil: boolean, countIncludePad: boolean): Pool2DInfo {
  const padH = H + 2 * pad[0];
  const padW = W + 2 * pad[1];
  const size = (n: number, kk: number, ss: number, p: number, d: number) => {
    const span = n - d * (kk - 1) - 1;
    let o = (ceil ? Math.ceil(span / ss) : Math.floor(span / ss)) + 1;
    if (ceil && (o - 1) * ss >= n - p) o--;
    return o;
  };
  return {
    batch: N, channels: C, inH: H, inW: W, outH: size(padH, k[0], s[0], pad[0], dil[0]), outW: size(padW, k[1], s[1], pad[1], dil[1]),
    kH: k[0], kW: k[1], strideH: s[0], strideW: s[1], padTop: pad[0], padLeft: pad[1], dilationH: dil[0], dilationW: dil[1],
    countIncludePad, padH, padW,
  };
}

test('pooling kernels match the reference (max with argmax, avg with and without padding counted, ceil mode)', () => {
  for (const [k, s, pad, dil] of [
    [[2, 2], [2, 2], [0, 0], [1, 1]], [[3, 3], [2, 2], [1, 1], [1, 1]], [[3, 2], [1, 2], [1, 0], [1, 1]], [[2, 2], [1, 1], [0, 1], [2, 1]],
  ] as [number, number][][]) {
    for (const ceil of [false, true]) {
      for (const cip of [false, true]) {
        const [N, C, H, W] = [int(1, 3), int(1, 5), int(5, 11), int(5, 11)];
        const p = poolInfo(N, C, H, W, k as [number, number], s as [number, number], pad as [number, number], dil as [number, number], ceil, cip);
        const what = JSON.stringify(p);
        const x = rand([N, C, H, W]);
        const m = kernel('MaxPool2D')(x, p);
        const m0 = ref(() => kernel('MaxPool2D')(x, p));
        assertClose(m.y, m0.y, { atol: 0, rtol: 0 }, `MaxPool2D ${what}`);
        assert.deepEqual([...m.argmax.data], [...m0.argmax.data], `MaxPool2D argmax ${what}`);
        const dy = rand([...m0.y.shape]);
        assertClose(kernel('MaxPool2DGrad')(dy, m0.argmax, p), ref(() => kernel('MaxPool2DGrad')(dy, m0.argmax, p)), tol(4), `MaxPool2DGrad ${what}`);
        if (dil[0] === 1 && dil[1] === 1) {
          assertClose(kernel('AvgPool2D')(x, p), ref(() => kernel('AvgPool2D')(x, p)), tol(9), `AvgPool2D ${what}`);
          assertClose(kernel('AvgPool2DGrad')(dy, p), ref(() => kernel('AvgPool2DGrad')(dy, p)), tol(9), `AvgPool2DGrad ${what}`);
        }
      }
    }
  }
});

test('float64 inputs fall back to the reference kernels', () => {
  const x = randn([1, 2, 5, 5], { dtype: 'float64', rng });
  const w = randn([3, 2, 3, 3], { dtype: 'float64', rng });
  const info = conv2dInfo('test', x, w, { padding: 1 });
  const y = kernel('Conv2D')(x, w, null, info);
  assert.equal(y.dtype, 'float64');
  assert.deepEqual([...y.data], [...ref(() => kernel('Conv2D')(x, w, null, info)).data]);
});

test('1, 2 and 3 threads give bit-identical results', async () => {
  const x = rand([4, 8, 20, 18]);
  const w = rand([12, 4, 3, 3]);
  const b = rand([12]);
  const info = conv2dInfo('test', x, w, { padding: 1, stride: [1, 2], groups: 2 });
  const dy = rand([4, 12, info.outH, info.outW]);
  const a = rand([3, 70, 500]);
  const bm = rand([3, 500, 90]); // K = 500: a reduction run in 2 chunks
  // Batch-norm statistics over 2.4M values (enough to wake the pool).
  const xb = rand([16, 12, 110, 110]);
  const xb2 = rand([16, 12, 110, 110]);
  const cb = rand([12]);
  // A linear layer at batch 3 (the row-dot kernel).
  const xr = rand([2, 3, 301]);
  const wr = rand([2, 203, 301]);
  // A layer whose last panel has 2 rows.
  const x2 = rand([5, 3, 40, 40]);
  const w2 = rand([30, 3, 3, 3]);
  const b2 = rand([30]);
  const info2 = conv2dInfo('test', x2, w2, { padding: 1 });
  // LeNet-5's first layer (the direct kernel for 5-8 output channels).
  const x3 = rand([16, 1, 28, 28]);
  const w3 = rand([6, 1, 5, 5]);
  const b3 = rand([6]);
  const info3 = conv2dInfo('test', x3, w3, { padding: 2 });
  // 100,000 floats of output per image, computed 2 images at a time: each chunk is
  // copied out by the calling thread while the workers compute the next one.
  const x4 = rand([5, 2, 50, 50]);
  const w4 = rand([40, 2, 3, 3]);
  const info4 = conv2dInfo('test', x4, w4, { padding: 1 });
  const run = () => [
    kernel('Conv2D')(x, w, b, info), kernel('Conv2D')(x2, w2, b2, info2), kernel('Conv2D')(x3, w3, b3, info3), kernel('Conv2D')(x4, w4, null, info4), kernel('Conv2DBackpropInput')(dy, w, info), kernel('Conv2DBackpropFilter')(x, dy, info),
    kernel('MatMul')(a, bm, { transA: false, transB: false }), kernel('MatMul')(xr, wr, { transA: false, transB: true }),
    kernel('ChannelMoments')(xb).mean, kernel('ChannelMoments')(xb).variance, kernel('ChannelDots')(xb, xb2, cb).dot,
    kernel('ChannelAffine')(xb, xb2, { scale: cb, vScale: cb, shift: cb }),
    kernel('LocalResponseNorm')(xb, { size: 5, alpha: 1e-4, beta: 0.75, k: 2 }).y,
  ];
  const before = getNumThreads();
  try {
    setNumThreads(1);
    const one = run();
    for (const n of [2, 3]) {
      setNumThreads(n);
      assert.equal(getNumThreads(), n);
      const joined = wasmInfo()!.joinedJobs;
      await untilPoolPosts(`with ${n} threads the kernels`, () => {
        const many = run();
        for (let i = 0; i < one.length; i++) assert.deepEqual(many[i].data, one[i].data, `output ${i} with ${n} threads`);
      });
      await untilWorkersJoin(joined, () => {
        const again = run();
        for (let i = 0; i < one.length; i++) assert.deepEqual(again[i].data, one[i].data, `output ${i} with ${n} threads, again`);
      });
    }
  } finally {
    setNumThreads(before);
  }
});

test('Conv2DBackprop (both gradients from one copy of δ) equals the two gradient kernels, bit for bit', () => {
  const cases: [number[], number[], NonNullable<Parameters<typeof conv2dInfo>[3]>][] = [
    [[4, 3, 12, 12], [16, 3, 3, 3], { padding: 1 }], // few input channels: Z = Wᵀ·δ, then col2im
    [[2, 20, 9, 11], [24, 10, 3, 2], { padding: [1, 0], stride: [2, 1], groups: 2 }], // phase-split input gradient
    [[2, 32, 12, 12], [32, 32, 3, 3], { padding: 1 }], // Winograd for both gradients
  ];
  for (const [xs, wsh, opts] of cases) {
    const x = rand(xs);
    const w = rand(wsh);
    const info = conv2dInfo('test', x, w, opts);
    const dy = rand([xs[0], wsh[0], info.outH, info.outW]);
    const dx = kernel('Conv2DBackpropInput')(dy, w, info);
    const dw = kernel('Conv2DBackpropFilter')(x, dy, info);
    const label = JSON.stringify([xs, wsh, opts]);
    const both = kernel('Conv2DBackprop')(x, w, dy, info, { input: true, filter: true });
    assert.deepEqual(both.dx!.data, dx.data, `input gradient ${label}`);
    assert.deepEqual(both.dw!.data, dw.data, `filter gradient ${label}`);
    const onlyX = kernel('Conv2DBackprop')(x, w, dy, info, { input: true, filter: false });
    const onlyW = kernel('Conv2DBackprop')(x, w, dy, info, { input: false, filter: true });
    assert.equal(onlyX.dw, null);
    assert.equal(onlyW.dx, null);
    assert.deepEqual(onlyX.dx!.data, dx.data, `input gradient alone ${label}`);
    assert.deepEqual(onlyW.dw!.data, dw.data, `filter gradient alone ${label}`);
    const r = ref(() => kernel('Conv2DBackprop')(x, w, dy, info, { input: true, filter: true }));
    assertClose(both.dx!, r.dx!, tol((wsh[0] / (opts.groups ?? 1)) * wsh[2] * wsh[3]));
    assertClose(both.dw!, r.dw!, tol(xs[0] * info.outH * info.outW));
  }
});

test('packed weights are refreshed when the weight changes in place', () => {
  const x = rand([1, 3, 6, 6]);
  const w = rand([4, 3, 3, 3]);
  const info = conv2dInfo('test', x, w, {});
  const y1 = kernel('Conv2D')(x, w, null, info);
  w.data[0] += 1;
  w.markModified();
  const y2 = kernel('Conv2D')(x, w, null, info);
  assert.notDeepEqual(y1.data, y2.data);
  assertClose(y2, ref(() => kernel('Conv2D')(x, w, null, info)), tol(27));
});

test('a linear layer keeps its weight in the heap across calls (through a fresh view each time) and refreshes it when the weight changes', () => {
  for (const rows of [2, 16]) { // the row-dot path (< 8 rows) and the GEMM path
    const x = rand([rows, 12]);
    const w = rand([5, 12]);
    const y1 = linear(x, w);
    assertClose(y1, ref(() => linear(x, w)), tol(12), `rows ${rows}`);
    // Changed without markModified: the cached copy is used, so the result is unchanged;
    // this is how the test sees that the weight was not copied in again.
    w.data[0] += 1;
    assert.deepEqual(linear(x, w).data, y1.data, `rows ${rows}: cached weight`);
    w.markModified();
    const y2 = linear(x, w);
    assert.notDeepEqual(y2.data, y1.data);
    assertClose(y2, ref(() => linear(x, w)), tol(12), `rows ${rows}: refreshed`);
    // The input gradient reads the same weight (x·W, not x·Wᵀ): also refreshed.
    const g = rand([rows, 5]);
    assertClose(kernel('MatMul')(g.viewAs([1, rows, 5]), w.viewAs([1, 5, 12]), { transA: false, transB: false, weightB: true }),
      ref(() => kernel('MatMul')(g.viewAs([1, rows, 5]), w.viewAs([1, 5, 12]), { transA: false, transB: false })), tol(5), `rows ${rows}: x·W`);
  }
});

test('gradients through conv2d on the wasm backend match the reference backend', () => {
  const x0 = rand([2, 4, 9, 8]);
  const w0 = rand([6, 2, 3, 3]);
  const b0 = rand([6]);
  const r = rand([2, 6, 5, 3]);
  const grads = (backend: string) =>
    withBackend(backend, () => {
      const x = new Tensor(x0.data.slice(), x0.shape, true);
      const w = new Tensor(w0.data.slice(), w0.shape, true);
      const b = new Tensor(b0.data.slice(), b0.shape, true);
      const y = conv2d(x, w, { bias: b, stride: 2, padding: [1, 2, 0, 1], dilation: [1, 2], groups: 2 });
      backward(y, r);
      return [y, x.grad!, w.grad!, b.grad!];
    });
  const got = grads('wasm');
  const want = grads('reference');
  const names = ['y', 'dx', 'dw', 'db'];
  for (let i = 0; i < 4; i++) assertClose(got[i], want[i], tol(2 * 5 * 4), `conv2d ${names[i]}`);
});

test('elementwise and sum kernels (relu, step, add/sub/mul/div and the relu gradient with broadcasting, sum over axes) equal the reference bit for bit', () => {
  const shapes: [number[], number[]][] = [
    [[2, 3, 4, 5], [2, 3, 4, 5]], [[2, 3, 4, 5], [1, 3, 1, 1]], [[1, 3, 1, 1], [2, 3, 4, 5]], [[7, 9], [9]], [[7, 1], [1, 9]],
    [[2, 3, 4, 5], [1]], [[1], [6, 5]], [[4, 1, 3], [2, 1]], [[1, 1], [1, 1]], [[3, 1, 5], [3, 4, 1]],
    // Five axes that do not merge: the JavaScript loops.
    [[2, 1, 3, 1, 2], [1, 2, 1, 2, 1]],
  ];
  for (const [sa, sb] of shapes) {
    const a = rand(sa);
    const b = rand(sb);
    const out = sa.length >= sb.length ? sa.map((d, i) => Math.max(d, sb[i - (sa.length - sb.length)] ?? 1)) : sb.map((d, i) => Math.max(d, sa[i - (sb.length - sa.length)] ?? 1));
    for (const op of ['add', 'sub', 'mul', 'div', 'reluGrad'] as const) {
      const got = kernel('Binary')(a, b, { op, outShape: out });
      const want = ref(() => kernel('Binary')(a, b, { op, outShape: out }));
      assert.deepEqual([...got.shape], [...want.shape]);
      assert.deepEqual(got.data, want.data, `Binary ${op} ${JSON.stringify([sa, sb])}`);
    }
  }
  for (const shape of [[2, 3, 4, 5], [64, 10], [1, 7, 1, 3]]) {
    const x = rand(shape);
    for (const op of ['relu', 'step'] as const) assert.deepEqual(kernel('Unary')(x, { op }).data, ref(() => kernel('Unary')(x, { op })).data, `Unary ${op}`);
    const nAxes = shape.length;
    for (let mask = 0; mask < 1 << nAxes; mask++) {
      const axes = [...Array(nAxes).keys()].filter((i) => mask & (1 << i));
      const got = kernel('Reduce')(x, { op: 'sum', axes });
      const want = ref(() => kernel('Reduce')(x, { op: 'sum', axes }));
      assert.deepEqual([...got.shape], [...want.shape]);
      assert.deepEqual(got.data, want.data, `Reduce sum ${JSON.stringify({ shape, axes })}`);
    }
  }
});

test('batch-norm channel kernels (moments, dots, affine) match the reference; batchNorm forward and backward match in both modes', () => {
  for (const shape of [[4, 3, 5, 7], [2, 16, 9, 9], [8, 5], [1, 6, 3], [3, 2, 1, 1]]) {
    const C = shape[1];
    const x = rand(shape);
    const dy = rand(shape);
    const center = rand([C]);
    const L = x.size / C;
    const m = kernel('ChannelMoments')(x);
    const m0 = ref(() => kernel('ChannelMoments')(x));
    assertClose(m.mean, m0.mean, tol(1), `ChannelMoments mean ${shape}`);
    assertClose(m.variance, m0.variance, tol(1), `ChannelMoments variance ${shape}`);
    const d = kernel('ChannelDots')(dy, x, center);
    const d0 = ref(() => kernel('ChannelDots')(dy, x, center));
    assertClose(d.sum, d0.sum, tol(L), `ChannelDots sum ${shape}`);
    assertClose(d.dot, d0.dot, tol(L), `ChannelDots dot ${shape}`);
    for (const withV of [false, true]) {
      const attrs = { scale: rand([C]), vScale: withV ? rand([C]) : null, shift: rand([C]) };
      const v = withV ? dy : null;
      assertClose(kernel('ChannelAffine')(x, v, attrs), ref(() => kernel('ChannelAffine')(x, v, attrs)), tol(2), `ChannelAffine ${shape} ${withV}`);
    }
    for (const training of [true, false]) {
      const run = (backend: string) =>
        withBackend(backend, () => {
          const xt = new Tensor(x.data.slice(), x.shape, true);
          const w = new Tensor(center.data.slice(), [C], true);
          const b = new Tensor(center.data.map((t) => t / 2), [C], true);
          const rm = new Tensor(new Float32Array(C).fill(0.1), [C]);
          const rv = new Tensor(new Float32Array(C).fill(1.5), [C]);
          const y = batchNorm(xt, rm, rv, { weight: w, bias: b, training });
          backward(y, dy);
          return [y, xt.grad!, w.grad!, b.grad!, rm, rv];
        });
      const got = run('wasm');
      const want = run('reference');
      ['y', 'dx', 'dweight', 'dbias', 'runningMean', 'runningVar'].forEach((name, i) => assertClose(got[i], want[i], tol(L), `batchNorm ${name} ${shape} training=${training}`));
    }
  }
});

test('local response norm kernels match the reference (β = 0.75 and 0.5 by square roots, other β by pow; plane sizes off multiples of 4)', () => {
  for (const [shape, info] of [
    [[2, 7, 5, 6], { size: 5, alpha: 1e-2, beta: 0.75, k: 2 }],
    [[3, 10, 3, 3], { size: 4, alpha: 0.3, beta: 0.5, k: 1 }],
    [[1, 6, 33, 31], { size: 3, alpha: 0.1, beta: 0.9, k: 1.5 }],
    [[2, 3, 1], { size: 7, alpha: 1, beta: 0.75, k: 0.5 }],
  ] as [number[], { size: number; alpha: number; beta: number; k: number }][]) {
    const x = rand(shape);
    const dy = rand(shape);
    const r = kernel('LocalResponseNorm')(x, info);
    const r0 = ref(() => kernel('LocalResponseNorm')(x, info));
    const what = `${shape} ${JSON.stringify(info)}`;
    assertClose(r.scale, r0.scale, tol(info.size), `LRN scale ${what}`);
    assertClose(r.y, r0.y, tol(info.size), `LRN y ${what}`);
    const dx = kernel('LocalResponseNormGrad')(dy, x, r0.y, r0.scale, info);
    const dx0 = ref(() => kernel('LocalResponseNormGrad')(dy, x, r0.y, r0.scale, info));
    assertClose(dx, dx0, tol(info.size), `LRN grad ${what}`);
  }
});

test('Node 20+ runs the relaxed-SIMD (fused multiply-add) build; RECEPTIVE_RELAXED_SIMD=0 keeps the plain build, with results within the float32 tolerance', () => {
  assert.equal(wasmInfo()!.relaxedSimd, true, 'the runtime enabled relaxed SIMD in V8 and picked the FMA build');
  const code = `
    import { enableWasmBackend, wasmInfo } from './src/backend/wasm/index.ts';
    import { kernel } from './src/backend/index.ts';
    import { randn, RNG } from './src/tensor/index.ts';
    import { conv2dInfo } from './src/ops/conv.ts';
    await enableWasmBackend();
    const rng = new RNG(9);
    const x = randn([2, 5, 12, 12], { rng }), w = randn([7, 5, 3, 3], { rng });
    const y = kernel('Conv2D')(x, w, null, conv2dInfo('t', x, w, { padding: 1 }));
    console.log(JSON.stringify({ relaxed: wasmInfo().relaxedSimd, y: Array.from(y.data) }));
    process.exit(0);`;
  const run = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { relaxed: boolean; y: number[] };
  };
  const fused = run({});
  const plain = run({ RECEPTIVE_RELAXED_SIMD: '0' });
  assert.equal(fused.relaxed, true);
  assert.equal(plain.relaxed, false);
  assert.notDeepEqual(fused.y, plain.y, 'one rounding per multiply-add instead of two');
  assertClose(fused.y, plain.y, tol(45), 'fused against plain multiply-add');
});

test('Node on glibc: result arrays reuse heap pages instead of faulting fresh ones in on every call (RECEPTIVE_MALLOC_TUNE=0 turns it off)', (t) => {
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  if (process.platform !== 'linux' || !glibc || /mmap_threshold|trim_threshold/.test(process.env.GLIBC_TUNABLES ?? '')) {
    t.skip('glibc malloc with its default, dynamic thresholds only');
    return;
  }
  // 300 convolutions of case (a) of the benchmark: a 884 KB result each.
  const code = `
    import { enableWasmBackend, setNumThreads } from './src/backend/wasm/index.ts';
    import { kernel } from './src/backend/index.ts';
    import { randn, RNG } from './src/tensor/index.ts';
    import { conv2dInfo } from './src/ops/conv.ts';
    await enableWasmBackend();
    setNumThreads(1);
    const rng = new RNG(3);
    const x = randn([64, 1, 28, 28], { rng }), w = randn([6, 1, 5, 5], { rng });
    const info = conv2dInfo('t', x, w, {});
    let sum = 0;
    for (let i = 0; i < 30; i++) sum += kernel('Conv2D')(x, w, null, info).data[i];
    const f0 = process.resourceUsage().minorPageFault;
    for (let i = 0; i < 300; i++) sum += kernel('Conv2D')(x, w, null, info).data[i];
    console.log(JSON.stringify({ perCall: (process.resourceUsage().minorPageFault - f0) / 300, sum }));
    process.exit(0);`;
  const run = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { perCall: number; sum: number };
  };
  const tuned = run({});
  const plain = run({ RECEPTIVE_MALLOC_TUNE: '0' });
  assert.equal(tuned.sum, plain.sum, 'same results either way');
  // 216 pages per result; measured: ~225 faults per call untuned, ~20 tuned.
  assert.ok(tuned.perCall < 60, `minor page faults per call with the thresholds raised: ${tuned.perCall}`);
  // Untuned, every result page is faulted in on this kind of machine; how often glibc
  // trims depends on when V8 collects, so that side is reported, not asserted.
  t.diagnostic(`minor page faults per call: ${tuned.perCall} tuned, ${plain.perCall} with RECEPTIVE_MALLOC_TUNE=0`);
});
