import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, randn } from '../../src/tensor/index.js';
import { MNIST_MEAN, MNIST_STD } from '../../src/data/index.js';
import { CifarResNet, createModel } from '../../src/models/index.js';
import { adaptModelInput, cliModelConfig, inputAdaptationFor } from '../../src/cli/zoo-input.js';

test('the CLI builds zoo models for 28×28 grey digits: one channel, ten classes; LeNet-5 keeps its variant', () => {
  assert.deepEqual(cliModelConfig('lenet5', 'classic'), { variant: 'classic' });
  assert.deepEqual(cliModelConfig('resnet20', 'modern'), { inChannels: 1, numClasses: 10 });
  assert.deepEqual(cliModelConfig('resnet18', 'modern'), { inChannels: 1, numClasses: 10 });
});

test('a CIFAR ResNet gets its 32×32 by zero padding (with the normalised background); an ImageNet ResNet takes 28×28 as it is', () => {
  const r20 = createModel('resnet20', cliModelConfig('resnet20', 'modern')) as CifarResNet;
  assert.deepEqual(inputAdaptationFor('resnet20', r20), { kind: 'pad', size: 32 });
  let seen: readonly number[] = [];
  let corner = NaN;
  let centre = NaN;
  const x = randn([2, 1, 28, 28]);
  r20.conv1.registerForwardPreHook((_m, inputs) => {
    const t = inputs[0] as Tensor;
    seen = t.shape;
    corner = t.data[0];
    centre = t.data[2 * 32 + 2];
  });
  adaptModelInput('resnet20', r20);
  r20.eval();
  assert.deepEqual([...r20.call(x).shape], [2, 10]);
  assert.deepEqual([...seen], [2, 1, 32, 32]);
  assert.ok(Math.abs(corner - -MNIST_MEAN / MNIST_STD) < 1e-6, `padding ${corner}`);
  assert.equal(centre, x.data[0], 'the digit sits in the middle (2 pixels each side)');
  const r18 = createModel('resnet18', cliModelConfig('resnet18', 'modern'));
  assert.deepEqual(inputAdaptationFor('resnet18', r18), { kind: 'none', size: 28 });
});
