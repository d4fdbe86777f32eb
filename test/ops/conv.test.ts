import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, randn, RNG, Tensor, ShapeError, ArgumentError, DTypeError } from '../../src/tensor/index.js';
import { conv1d, conv2d, convTranspose2d } from '../../src/ops/conv.js';
import { gradcheck } from '../../src/autograd/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';
import { FILTER1, FILTER1_STRIDE1, IMAGE } from '../fixtures/hung-yi-lee.js';

test("conv2d: Hung-yi Lee's 6x6 image with Filter 1, stride 1", () => {
  const x = tensor([[IMAGE]]);
  const w = tensor([[FILTER1]]);
  const y = conv2d(x, w);
  assert.deepEqual(y.shape, [1, 1, 4, 4]);
  assertClose(y, FILTER1_STRIDE1);
});

test('conv2d gradcheck with stride, padding, dilation and groups', () => {
  const rng = new RNG(7);
  const x = randn([2, 4, 7, 6], { dtype: 'float64', rng, requiresGrad: true });
  const w = randn([6, 2, 3, 2], { dtype: 'float64', rng, requiresGrad: true });
  const b = randn([6], { dtype: 'float64', rng, requiresGrad: true });
  const r = gradcheck((x: Tensor, w: Tensor, b: Tensor) => conv2d(x, w, { bias: b, stride: [2, 1], padding: [1, 0, 2, 1], dilation: [1, 2], groups: 2 }), [x, w, b]);
  assert.ok(r.ok, JSON.stringify(r));
});

/**
 * Convolution straight from the definition, in float64: seven nested loops over
 * batch, output channel, output row and column, and the group's input channels
 * and kernel rows and columns; taps in the zero padding are skipped.
 */
function naiveConv2d(x: Tensor, w: Tensor, b: Tensor | null, s: [number, number], pad: [number, number, number, number], d: [number, number], groups: number): { shape: number[]; data: Float64Array } {
  const [N, C, H, W] = x.shape;
  const [OC, CG, KH, KW] = w.shape;
  let OH = 0;
  while (OH * s[0] + d[0] * (KH - 1) <= H + pad[0] + pad[1] - 1) OH++;
  let OW = 0;
  while (OW * s[1] + d[1] * (KW - 1) <= W + pad[2] + pad[3] - 1) OW++;
  const out = new Float64Array(N * OC * OH * OW);
  const perGroup = OC / groups;
  let q = 0;
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < OC; oc++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let acc = b ? b.data[oc] : 0;
          for (let cg = 0; cg < CG; cg++) {
            const ic = Math.floor(oc / perGroup) * CG + cg;
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * s[0] - pad[0] + kh * d[0];
                const iw = ow * s[1] - pad[2] + kw * d[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += x.data[((n * C + ic) * H + ih) * W + iw] * w.data[((oc * CG + cg) * KH + kh) * KW + kw];
              }
          }
          out[q++] = acc;
        }
  return { shape: [N, OC, OH, OW], data: out };
}

test('conv2d matches the definition on random strides, asymmetric paddings, dilations, groups and depthwise (float32)', () => {
  const rng = new RNG(21);
  for (let trial = 0; trial < 40; trial++) {
    const groups = [1, 1, 2, 3][rng.int(0, 4)];
    const depthwise = trial % 5 === 4;
    const cg = depthwise ? 1 : rng.int(1, 4);
    const C = depthwise ? rng.int(2, 6) : groups * cg;
    const g = depthwise ? C : groups;
    const OC = g * rng.int(1, 3);
    const k: [number, number] = [rng.int(1, 5), rng.int(1, 5)];
    const s: [number, number] = [rng.int(1, 4), rng.int(1, 4)];
    const d: [number, number] = [rng.int(1, 3), rng.int(1, 3)];
    const pad: [number, number, number, number] = [rng.int(0, 3), rng.int(0, 3), rng.int(0, 3), rng.int(0, 3)];
    const H = rng.int(d[0] * (k[0] - 1) + 1, 13);
    const W = rng.int(d[1] * (k[1] - 1) + 1, 13);
    // float32 operands; the oracle gets the very same (rounded) values in float64.
    const x = randn([2, C, H, W], { rng });
    const w = randn([OC, C / g, k[0], k[1]], { rng });
    const b = randn([OC], { rng });
    const ref = naiveConv2d(x, w, b, s, pad, d, g);
    const y = conv2d(x, w, { bias: b, stride: s, padding: pad, dilation: d, groups: g });
    const what = JSON.stringify({ C, OC, g, k, s, d, pad, H, W });
    assert.deepEqual(y.shape, ref.shape, what);
    // At most 3·4·4 + 1 float32 terms per output (|term| ≲ 10): float32 rounding stays well under atol 1e-5 + rtol 1.3e-6.
    assertClose(y, ref.data, { atol: 1e-5, rtol: 1.3e-6 }, what);
  }
});

test("conv2d 'same' padding keeps ⌈n/s⌉ and gradchecks with stride 2", () => {
  const rng = new RNG(9);
  const x = randn([2, 3, 7, 8], { dtype: 'float64', rng, requiresGrad: true });
  const w = randn([4, 3, 3, 2], { dtype: 'float64', rng, requiresGrad: true });
  const b = randn([4], { dtype: 'float64', rng, requiresGrad: true });
  assert.deepEqual(conv2d(x, w, { padding: 'same', stride: 2 }).shape, [2, 4, 4, 4]);
  assert.deepEqual(conv2d(x, w, { padding: 'same' }).shape, [2, 4, 7, 8]);
  const r = gradcheck((x: Tensor, w: Tensor, b: Tensor) => conv2d(x, w, { bias: b, padding: 'same', stride: 2 }), [x, w, b]);
  assert.ok(r.ok, JSON.stringify(r));
});

test('conv1d equals the definition and gradchecks (stride, padding, dilation, groups, same)', () => {
  // y[t] = Σ_k x[t·s − p + k·d] w[k] on a single channel, by hand: x = 1..6, w = [1, 10], stride 2, padding 1.
  const y = conv1d(tensor([[[1, 2, 3, 4, 5, 6]]]), tensor([[[1, 10]]]), { stride: 2, padding: 1 });
  assertClose(y, [0 + 10 * 1, 2 + 10 * 3, 4 + 10 * 5, 6 + 0], { atol: 0, rtol: 0 });
  const rng = new RNG(10);
  for (const opts of [{ stride: 2, padding: 1, dilation: 2, groups: 2 }, { padding: 'same' as const }, { padding: [2, 0] as [number, number], stride: 3 }]) {
    const x = randn([2, 4, 11], { dtype: 'float64', rng, requiresGrad: true });
    const w = randn([6, (opts as { groups?: number }).groups ? 2 : 4, 3], { dtype: 'float64', rng, requiresGrad: true });
    const b = randn([6], { dtype: 'float64', rng, requiresGrad: true });
    const r = gradcheck((x: Tensor, w: Tensor, b: Tensor) => conv1d(x, w, { ...opts, bias: b }), [x, w, b]);
    assert.ok(r.ok, `${JSON.stringify(opts)}: ${JSON.stringify(r)}`);
  }
});

test('convTranspose2d by hand: stride 2 tiles the kernel scaled by each input value', () => {
  const y = convTranspose2d(tensor([[[[1, 2], [3, 4]]]]), tensor([[[[1, 10], [100, 1000]]]]), { stride: 2 });
  assert.deepEqual(y.toArray(), [[[
    [1, 10, 2, 20],
    [100, 1000, 200, 2000],
    [3, 30, 4, 40],
    [300, 3000, 400, 4000],
  ]]]);
});

test('convTranspose2d is the input gradient of the matching conv2d, with out = (in − 1)·s − 2p + d·(k − 1) + outputPadding + 1', () => {
  const rng = new RNG(13);
  const configs = [
    { stride: 1, padding: 0, outputPadding: 0, dilation: 1, groups: 1 },
    { stride: 2, padding: 1, outputPadding: 1, dilation: 1, groups: 1 },
    { stride: [3, 2] as [number, number], padding: [1, 0] as [number, number], outputPadding: [2, 1] as [number, number], dilation: [2, 1] as [number, number], groups: 2 },
    { stride: 2, padding: 2, outputPadding: 0, dilation: 3, groups: 3 },
  ];
  for (const opts of configs) {
    const p2 = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);
    const [s, p, op, d] = [p2(opts.stride), p2(opts.padding), p2(opts.outputPadding), p2(opts.dilation)];
    const [N, C, H, W, OCG, KH, KW] = [2, 6, 4, 5, 2, 3, 2];
    const x = randn([N, C, H, W], { dtype: 'float64', rng });
    const w = randn([C, OCG, KH, KW], { dtype: 'float64', rng });
    const y = convTranspose2d(x, w, opts);
    const outH = (H - 1) * s[0] - 2 * p[0] + d[0] * (KH - 1) + op[0] + 1;
    const outW = (W - 1) * s[1] - 2 * p[1] + d[1] * (KW - 1) + op[1] + 1;
    assert.deepEqual(y.shape, [N, OCG * opts.groups, outH, outW], JSON.stringify(opts));
    // The conv2d from [N, OC, outH, outW] back to [N, C, H, W]; its input gradient for δ = x is convTranspose2d(x).
    const z = tensor(new Float64Array(N * OCG * opts.groups * outH * outW), { shape: y.shape, requiresGrad: true });
    const back = conv2d(z, w, { stride: s, padding: p, dilation: d, groups: opts.groups });
    assert.deepEqual(back.shape, x.shape, JSON.stringify(opts));
    back.backward(x);
    assertClose(y, z.grad!, { atol: 1e-12, rtol: 1e-12 }, JSON.stringify(opts));
  }
});

test('gradcheck: convTranspose2d with stride, padding, outputPadding, dilation, groups and bias', () => {
  const rng = new RNG(14);
  const configs = [
    { stride: 2, padding: 1, outputPadding: 1 },
    { stride: [2, 3] as [number, number], padding: [0, 1] as [number, number], outputPadding: [1, 2] as [number, number], dilation: 2, groups: 2 },
    { stride: 1, dilation: [2, 1] as [number, number], outputPadding: [1, 0] as [number, number], groups: 4 }, // outputPadding < dilation
  ];
  for (const opts of configs) {
    const x = randn([2, 4, 3, 4], { dtype: 'float64', rng, requiresGrad: true });
    const w = randn([4, 2, 3, 2], { dtype: 'float64', rng, requiresGrad: true });
    const b = randn([2 * (opts.groups ?? 1)], { dtype: 'float64', rng, requiresGrad: true });
    const r = gradcheck((x: Tensor, w: Tensor, b: Tensor) => convTranspose2d(x, w, { ...opts, bias: b }), [x, w, b]);
    assert.ok(r.ok, `${JSON.stringify(opts)}: ${JSON.stringify(r)}`);
  }
});

test('conv2d backward is deterministic: the same backward twice gives bit-identical gradients', () => {
  const rng = new RNG(15);
  const x = randn([2, 4, 9, 9], { rng, requiresGrad: true });
  const w = randn([6, 2, 3, 3], { rng, requiresGrad: true });
  const dy = randn([2, 6, 5, 5], { rng });
  const run = (): Float32Array[] => {
    x.grad = null;
    w.grad = null;
    conv2d(x, w, { stride: 2, padding: 1, groups: 2 }).backward(dy);
    return [Float32Array.from(x.grad!.data), Float32Array.from(w.grad!.data)];
  };
  assert.deepEqual(run(), run());
});

test('conv errors name the op, the expected shape and the shape received', () => {
  const w = randn([4, 2, 3, 3]);
  assertThrowsWith(() => conv2d(randn([1, 3, 8, 8]), w), ShapeError, 'conv2d: expected input [N, 2, H, W]', 'got [1, 3, 8, 8]');
  assertThrowsWith(() => conv2d(randn([3, 8, 8]), w), ShapeError, 'conv2d: expected input [N, C, H, W], got [3, 8, 8]');
  assertThrowsWith(() => conv2d(randn([1, 2, 8, 8]), randn([4, 2, 3])), ShapeError, 'conv2d: expected weight [outChannels, inChannels/groups, kH, kW], got [4, 2, 3]');
  assertThrowsWith(() => conv2d(randn([1, 2, 4, 4]), randn([1, 2, 5, 5])), ShapeError, 'conv2d', 'dilated kernel 5x5', 'got [1, 2, 4, 4]', 'padded input is 4x4');
  assertThrowsWith(() => conv2d(randn([1, 2, 4, 4]), randn([1, 2, 3, 3]), { dilation: 2 }), ShapeError, 'dilated kernel 5x5', 'padded input is 4x4');
  assert.deepEqual(conv2d(randn([1, 2, 4, 4]), randn([1, 2, 5, 5]), { padding: 1 }).shape, [1, 1, 2, 2]);
  assertThrowsWith(() => conv2d(randn([1, 2, 8, 8]), w, { stride: 0 }), ArgumentError, 'conv2d: stride must be an integer >= 1, got 0');
  assertThrowsWith(() => conv2d(randn([1, 2, 8, 8]), w, { stride: [1, -2] }), ArgumentError, 'conv2d: stride[1] must be an integer >= 1, got -2');
  assertThrowsWith(() => conv2d(randn([1, 2, 8, 8]), w, { padding: 'full' as 'same' }), ArgumentError, `conv2d: padding must be 'valid', 'same'`, 'got "full"');
  assertThrowsWith(() => conv2d(randn([1, 2, 8, 8]), w, { padding: [1, -1, 0, 0] }), ArgumentError, 'padding must hold non-negative integers');
  assertThrowsWith(() => conv2d(randn([1, 4, 8, 8]), randn([6, 1, 3, 3]), { groups: 3 }), ArgumentError, 'conv2d: groups=3 must divide both input channels (4) and output channels (6)');
  assertThrowsWith(() => conv2d(randn([1, 4, 8, 8]), randn([6, 2, 3, 3]), { groups: 0 }), ArgumentError, 'groups must be an integer >= 1, got 0');
  assertThrowsWith(() => conv2d(tensor([[[[1, 2], [3, 4]]]], { dtype: 'int32' }), randn([1, 1, 1, 1])), DTypeError, 'conv2d: expected dtype float32 or float64 input, got int32');
  assertThrowsWith(() => conv2d(randn([1, 2, 8, 8]), randn([4, 2, 3, 3], { dtype: 'float64' })), DTypeError, 'conv2d', 'float64');
  assertThrowsWith(() => conv2d(randn([1, 2, 8, 8]), w, { bias: randn([3]) }), ShapeError, 'conv2d: expected bias [4], got [3]');
  assertThrowsWith(() => conv1d(randn([1, 2, 8, 8]), randn([4, 2, 3])), ShapeError, 'conv1d: expected input [N, C, L], got [1, 2, 8, 8]');
  assertThrowsWith(() => convTranspose2d(randn([1, 3, 4, 4]), randn([2, 2, 3, 3])), ShapeError, 'convTranspose2d: expected input [N, 2, H, W]', 'got [1, 3, 4, 4]');
  assertThrowsWith(() => convTranspose2d(randn([1, 2, 4, 4]), randn([2, 2, 3, 3]), { stride: 2, outputPadding: 2 }), ArgumentError, 'convTranspose2d: outputPadding [2, 2] must be smaller than stride or dilation');
});
