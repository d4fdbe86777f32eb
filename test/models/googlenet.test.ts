import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, ShapeError, Tensor, randn, zeros } from '../../src/tensor/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { add, concat, mul, relu, slice } from '../../src/ops/index.js';
import { moduleFromJSON, moduleToJSON, summary } from '../../src/nn/index.js';
import { GoogLeNet, Inception, InceptionNaive, createModel, weightLayerDepth, type GoogLeNetOutputs } from '../../src/models/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';
import { assertForwardBackward, assertTorchvisionKeys, paramCount, torchvisionEntry, torchvisionParity } from './zoo-helpers.js';

test('googlenet: torchvision keys with and without the auxiliary heads, 13,004,888 and 6,624,904 parameters, 22 weight layers deep', () => {
  const aux = createModel('googlenet', { rng: new RNG(1) }) as unknown as GoogLeNet;
  assert.ok(aux instanceof GoogLeNet);
  assertTorchvisionKeys(aux, 'googlenet_aux');
  assert.equal(paramCount(aux), 13_004_888);
  const plain = createModel('googlenet', { auxLogits: false, rng: new RNG(2) });
  assertTorchvisionKeys(plain, 'googlenet');
  assert.equal(paramCount(plain), 6_624_904);
  assert.equal(weightLayerDepth(plain, [1, 3, 32, 32]), 22);
  assert.equal(weightLayerDepth(aux, [1, 3, 32, 32]), 22);
});

test('googlenet: training mode returns { logits, aux1, aux2 }, eval mode the logits; forward and backward at the minimum 15x15', () => {
  const m = new GoogLeNet({ numClasses: 5, rng: new RNG(3) });
  const ys = assertForwardBackward(m, [2, 3, 15, 15], (o) => {
    const r = o as GoogLeNetOutputs;
    assert.deepEqual(Object.keys(r), ['logits', 'aux1', 'aux2']);
    return [r.logits, r.aux1, r.aux2];
  });
  for (const y of ys) assert.deepEqual(y.shape, [2, 5]);
  // Every auxiliary parameter got a gradient (checked above): the heads ran. In eval they do not.
  m.eval();
  const y = noGrad(() => m.call(zeros([1, 3, 15, 15])));
  assert.ok(y instanceof Tensor);
  assert.deepEqual(y.shape, [1, 5]);
  const plain = new GoogLeNet({ auxLogits: false, numClasses: 5, inChannels: 1, rng: new RNG(4) });
  assert.ok(noGrad(() => plain.call(zeros([2, 1, 15, 15]))) instanceof Tensor, 'no aux heads: a tensor in training mode too');
});

test('googlenet: an input under 15x15 is refused up front, naming the model, maxpool3 and the size', () => {
  const m = new GoogLeNet({ auxLogits: false, numClasses: 3, rng: new RNG(5) });
  const e = assertThrowsWith(() => m.call(zeros([1, 3, 14, 14])), ShapeError, 'GoogLeNet', 'at least 15x15');
  assert.match(e.message, /input 14x14: maxpool3 MaxPool2d would output 0x0 from 1x1/);
});

test('googlenet: transformInput maps each channel to x·std/0.5 + (mean − 0.5)/0.5 before conv1, as torchvision', () => {
  const a = new GoogLeNet({ auxLogits: false, transformInput: true, numClasses: 4, rng: new RNG(6) });
  const b = new GoogLeNet({ auxLogits: false, numClasses: 4, rng: new RNG(7) });
  b.loadStateDict(a.stateDict());
  a.eval();
  b.eval();
  const x = randn([2, 3, 17, 17], { rng: new RNG(8) });
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const byHand = concat([0, 1, 2].map((c) => add(mul(slice(x, [0, c], [null, c + 1]), std[c] / 0.5), (mean[c] - 0.5) / 0.5)), 1);
  assertClose(noGrad(() => a.call(x)) as Tensor, noGrad(() => b.call(byHand)) as Tensor, { atol: 1e-6, rtol: 1e-5 });
  assertThrowsWith(() => new GoogLeNet({ transformInput: true, inChannels: 1 }), Error, 'needs inChannels 3');
  assert.equal(new GoogLeNet({ auxLogits: false }).config.transformInput, false);
});

test("googlenet { branch3KernelSize: 5 }: the paper's 5x5 in branch3 where torchvision has 3x3", () => {
  const tv = new GoogLeNet({ auxLogits: false, rng: new RNG(9) });
  const paper = new GoogLeNet({ auxLogits: false, branch3KernelSize: 5, rng: new RNG(9) });
  assert.deepEqual(paper.inception3a.branch3.layers[1].toConfig(), { inChannels: 16, outChannels: 32, kernelSize: 5, padding: 2 });
  // Each module's branch3 conv goes from red·out·9 to red·out·25 weights (Table 1's #5x5 reduce and #5x5).
  const table = [[16, 32], [32, 96], [16, 48], [24, 64], [24, 64], [32, 64], [32, 128], [32, 128], [48, 128]];
  assert.equal(paramCount(paper) - paramCount(tv), table.reduce((s, [r, o]) => s + r * o * (25 - 9), 0));
  assert.deepEqual((paper.predict(zeros([1, 3, 32, 32])) as Tensor).shape, [1, 1000]);
  assertThrowsWith(() => new GoogLeNet({ branch3KernelSize: 7 as never }), Error, 'branch3KernelSize must be 3 (torchvision) or 5 (the paper)');
});

test('InceptionNaive: 1x1, 3x3 and 5x5 convolutions and a 3x3 max pool concatenated, no reductions', () => {
  const n = new InceptionNaive({ inChannels: 6, ch1x1: 2, ch3x3: 3, ch5x5: 4, rng: new RNG(10) });
  const x = randn([2, 6, 7, 7], { rng: new RNG(11) });
  const y = n.call(x);
  assert.deepEqual(y.shape, [2, 2 + 3 + 4 + 6, 7, 7]);
  assert.equal(n.outChannels, 15);
  // parameters: each conv sees all 6 input channels
  assert.equal(paramCount(n), 6 * 2 * 1 + 2 + 6 * 3 * 9 + 3 + 6 * 4 * 25 + 4);
  // the pool branch is the input's 3x3 neighbourhood maximum, by hand at one interior and one corner pixel
  const at = (t: Tensor, b: number, c: number, i: number, j: number) => t.data[((b * t.shape[1] + c) * 7 + i) * 7 + j];
  for (const [i, j] of [[3, 4], [0, 0]]) {
    let best = -Infinity;
    for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) if (i + di >= 0 && j + dj >= 0) best = Math.max(best, at(x, 1, 5, i + di, j + dj));
    assert.equal(at(y, 1, 9 + 5, i, j), best);
  }
  // the conv branches are the ReLU of each convolution
  assertClose(slice(y, [0, 2], [null, 5]), relu(n.branch2.call(x)));
  const back = moduleFromJSON(moduleToJSON(n));
  assert.ok(back instanceof InceptionNaive);
  // with the reductions of inception3a, the module costs far fewer parameters than without
  const reduced = new Inception({ inChannels: 192, ch1x1: 64, ch3x3red: 96, ch3x3: 128, ch5x5red: 16, ch5x5: 32, poolProj: 32, branch3KernelSize: 5 });
  const naive = new InceptionNaive({ inChannels: 192, ch1x1: 64, ch3x3: 128, ch5x5: 32 });
  assert.ok(paramCount(reduced) < paramCount(naive));
  assert.equal(reduced.outChannels, 256);
  assert.equal(naive.outChannels, 64 + 128 + 32 + 192);
});

test('googlenet: summary MACs at 224x224 within 1% of torchvision (1.50 G); JSON round trip', () => {
  const m = new GoogLeNet({ auxLogits: false, rng: new RNG(12) });
  const macs = summary(m, [1, 3, 224, 224]).totalMacs;
  const ref = torchvisionEntry('googlenet').macs224;
  assert.ok(Math.abs(macs - ref) / ref < 0.01, `${macs} vs torchvision ${ref}`);
  assert.ok(Math.abs(macs - 1.5e9) / 1.5e9 < 0.01, `${macs}`);
  const back = moduleFromJSON(JSON.parse(JSON.stringify(moduleToJSON(m))));
  assert.ok(back instanceof GoogLeNet);
  assert.deepEqual(back.toConfig(), m.toConfig());
  assert.deepEqual(Object.keys(back.stateDict()), Object.keys(m.stateDict()));
});

test('googlenet: logits and inception blocks equal torchvision with the same weights', (t) => {
  const m = new GoogLeNet({ auxLogits: false });
  if (!torchvisionParity(m, 'googlenet', ['inception3a', 'inception4a', 'inception5b'])) t.skip('torch not installed');
});

test('googlenet with auxiliary heads: the aux weights load (strict) and eval logits equal torchvision', (t) => {
  const m = new GoogLeNet();
  if (!torchvisionParity(m, 'googlenet_aux', ['inception5b'])) t.skip('torch not installed');
});
