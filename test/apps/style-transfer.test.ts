import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, ShapeError, Tensor, randn } from '../../src/tensor/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { Sequential } from '../../src/nn/containers.js';
import { Conv2d } from '../../src/nn/layers/conv.js';
import { ReLU } from '../../src/nn/layers/activation.js';
import { contentLoss, gramMatrix, styleLoss, totalVariation } from '../../src/vision/style-losses.js';
import { FeatureExtractor, styleTransfer } from '../../src/vision/style-transfer.js';
import { randomStyleNetwork } from '../../src/vision/style-networks.js';
import { lineChart } from '../../src/vision/plot.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImage, writePng } from '../../src/data/image-node.js';
import { runStyle, type StyleSettings } from '../../src/cli/style.js';
import { assertThrowsWith } from '../helpers.js';

const f64 = (shape: number[], seed: number, requiresGrad = true) => randn(shape, { dtype: 'float64', rng: new RNG(seed), requiresGrad });
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

test('gramMatrix by hand: two channels of two pixels, divided by C·H·W', () => {
  // F = [[1, 2], [3, 4]] (C = 2, H·W = 2): F·Fᵀ = [[5, 11], [11, 25]], divided by 4.
  const g = gramMatrix(new Tensor(Float64Array.from([1, 2, 3, 4]), [1, 2, 1, 2]));
  assert.deepEqual([...g.shape], [1, 2, 2]);
  assert.deepEqual(Array.from(g.data), [5 / 4, 11 / 4, 11 / 4, 25 / 4]);
});

test('totalVariation by hand: squared differences to the right and downward neighbours over the pixel count', () => {
  // [[0, 1], [3, 5]]: right 1, 2; down 3, 4 → (1 + 4 + 9 + 16) / 4.
  close(totalVariation(new Tensor(Float64Array.from([0, 1, 3, 5]), [1, 1, 2, 2])).data[0], 30 / 4);
});

test('content and style losses by hand: relative squared error to the target', () => {
  const t = new Tensor(Float64Array.from([1, 2, 3, 4]), [1, 1, 2, 2]);
  const x = new Tensor(Float64Array.from([1, 2, 3, 6]), [1, 1, 2, 2]);
  close(contentLoss(x, t).data[0], 4 / 30);
  // One channel: G = Σf²/4; target G 30/4, ours 50/4 → (20/4)² / (30/4)².
  close(styleLoss([x], [gramMatrix(t)]).data[0], (20 / 30) ** 2);
});

test('gradcheck (float64): Gram matrix, content loss, style loss over two layers, total variation', () => {
  const f = f64([2, 3, 4, 5], 1);
  assert.ok(gradcheck((a) => gramMatrix(a), [f]).ok);
  const target = f64([2, 3, 4, 5], 2, false);
  assert.ok(gradcheck((a) => contentLoss(a, target), [f]).ok);
  const f2 = f64([2, 4, 3, 3], 3);
  const grams = [gramMatrix(f64([2, 3, 4, 5], 4, false)), gramMatrix(f64([2, 4, 3, 3], 5, false))];
  const r = gradcheck((a, b) => styleLoss([a, b], grams, [0.3, 0.7]), [f, f2]);
  assert.ok(r.ok, `style loss: worst relative error ${r.maxRelError}`);
  assert.ok(gradcheck((a) => totalVariation(a), [f64([1, 3, 5, 4], 6)]).ok);
});

test('bad input: features that are not [N, C, H, W], targets of another shape, a missing weight', () => {
  assertThrowsWith(() => gramMatrix(f64([3, 4], 1)), ShapeError, 'gramMatrix', '[N, C, H, W]');
  assertThrowsWith(() => contentLoss(f64([1, 2, 3, 3], 1), f64([1, 2, 3, 4], 2)), ShapeError, 'contentLoss');
  assertThrowsWith(() => styleLoss([f64([1, 2, 3, 3], 1)], []), ShapeError, 'styleLoss');
  assertThrowsWith(() => styleLoss([f64([1, 2, 3, 3], 1)], [gramMatrix(f64([1, 2, 3, 3], 2))], [1, 2]), ShapeError, 'one weight per layer');
});

function tinyNet(): Sequential {
  const rng = new RNG(7);
  return new Sequential(new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1, rng }), new ReLU(), new Conv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, rng }), new ReLU());
}

test('FeatureExtractor: layers by module path through hooks; an unknown layer lists the valid ones; the network stops after the last layer needed', () => {
  const net = tinyNet();
  const e = assertThrowsWith(() => new FeatureExtractor(net, ['0', 'conv9']), ArgumentError, 'conv9', 'valid paths', '0, 1, 2, 3');
  assert.match(e.message, /FeatureExtractor/);
  let lastRan = false;
  net.layers[3].registerForwardHook(() => void (lastRan = true));
  const fx = new FeatureExtractor(net, ['0', '1']);
  const out = fx.extract(randn([1, 3, 6, 6], { rng: new RNG(1) }));
  assert.deepEqual(Object.keys(out).sort(), ['0', '1']);
  assert.deepEqual([...out['1'].shape], [1, 4, 6, 6]);
  for (let i = 0; i < out['1'].size; i++) assert.equal(out['1'].data[i], Math.max(0, out['0'].data[i]));
  assert.equal(lastRan, false, 'layer 3 should not run: nothing after layer 1 is needed');
  assert.ok(net.parameters().every((p) => !p.requiresGrad), 'the network is frozen');
});

/** A smooth content image and a striped style image, [3, s, s]. */
function images(s: number, styleSide = s): { content: Tensor; style: Tensor } {
  const content = new Float32Array(3 * s * s), style = new Float32Array(3 * styleSide * styleSide);
  for (let c = 0; c < 3; c++) for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) content[(c * s + y) * s + x] = 0.5 + 0.4 * Math.sin((x + y + 4 * c) / s * 3);
  for (let c = 0; c < 3; c++) for (let y = 0; y < styleSide; y++) for (let x = 0; x < styleSide; x++) style[(c * styleSide + y) * styleSide + x] = ((x + 2 * c) % 4 < 2) !== (y % 6 < 3) ? 0.9 : 0.1;
  return { content: new Tensor(content, [3, s, s]), style: new Tensor(style, [3, styleSide, styleSide]) };
}

for (const optimizer of ['adam', 'lbfgs'] as const) {
  test(`style transfer (${optimizer}, random multi-scale network, 24×24): 30 iterations cut the total loss by at least half`, () => {
    const net = randomStyleNetwork({ channels: 8, seed: 1 });
    const { content, style } = images(24);
    const { image, history } = styleTransfer(content, style, { extractor: net.extractor, contentLayer: net.contentLayer, styleLayers: net.styleLayers, steps: 30, optimizer });
    assert.deepEqual([...image.shape], [3, 24, 24]);
    assert.ok(image.data.every((v) => v >= 0 && v <= 1), 'pixels stay in [0, 1]');
    const first = history[0].total, last = Math.min(...history.map((h) => h.total));
    // At step 0 the image is the content photo: content loss 0, everything is style (and TV).
    assert.equal(history[0].content, 0);
    assert.ok(last < 0.5 * first, `total loss ${first} -> ${last}`);
    assert.ok(history.at(-1)!.style < 0.5 * history[0].style, `style loss ${history[0].style} -> ${history.at(-1)!.style}`);
  });
}

test('style transfer: a style image of another size is resized to the content\'s, with a note; bad images and layers are refused', () => {
  const net = randomStyleNetwork({ channels: 4, seed: 2 });
  const { content, style } = images(16, 24);
  const notes: string[] = [];
  const { image, history } = styleTransfer(content, style, { extractor: net.extractor, contentLayer: net.contentLayer, styleLayers: net.styleLayers, steps: 2, log: (l) => notes.push(l) });
  assert.deepEqual([...image.shape], [3, 16, 16]);
  assert.equal(history.length, 2);
  assert.deepEqual(notes, ['note: the style image is 24×24; resized to the content\'s 16×16']);
  const base = { extractor: net.extractor, contentLayer: net.contentLayer, styleLayers: net.styleLayers, steps: 1 };
  assertThrowsWith(() => styleTransfer(new Tensor(new Float32Array(16 * 16), [1, 16, 16]), style, base), ArgumentError, 'content image must be RGB');
  assertThrowsWith(() => styleTransfer(content, style, { ...base, contentLayer: 'nope' }), ArgumentError, '"nope"', 'scale1');
  assertThrowsWith(() => styleTransfer(content, style, { ...base, steps: 0 }), ArgumentError, 'steps');
});

test('lineChart: each series is drawn in its colour inside the plot; an empty series is refused', () => {
  const c = lineChart([{ name: 'a', values: [10, 1, 0.1], rgb: [255, 0, 0] }, { name: 'b', values: [5, 5, 5], rgb: [0, 0, 255] }], { width: 200, height: 120 });
  assert.equal(c.data.length, 200 * 120 * 4);
  const count = (rgb: number[]) => { let n = 0; for (let i = 0; i < c.data.length; i += 4) if (c.data[i] === rgb[0] && c.data[i + 1] === rgb[1] && c.data[i + 2] === rgb[2]) n++; return n; };
  assert.ok(count([255, 0, 0]) > 100 && count([0, 0, 255]) > 100);
  assertThrowsWith(() => lineChart([{ name: 'a', values: [], rgb: [0, 0, 0] }]), ArgumentError, 'at least one value');
});

test('receptive style (runStyle): writes the image, the loss curve and the losses; a style image of another size gets a note; bad options are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'style-'));
  const { content, style } = images(20, 30);
  writePng(join(dir, 'c.png'), content);
  writePng(join(dir, 's.png'), style);
  const settings: StyleSettings = { out: join(dir, 'out.png'), steps: 3, size: 16, extractor: 'random', contentWeight: 1, styleWeight: 10, tvWeight: 10, optimizer: 'adam', init: 'content', seed: 0, losses: join(dir, 'l.json'), curve: join(dir, 'curve.png'), logEvery: 1 };
  const lines: string[] = [];
  const history = runStyle(join(dir, 'c.png'), join(dir, 's.png'), settings, (l) => lines.push(l));
  assert.equal(history.length, 3);
  const out = readImage(settings.out);
  assert.deepEqual([...out.shape], [3, 16, 16], 'the 20-px content photo shrunk to --size 16');
  assert.ok(lines.some((l) => l.startsWith('note: the style image is 30×30; resized to the content\'s 16×16')));
  assert.equal((JSON.parse(readFileSync(settings.losses!, 'utf8')) as { history: unknown[] }).history.length, 3);
  assert.ok(readImage(settings.curve!).shape[2] > 100);
  assertThrowsWith(() => runStyle(join(dir, 'c.png'), join(dir, 's.png'), { ...settings, extractor: 'vgg19' }, () => {}), ArgumentError, '--weights');
  assertThrowsWith(() => runStyle(join(dir, 'c.png'), join(dir, 's.png'), { ...settings, weights: 'w.safetensors' }, () => {}), ArgumentError, 'vgg19');
  assertThrowsWith(() => runStyle(join(dir, 'c.png'), join(dir, 's.png'), { ...settings, styleLayers: 'scale1,conv5_1' }, () => {}), ArgumentError, 'no module at path "conv5_1"', 'valid paths', 'scale2.0', 'deep.1');
  rmSync(dir, { recursive: true });
});
