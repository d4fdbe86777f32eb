import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randn, RNG } from '../../src/tensor/index.js';
import { kernel, setBackend, withBackend } from '../../src/backend/index.js';
import { enableWasmBackend, getNumThreads, setNumThreads, wasmInfo } from '../../src/backend/wasm/index.js';
import { useRows } from '../../src/backend/wasm/conv-rows.js';
import { conv2dInfo } from '../../src/ops/conv.js';
import { assertClose, untilWorkersJoin } from '../helpers.js';

/*
 * The batched path for convolutions with few output points per image
 * (src/backend/wasm/conv-rows.ts): forward, input and filter gradients against the
 * reference kernels, with the tolerance of test/backend/wasm.test.ts (2e-6 per term
 * of the reduction behind an output), and bit-identical results on 1 and 2 threads.
 */

const rng = new RNG(77);
const rand = (shape: number[]) => randn(shape, { dtype: 'float32', rng });
const tol = (L: number) => ({ atol: 2e-6 * L + 1e-6, rtol: 1e-5 });

before(async () => {
  assert.equal(await enableWasmBackend(), true);
});
after(async () => {
  await setBackend('reference');
});

interface Case { N: number; C: number; H: number; W: number; OC: number; k: [number, number]; stride: number; padding: number | [number, number, number, number]; dilation?: number; bias: boolean }

const CASES: Case[] = [
  // ResNet-18's last stage on 32×32 images: a 1×1 map, only the centre tap reads it.
  { N: 8, C: 64, H: 1, W: 1, OC: 48, k: [3, 3], stride: 1, padding: 1, bias: false },
  { N: 8, C: 32, H: 2, W: 2, OC: 40, k: [3, 3], stride: 2, padding: 1, bias: true },
  { N: 8, C: 32, H: 2, W: 2, OC: 36, k: [3, 3], stride: 1, padding: 1, bias: false },
  { N: 6, C: 24, H: 4, W: 4, OC: 20, k: [3, 3], stride: 2, padding: 1, bias: true },
  // 4×4 outputs of a stride-2 layer (Winograd does not take it) and its 1×1 projection.
  { N: 4, C: 16, H: 8, W: 8, OC: 22, k: [3, 3], stride: 2, padding: 1, bias: false },
  { N: 4, C: 16, H: 8, W: 8, OC: 22, k: [1, 1], stride: 2, padding: 0, bias: true },
  // Batch 1, odd sizes, a non-square kernel, uneven padding and dilation.
  { N: 1, C: 13, H: 3, W: 2, OC: 7, k: [2, 3], stride: 1, padding: [1, 0, 2, 1], bias: true },
  { N: 3, C: 9, H: 5, W: 5, OC: 5, k: [3, 3], stride: 3, padding: 2, dilation: 2, bias: false },
  // One live tap that is not the centre: a 1×1 map read by tap (0, 0) only.
  { N: 5, C: 11, H: 1, W: 1, OC: 6, k: [3, 3], stride: 1, padding: [0, 2, 0, 2], bias: false },
];

function setup(cs: Case) {
  const x = rand([cs.N, cs.C, cs.H, cs.W]);
  const w = rand([cs.OC, cs.C, cs.k[0], cs.k[1]]);
  const b = cs.bias ? rand([cs.OC]) : null;
  const info = conv2dInfo('test', x, w, { stride: cs.stride, padding: cs.padding, dilation: cs.dilation ?? 1 });
  const dy = rand([cs.N, cs.OC, info.outH, info.outW]);
  return { x, w, b, info, dy };
}

test('few-point convolutions (the batched path) match the reference: forward, input and filter gradients', () => {
  for (const cs of CASES) {
    const { x, w, b, info, dy } = setup(cs);
    const what = JSON.stringify(cs);
    assert.ok(useRows(info, false), `${what} takes the batched path`);
    const kk = cs.k[0] * cs.k[1];
    assertClose(kernel('Conv2D')(x, w, b, info), withBackend('reference', () => kernel('Conv2D')(x, w, b, info)), tol(cs.C * kk), `Conv2D ${what}`);
    const both = kernel('Conv2DBackprop')(x, w, dy, info, { input: true, filter: true });
    const dx0 = withBackend('reference', () => kernel('Conv2DBackpropInput')(dy, w, info));
    const dw0 = withBackend('reference', () => kernel('Conv2DBackpropFilter')(x, dy, info));
    assertClose(both.dx!, dx0, tol(cs.OC * kk), `dx ${what}`);
    assertClose(both.dw!, dw0, tol(cs.N * info.outH * info.outW), `dW ${what}`);
    // The filter gradient of taps that only read padding is exactly zero, as in the reference.
    for (let i = 0; i < dw0.size; i++) if (dw0.data[i] === 0) assert.equal(Math.abs(both.dw!.data[i]), 0, `dW[${i}] ${what}`);
  }
});

test('the batched path gives the same bits on 1 and 2 threads', async () => {
  // Batch 64 at 512 channels: enough work to wake the pool for every kernel of the path.
  const cs: Case = { N: 64, C: 128, H: 2, W: 2, OC: 256, k: [3, 3], stride: 2, padding: 1, bias: true };
  const { x, w, b, info, dy } = setup(cs);
  const run = () => {
    const g = kernel('Conv2DBackprop')(x, w, dy, info, { input: true, filter: true });
    return [kernel('Conv2D')(x, w, b, info), g.dx!, g.dw!];
  };
  const before = getNumThreads();
  try {
    setNumThreads(1);
    const one = run();
    setNumThreads(2);
    await new Promise((r) => setTimeout(r, 100));
    const joined = wasmInfo()!.joinedJobs;
    await untilWorkersJoin(joined, () => {
      const two = run();
      for (let i = 0; i < one.length; i++) assert.deepEqual(two[i].data, one[i].data, `output ${i} on 2 threads`);
    });
  } finally {
    setNumThreads(before);
  }
});
