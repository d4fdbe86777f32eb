import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, randn, randint } from '../../src/tensor/index.js';
import { AvgPool2d, MaxPool2d, ReLU, Tanh, summary } from '../../src/nn/index.js';
import { LeNet5, createModel, listModels } from '../../src/models/index.js';
import { Adam } from '../../src/optim/index.js';
import { crossEntropy } from '../../src/ops/index.js';
import { assertThrowsWith } from '../helpers.js';

test('LeNet-5 classic (tanh, average pooling) and modern (ReLU, max pooling) share the layout', () => {
  const classic = new LeNet5({ variant: 'classic' });
  const modern = new LeNet5();
  const kinds = (m: LeNet5) => m.features.layers.map((l) => l.constructor.name);
  assert.deepEqual(kinds(classic), ['Conv2d', 'Tanh', 'AvgPool2d', 'Conv2d', 'Tanh', 'AvgPool2d']);
  assert.deepEqual(kinds(modern), ['Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'MaxPool2d']);
  assert.ok(classic.features.layers[1] instanceof Tanh && modern.features.layers[1] instanceof ReLU);
  assert.ok(classic.features.layers[2] instanceof AvgPool2d && modern.features.layers[2] instanceof MaxPool2d);
  assert.equal(summary(classic, [1, 1, 28, 28]).totalParams, summary(modern, [1, 1, 28, 28]).totalParams);
  assertThrowsWith(() => new LeNet5({ variant: 'retro' as never }), ArgumentError, "variant must be 'modern' or 'classic'");
});

test('the classic variant learns: loss on a fixed batch falls under Adam', () => {
  const m = new LeNet5({ variant: 'classic', rng: new RNG(2) });
  const x = randn([16, 1, 28, 28], { rng: new RNG(3) });
  const y = randint(0, 10, [16], { rng: new RNG(4) });
  const opt = new Adam(m.parameters(), { lr: 2e-3 });
  const losses: number[] = [];
  for (let i = 0; i < 30; i++) {
    opt.zeroGrad();
    const l = crossEntropy(m.call(x), y);
    losses.push(l.item());
    l.backward();
    opt.step();
  }
  assert.ok(losses[29] < 0.5 * losses[0], `loss ${losses[0]} → ${losses[29]}`);
});

test('the model registry builds LeNet-5 by name', () => {
  assert.ok(listModels().includes('lenet5'));
  assert.ok(createModel('lenet5', { variant: 'classic' }) instanceof LeNet5);
  assertThrowsWith(() => createModel('alexnet9'), ArgumentError, 'unknown model "alexnet9"');
});
