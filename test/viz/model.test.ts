import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, randn, rand, RNG, ArgumentError, ShapeError } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { Module, Sequential, Conv2d, ReLU, MaxPool2d, Flatten, Linear, GlobalAvgPool2d } from '../../src/nn/index.js';
import { conv2d, maxPool2d, maxPool2dWithIndices, mul } from '../../src/ops/index.js';
import { maxUnpool2d } from '../../src/ops/unpool.js';
import { LeNet5 } from '../../src/models/index.js';
import { featureMaps, kernelImages, featureMapGrid } from '../../src/viz/inspect.js';
import { saliency, gradCam, occlusion } from '../../src/viz/attribution.js';
import { deconvnet, guidedBackprop } from '../../src/viz/deconv.js';
import { assertClose } from '../helpers.js';

const lenet = () => new LeNet5({ rng: new RNG(7) });
const digit = () => rand([1, 1, 28, 28], { rng: new RNG(8) });

test('featureMaps: the outputs of the chosen layers, equal to computing them directly', () => {
  const m = lenet();
  const x = digit();
  const maps = featureMaps(m, x, { layers: ['features.0', 'features.2', 'classifier'] });
  const c1 = m.features.children()[0] as Conv2d;
  const direct = conv2d(x, c1.weight, { bias: c1.bias, padding: 2 });
  assertClose(maps['features.0'].data, direct.data);
  assertClose(maps['features.2'].data, maxPool2d(direct.relu(), { kernelSize: 2 }).data);
  assert.deepEqual(maps.classifier.shape, [1, 10]);
  assert.throws(() => featureMaps(m, x, { layers: ['features.9'] }), (e: Error) => e instanceof ArgumentError && /no module at path "features.9"; valid paths: .*features\.0, features\.1/.test(e.message));
  // The hooks are removed afterwards and the model's mode is restored.
  m.train();
  featureMaps(m, x, { layers: ['features.0'] });
  assert.equal(m.training, true);
  assert.deepEqual(featureMapGrid(maps['features.0']).shape[0], 3);
});

test('kernelImages: grey kernels as a diverging grid, RGB first-layer kernels as colour pictures', () => {
  const g = kernelImages(lenet().features.children()[0] as Conv2d, { scale: 4 });
  assert.equal(g.shape[0], 3);
  const w = new Tensor(Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => (i % 12) - 5.5), [2, 3, 2, 2]);
  const rgb = kernelImages(w, { scale: 1 });
  // The first kernel's top-left pixel: r, g, b = w[0,c,0,0] mapped by 0.5 + w / (2 max|w|) onto the white grid at (2, 2).
  const [, H, W] = rgb.shape;
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(rgb.data[c * H * W + 2 * W + 2] - (0.5 + w.data[c * 4] / 11)) < 1e-6);
  assert.throws(() => kernelImages(tensor([1, 2])), ShapeError);
});

test('maxUnpool2d puts each max back where it came from; it is the adjoint of pooling with those switches', () => {
  const x = tensor([[[[1, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 1], [9, 2, 1, 7]]]]);
  const { y, indices } = maxPool2dWithIndices(x, { kernelSize: 2 });
  assert.deepEqual([...y.data], [5, 8, 9, 7]);
  const u = maxUnpool2d(y, indices, { outputSize: [4, 4] });
  assert.deepEqual(u.toArray(), [[[[0, 5, 0, 0], [0, 0, 8, 0], [0, 0, 0, 0], [9, 0, 0, 7]]]]);
  // Gradient check in float64 through the op's backward.
  const x64 = new Tensor(Float64Array.from(randn([2, 3, 6, 6], { rng: new RNG(2) }).data), [2, 3, 6, 6]);
  const sw = maxPool2dWithIndices(x64, { kernelSize: 2 }).indices;
  const r = gradcheck((t) => maxUnpool2d(t, sw, { outputSize: [6, 6] }), [new Tensor(Float64Array.from(randn([2, 3, 3, 3], { rng: new RNG(3) }).data), [2, 3, 3, 3], true)]);
  assert.ok(r.ok, `gradcheck ${r.maxAbsError}`);
  assert.throws(() => maxUnpool2d(y, indices, { outputSize: [1, 1] }), /outside the 1x1 output plane/);
  assert.throws(() => maxUnpool2d(y, y, { outputSize: [4, 4] }), /int32/);
});

test('max pooling is invariant to a shift that keeps the max inside its window, and not to one that crosses windows', () => {
  const blob = (r: number, c: number) => new Tensor(Float32Array.from({ length: 64 }, (_, i) => (Math.floor(i / 8) === r && i % 8 === c ? 1 : 0)), [1, 1, 8, 8]);
  const p = (t: Tensor) => [...maxPool2d(t, { kernelSize: 2 }).data];
  assert.deepEqual(p(blob(2, 2)), p(blob(3, 3)));
  assert.deepEqual(p(blob(2, 2)), p(blob(2, 3)));
  assert.notDeepEqual(p(blob(3, 3)), p(blob(4, 4)));
});

/** conv(1→2, 1x1) → ReLU → global average pool → Linear(2→2): Grad-CAM is CAM, computable by hand. */
function camNet(): Sequential {
  const net = new Sequential(new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 1 }), new ReLU(), new GlobalAvgPool2d(), new Flatten(), new Linear({ inFeatures: 2, outFeatures: 2 }));
  const [conv, , , , fc] = net.children() as [Conv2d, ReLU, GlobalAvgPool2d, Flatten, Linear];
  conv.weight.data.set([1, -1]);
  conv.bias!.data.set([0, 0.5]);
  fc.weight.data.set([2, -3, 0.5, 1]);
  fc.bias!.data.set([0, 0]);
  return net;
}

test('gradCam by hand: ReLU(sum_k alpha_k A_k) with alpha_k = W[t,k] / (h w) for a global-average-pool head', () => {
  const x = tensor([[[[0.2, -1], [0.7, 0.1]]]]);
  const A0 = [0.2, 0, 0.7, 0.1]; // relu(x)
  const A1 = [0.3, 1.5, 0, 0.4]; // relu(-x + 0.5)
  for (const [t, w0, w1] of [[0, 2, -3], [1, 0.5, 1]]) {
    const g = gradCam(camNet(), x, { layer: '1', target: t });
    assertClose(g.cam.data, A0.map((a, i) => Math.max(0, (w0 / 4) * a + (w1 / 4) * A1[i])), { atol: 1e-6 });
    assert.deepEqual(g.upsampled.shape, [2, 2]);
  }
  assert.throws(() => gradCam(camNet(), x, { layer: '1', target: 2 }), /target class 2 is outside \[0, 2\) \(the model has 2 outputs\)/);
  assert.throws(() => gradCam(camNet(), x, { layer: 'body' }), /no module at path "body"; valid paths: "" \(the model\), 0, 1, 2, 3, 4/);
});

test('saliency by hand on a linear model: the gradient is the weight row, gradient x input its product, SmoothGrad the same row', () => {
  const net = new Sequential(new Flatten(), new Linear({ inFeatures: 4, outFeatures: 3, rng: new RNG(1) }));
  const fc = net.children()[1] as Linear;
  const x = tensor([[[[0.5, -1], [2, 0.25]]]]);
  const row = [...fc.weight.data.slice(4, 8)];
  const s = saliency(net, x, { target: 1 });
  assertClose(s.attribution.data, row);
  assertClose(s.map.data, row.map(Math.abs));
  const gx = saliency(net, x, { target: 1, method: 'gradientXInput' });
  assertClose(gx.map.data, row.map((w, i) => w * x.data[i]));
  const sg = saliency(net, x, { target: 1, method: 'smoothGrad', samples: 5, rng: new RNG(4) });
  assertClose(sg.attribution.data, row);
  assert.equal(fc.weight.grad, null, 'parameter gradients are left as they were');
  assert.throws(() => saliency(net, x, { target: -1 }), /target class -1 is outside/);
});

/** A model that can only see the top-left 8x8 quadrant of a 16x16 input. */
class Quadrant extends Module {
  body = new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1, bias: false, rng: new RNG(5) }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
    new Flatten(), new Linear({ inFeatures: 4 * 8 * 8, outFeatures: 3, rng: new RNG(6) }),
  );
  mask = new Tensor(Float32Array.from({ length: 256 }, (_, i) => (Math.floor(i / 16) < 8 && i % 16 < 8 ? 1 : 0)), [1, 1, 16, 16]);
  forward(x: Tensor): Tensor {
    return this.body.call(mul(x, this.mask));
  }
}

const outside = (map: Tensor, size: number, margin = 0): number[] => {
  const [h, w] = map.shape.slice(-2);
  const half = size / 2;
  const out: number[] = [];
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) if ((i * size) / h >= half + margin || (j * size) / w >= half + margin) out.push(map.data[i * w + j]);
  return out;
};

test('a model that sees one quadrant: saliency, Grad-CAM, occlusion and the deconvnet all stay in that quadrant', () => {
  const m = new Quadrant();
  const x = rand([1, 1, 16, 16], { rng: new RNG(9) });
  const s = saliency(m, x, { method: 'gradient' });
  assert.ok(outside(s.map, 16).every((v) => v === 0));
  assert.ok(s.map.data.some((v) => v !== 0));
  // Grad-CAM at the conv layer: no bias and a zero input outside, so A = 0 there (one-pixel margin of the 3x3 kernel).
  const g = gradCam(m, x, { layer: 'body.1' });
  assert.ok(outside(g.cam, 16, 1).every((v) => v === 0));
  const o = occlusion(m, x, { window: 4, stride: 4, fill: 0.5 });
  assert.deepEqual(o.probability.shape, [4, 4]);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
    const p = o.probability.data[i * 4 + j];
    if (i >= 2 || j >= 2) assert.ok(Math.abs(p - o.baseline) < 1e-6, `occluding outside the quadrant changes nothing (${i},${j})`);
  }
  assert.ok([0, 1, 4, 5].some((k) => Math.abs(o.probability.data[k] - o.baseline) > 1e-4));
  const d = deconvnet(m, x, { layer: 'body.2' });
  assert.deepEqual(d.projection.shape, [1, 1, 16, 16]);
  assert.ok(outside(d.projection, 16, 1).every((v) => v === 0));
  assert.ok(d.projection.data.some((v) => v !== 0));
  const gb = guidedBackprop(m, x);
  assert.ok(outside(new Tensor(gb.projection.data, [16, 16]), 16).every((v) => v === 0));
});

test('deconvnet by hand: one conv layer projects its strongest activation as the filter scaled by it', () => {
  const net = new Sequential(new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, bias: false, rng: new RNG(3) }));
  const x = rand([1, 1, 6, 6], { rng: new RNG(4) });
  const d = deconvnet(net, x, { layer: '0', channel: 1 });
  const a = conv2d(x, (net.children()[0] as Conv2d).weight);
  let best = -Infinity;
  let at = 0;
  for (let i = 16; i < 32; i++) if (a.data[i] > best) { best = a.data[i]; at = i - 16; }
  assert.equal(d.position, at);
  const [r, c] = [Math.floor(at / 4), at % 4];
  const w = (net.children()[0] as Conv2d).weight.data.slice(9, 18);
  const expected = new Float32Array(36);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expected[(r + i) * 6 + c + j] = best * w[i * 3 + j];
  assertClose(d.projection.data, expected, { atol: 1e-6 });
  assert.throws(() => deconvnet(net, x, { layer: '0', channel: 2 }), /channel 2 is outside \[0, 2\)/);
});

test('deconvnet through unpooling and transposed filters equals autograd with the deconvnet ReLU rule; guided differs', () => {
  const m = lenet();
  const x = digit();
  for (const layer of ['features.1', 'features.4', 'features.5']) {
    const d = deconvnet(m, x, { layer });
    const a = guidedBackprop(m, x, { layer, rule: 'deconvnet' });
    assert.equal(d.channel, a.channel);
    assertClose(d.projection.data, a.projection.data, { atol: 1e-5, rtol: 1e-4 }, layer);
  }
  const g = guidedBackprop(m, x, { layer: 'features.5' });
  const d = deconvnet(m, x, { layer: 'features.5' });
  assert.notDeepEqual([...g.projection.data], [...d.projection.data]);
  assert.throws(() => deconvnet(m, x, { layer: 'classifier.1' }), /projects through Conv2d, ReLU, MaxPool2d, Dropout and Identity only; met Linear at "classifier.1"/);
});

test('occlusion with a feature layer maps the strongest feature; bad windows are refused', () => {
  const m = lenet();
  const x = digit();
  const o = occlusion(m, x, { window: 7, stride: 7, fill: 0, layer: 'features.2' });
  assert.deepEqual(o.probability.shape, [4, 4]);
  assert.ok(o.feature && o.channel !== undefined);
  // Each map value is the probability of the same model on that occluded image.
  const occ = new Float32Array(x.data);
  for (let i = 7; i < 14; i++) occ.fill(0, i * 28 + 14, i * 28 + 21);
  const p = m.predict(new Tensor(occ, [1, 1, 28, 28])).softmax(-1).data[o.target];
  assert.ok(Math.abs(o.probability.data[1 * 4 + 2] - p) < 1e-6);
  assert.throws(() => occlusion(m, x, { window: 40 }), /window must be an integer in \[1, 28\]/);
});
