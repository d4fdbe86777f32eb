import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, ShapeError, zeros } from '../../src/tensor/index.js';
import { BatchNorm2d, Conv2d, LocalResponseNorm, moduleFromJSON, moduleToJSON, skipInit, summary } from '../../src/nn/index.js';
import { VGG, VGG_CONFIGS, createModel, weightLayerDepth, type VGGConfigName } from '../../src/models/index.js';
import { assertThrowsWith } from '../helpers.js';
import { assertForwardBackward, assertTorchvisionKeys, paramCount, torchvisionEntry, torchvisionParity } from './zoo-helpers.js';

// Issue 11's counts (torchvision's published numbers) and the decks' weight-layer counts per column.
const TORCHVISION: [string, VGGConfigName, number, number][] = [
  ['vgg11', 'A', 132_863_336, 132_868_840],
  ['vgg13', 'B', 133_047_848, 133_053_736],
  ['vgg16', 'D', 138_357_544, 138_365_992],
  ['vgg19', 'E', 143_667_240, 143_678_248],
];
const DEPTH: Record<VGGConfigName, number> = { A: 11, 'A-LRN': 11, B: 13, C: 16, D: 16, E: 19 };

test('vgg11: forward and backward at 32x32; an input under 32x32 is refused naming features.20; numClasses and inChannels', () => {
  const m = createModel('vgg11', { numClasses: 10, inChannels: 1, rng: new RNG(2) }) as VGG;
  const [y] = assertForwardBackward(m, [1, 1, 32, 32], (o) => [o as never]);
  assert.deepEqual(y.shape, [1, 10]);
  const e = assertThrowsWith(() => m.call(zeros([1, 1, 31, 31])), ShapeError, 'VGG', 'at least 32x32');
  assert.match(e.message, /input 31x31: features\.20 MaxPool2d would output 0x0 from 1x1/);
  assertThrowsWith(() => m.call(zeros([1, 1, 32, 20])), ShapeError, 'at least 32x32', 'input 32x20');
});

test('vgg11_bn: forward and backward at 32x32 in training mode (batch statistics)', () => {
  const m = createModel('vgg11_bn', { numClasses: 4, rng: new RNG(3) });
  const [y] = assertForwardBackward(m, [2, 3, 32, 32], (o) => [o as never]);
  assert.deepEqual(y.shape, [2, 4]);
});

test("the paper's column C: 1x1 convolutions as the third layer of the last three blocks, 16 weight layers; forward and backward", () => {
  const m = createModel('vgg', { config: 'C', numClasses: 10, rng: new RNG(4) }) as VGG;
  const convs = m.features.layers.filter((l): l is Conv2d => l instanceof Conv2d);
  assert.deepEqual(convs.map((c) => c.config.kernelSize), [3, 3, 3, 3, 3, 3, 1, 3, 3, 1, 3, 3, 1]);
  assert.deepEqual(convs.filter((c) => c.config.kernelSize === 1).map((c) => c.config.padding), [0, 0, 0]);
  // The count by hand from Table 1: D with three 3x3 convolutions replaced by 1x1 ones.
  const conv = (i: number, o: number, k: number) => i * o * k * k + o;
  const fc = 512 * 7 * 7 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 10 + 10;
  const c = conv(3, 64, 3) + conv(64, 64, 3) + conv(64, 128, 3) + conv(128, 128, 3) + conv(128, 256, 3) + conv(256, 256, 3) + conv(256, 256, 1) + conv(256, 512, 3) + conv(512, 512, 3) + conv(512, 512, 1) + 2 * conv(512, 512, 3) + conv(512, 512, 1);
  assert.equal(paramCount(m), c + fc);
  assert.equal(weightLayerDepth(m, [1, 3, 32, 32]), DEPTH.C);
  const [y] = assertForwardBackward(m, [1, 3, 32, 32], (o) => [o as never]);
  assert.deepEqual(y.shape, [1, 10]);
});

test("the paper's column A-LRN: AlexNet's LRN after the first conv's ReLU, 11 weight layers; with batch norm too; forward and backward", () => {
  const m = createModel('vgg', { config: 'A-LRN', numClasses: 10, rng: new RNG(5) }) as VGG;
  assert.deepEqual(m.features.layers.slice(0, 4).map((l) => l.typeName), ['Conv2d', 'ReLU', 'LocalResponseNorm', 'MaxPool2d']);
  const lrn = m.features.layers[2] as LocalResponseNorm;
  assert.deepEqual(lrn.toConfig(), { size: 5, alpha: 5e-4, beta: 0.75, k: 2 });
  assert.equal(weightLayerDepth(m, [1, 3, 32, 32]), DEPTH['A-LRN']);
  const [y] = assertForwardBackward(m, [1, 3, 32, 32], (o) => [o as never]);
  assert.deepEqual(y.shape, [1, 10]);
  const bn = skipInit(() => new VGG({ config: 'A-LRN', batchNorm: true, numClasses: 10 }));
  assert.deepEqual(bn.features.layers.slice(0, 5).map((l) => l.typeName), ['Conv2d', 'BatchNorm2d', 'ReLU', 'LocalResponseNorm', 'MaxPool2d']);
  // A-LRN adds no parameters to A.
  assert.equal(paramCount(m), paramCount(skipInit(() => new VGG({ config: 'A', numClasses: 10 }))));
});

test('vgg: config checks, JSON round trip, registry', () => {
  assertThrowsWith(() => createModel('vgg'), Error, "needs { config: 'A' | 'A-LRN'");
  assertThrowsWith(() => createModel('vgg', { config: 'F' }), Error, 'config must be one of A, A-LRN, B, C, D, E, got "F"');
  assertThrowsWith(() => createModel('vgg16', { config: 'A' }), Error, 'vgg16: is configuration D');
  assertThrowsWith(() => createModel('vgg16', { batchNorm: true }), Error, 'use vgg16_bn');
  assertThrowsWith(() => new VGG({ config: 'D', batchnorm: true } as never), Error, 'unknown option "batchnorm"');
  const m = skipInit(() => new VGG({ config: 'B', batchNorm: true, numClasses: 7, inChannels: 2 }));
  const back = skipInit(() => moduleFromJSON(JSON.parse(JSON.stringify(moduleToJSON(m)))));
  assert.ok(back instanceof VGG);
  assert.deepEqual(back.toConfig(), { config: 'B', batchNorm: true, numClasses: 7, inChannels: 2, dropout: 0.5 });
  assert.deepEqual(Object.entries(back.stateDict()).map(([k, t]) => [k, t.shape]), Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape]));
});

// One VGG holds 130-145M parameters: each test builds one (uninitialised: keys, counts and depth need no
// weights) and lets it go.
for (const [name, column, count, countBn] of TORCHVISION) {
  for (const bn of [false, true]) {
    const id = bn ? `${name}_bn` : name;
    test(`${id}: torchvision keys and shapes, ${(bn ? countBn : count).toLocaleString('en-US')} parameters, configuration ${column}, ${DEPTH[column]} weight layers deep`, () => {
      const m = skipInit(() => createModel(id)) as VGG;
      assert.ok(m instanceof VGG);
      assert.equal(m.config.config, column);
      assert.equal(m.config.batchNorm, bn);
      assertTorchvisionKeys(m, id);
      assert.equal(paramCount(m), bn ? countBn : count);
      assert.equal(m.features.layers.filter((l) => l instanceof BatchNorm2d).length, bn ? VGG_CONFIGS[column].filter((l) => typeof l === 'object').length : 0);
      assert.equal(weightLayerDepth(m, [1, 3, 32, 32]), DEPTH[column]);
    });
  }
}

test('vgg11: summary MACs at 224x224 within 1% of torchvision (7.61 G)', () => {
  const m = skipInit(() => createModel('vgg11'));
  const macs = summary(m, [1, 3, 224, 224]).totalMacs;
  const ref = torchvisionEntry('vgg11').macs224;
  assert.ok(Math.abs(macs - ref) / ref < 0.01, `${macs} vs torchvision ${ref}`);
  assert.ok(Math.abs(macs - 7.61e9) / 7.61e9 < 0.01, `${macs}`);
});

test('vgg11_bn: logits and features equal torchvision with the same weights and batch-norm statistics', (t) => {
  // Uninitialised: the parity check loads torchvision's weights into it.
  const m = skipInit(() => createModel('vgg11_bn'));
  if (!torchvisionParity(m, 'vgg11_bn', ['features'])) t.skip('torch not installed');
});
