import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, ShapeError, randn, tensor, zeros } from '../../src/tensor/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { Conv2d, LocalResponseNorm, MaxPool2d, ReLU, Linear, Dropout, moduleFromJSON, moduleToJSON, summary } from '../../src/nn/index.js';
import { AlexNet, createModel, minInputSize, weightLayerDepth } from '../../src/models/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';
import { assertForwardBackward, assertTorchvisionKeys, paramCount, torchvisionEntry, torchvisionParity } from './zoo-helpers.js';

// Built once per file: each AlexNet holds ~61M parameters.
let tvModel: AlexNet | null = null;
let origModel: AlexNet | null = null;
const torchvisionForm = () => (tvModel ??= createModel('alexnet', { rng: new RNG(1) }) as AlexNet);
const originalForm = () => (origModel ??= createModel('alexnet', { variant: 'original', rng: new RNG(5) }) as AlexNet);

test('alexnet: torchvision keys and shapes, 61,100,840 parameters, 8 weight layers deep, forward and backward at 63x63', () => {
  const m = torchvisionForm();
  assert.ok(m instanceof AlexNet);
  assertTorchvisionKeys(m, 'alexnet');
  assert.equal(paramCount(m), 61_100_840);
  assert.equal(weightLayerDepth(m, [1, 3, 63, 63]), 8);
  const [y] = assertForwardBackward(m, [1, 3, 63, 63], (o) => [o as never]);
  assert.deepEqual(y.shape, [1, 1000]);
});

test('alexnet: an input under 63x63 is refused up front, naming the model, the layer and the size', () => {
  const m = torchvisionForm();
  assert.deepEqual(minInputSize(m.features.layers.filter((l) => l instanceof Conv2d || l instanceof MaxPool2d) as never), [63, 63]);
  const e = assertThrowsWith(() => m.call(zeros([1, 3, 62, 62])), ShapeError, 'at least 63x63');
  assert.match(e.message, /AlexNet/);
  assert.match(e.message, /input 62x62: features\.12 MaxPool2d would output 0x0 from 2x2/);
  assertThrowsWith(() => m.call(zeros([1, 3, 32, 32])), ShapeError, 'features.12 MaxPool2d would output 0x0 from 1x1');
  assertThrowsWith(() => m.call(zeros([1, 1, 64, 64])), ShapeError, '[N, 3, H, W]');
  // numClasses and inChannels
  const g = new AlexNet({ numClasses: 10, inChannels: 1, rng: new RNG(3) });
  assert.deepEqual(noGrad(() => g.call(zeros([2, 1, 63, 63]))).shape, [2, 10]);
});

test('alexnet: summary MACs at 224x224 within 1% of torchvision (0.714 G)', () => {
  const m = torchvisionForm();
  const macs = summary(m, [1, 3, 224, 224]).totalMacs;
  const ref = torchvisionEntry('alexnet').macs224;
  assert.ok(Math.abs(macs - ref) / ref < 0.01, `${macs} vs torchvision ${ref}`);
  assert.ok(Math.abs(macs - 0.714e9) / 0.714e9 < 0.01, `${macs}`);
});

test("alexnet { variant: 'original' }: the 2012 layout (LRN, two groups in conv2/4/5, 96..256 channels, overlapping pools)", () => {
  const m = originalForm();
  const layers = m.features.layers;
  const convs = layers.filter((l): l is Conv2d => l instanceof Conv2d);
  assert.deepEqual(convs.map((c) => c.config.outChannels), [96, 256, 384, 384, 256]);
  assert.deepEqual(convs.map((c) => c.config.groups), [1, 2, 1, 2, 2]);
  assert.deepEqual(convs.map((c) => c.config.kernelSize), [11, 5, 3, 3, 3]);
  // conv → ReLU → LRN → pool, twice; LRN nowhere else
  const kinds = layers.map((l) => l.typeName);
  assert.deepEqual(kinds.slice(0, 8), ['Conv2d', 'ReLU', 'LocalResponseNorm', 'MaxPool2d', 'Conv2d', 'ReLU', 'LocalResponseNorm', 'MaxPool2d']);
  assert.equal(kinds.filter((k) => k === 'LocalResponseNorm').length, 2);
  for (const p of layers.filter((l): l is MaxPool2d => l instanceof MaxPool2d)) assert.deepEqual([p.config.kernelSize, p.config.stride], [3, 2]);
  // dropout 0.5 after the ReLUs of fc6 and fc7
  assert.deepEqual(m.classifier.layers.map((l) => l.typeName), ['Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear']);
  assert.ok(m.classifier.layers.filter((l) => l instanceof Dropout).every((d) => (d as Dropout).p === 0.5));
  // The paper's kernel shapes: 96@11x11x3, 256@5x5x48, 384@3x3x256, 384@3x3x192, 256@3x3x192, fc 9216-4096-4096-1000.
  const conv = (o: number, k: number, i: number) => o * i * k * k + o;
  const fc = (i: number, o: number) => i * o + o;
  const paper = conv(96, 11, 3) + conv(256, 5, 48) + conv(384, 3, 256) + conv(384, 3, 192) + conv(256, 3, 192) + fc(9216, 4096) + fc(4096, 4096) + fc(4096, 1000);
  assert.equal(paramCount(m), paper);
  assert.equal(weightLayerDepth(m, [1, 3, 67, 67]), 8);
  // The paper's initialisation: biases 1 in conv2, conv4, conv5, fc6, fc7; 0 in conv1, conv3, fc8.
  const fcs = m.classifier.layers.filter((l): l is Linear => l instanceof Linear);
  assert.deepEqual([...convs, ...fcs].map((l) => l.bias!.data[0]), [0, 1, 0, 1, 1, 1, 1, 0]);
});

test('alexnet original: 227x227 gives the paper\'s 55x55x96 first maps and 6x6x256 into fc6; minimum 67; forward and backward', () => {
  const m = originalForm();
  const shapes: number[][] = [];
  const h = m.features.layers[0].registerForwardHook((_m, _i, out) => {
    shapes.push([...(out as { shape: number[] }).shape]);
  });
  const f = noGrad(() => m.features.call(zeros([1, 3, 227, 227])));
  h.remove();
  assert.deepEqual(shapes[0], [1, 96, 55, 55]);
  assert.deepEqual(f.shape, [1, 256, 6, 6]);
  assertThrowsWith(() => m.call(zeros([1, 3, 66, 66])), ShapeError, 'at least 67x67');
  const [y] = assertForwardBackward(m, [1, 3, 67, 67], (o) => [o as never]);
  assert.deepEqual(y.shape, [1, 1000]);
});

test("alexnet original: LRN is the paper's b = a / (k + α·Σa²)^β with n 5, k 2, α 1e-4, β 0.75", () => {
  const m = originalForm();
  const lrn = m.features.layers[2] as LocalResponseNorm;
  assert.ok(lrn instanceof LocalResponseNorm);
  const C = 7;
  const x = randn([1, C, 2, 2], { rng: new RNG(8) }).mul(20);
  const y = lrn.call(x);
  const expected: number[] = [];
  for (let c = 0; c < C; c++) {
    for (let p = 0; p < 4; p++) {
      let s = 0;
      for (let j = Math.max(0, c - 2); j <= Math.min(C - 1, c + 2); j++) s += x.data[j * 4 + p] ** 2;
      expected.push(x.data[c * 4 + p] / (2 + 1e-4 * s) ** 0.75);
    }
  }
  assertClose(y, tensor(expected, { shape: [1, C, 2, 2] }), { atol: 1e-5, rtol: 1e-5 });
  assert.ok(m.features.layers[1] instanceof ReLU);
});

test('alexnet: config checks, JSON round trip, registry', () => {
  assertThrowsWith(() => new AlexNet({ variant: 'caffe' as never }), Error, "variant must be 'torchvision' or 'original'");
  assertThrowsWith(() => new AlexNet({ numClass: 10 } as never), Error, 'unknown option "numClass"');
  const m = originalForm();
  const back = moduleFromJSON(JSON.parse(JSON.stringify(moduleToJSON(m))));
  assert.ok(back instanceof AlexNet);
  assert.deepEqual(back.toConfig(), { variant: 'original', numClasses: 1000, inChannels: 3, dropout: 0.5 });
  assert.deepEqual(Object.keys(back.stateDict()), Object.keys(m.stateDict()));
  assertThrowsWith(() => createModel('alexnet2'), Error, 'unknown model "alexnet2" (known: ', 'alexnet', 'vgg16_bn', 'vgg, ', 'googlenet');
});

test('alexnet: logits equal torchvision with the same weights', (t) => {
  const m = torchvisionForm(); // the last test: its weights are replaced
  if (!torchvisionParity(m, 'alexnet', ['features'])) t.skip('torch not installed');
});
