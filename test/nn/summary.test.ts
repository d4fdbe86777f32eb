import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summary, Sequential, Flatten, Linear, Conv2d } from '../../src/nn/index.js';
import { LeNet5 } from '../../src/models/index.js';

test('summary: a dense layer from 224x224x3 to 100 units has 15,052,800 weights (deck: CNN motivation)', () => {
  const m = new Sequential(new Flatten(), new Linear({ inFeatures: 224 * 224 * 3, outFeatures: 100, bias: false }));
  const s = summary(m, [1, 3, 224, 224]);
  assert.equal(s.totalParams, 15_052_800);
  assert.match(s.toString(), /15,052,800/);
});

test('summary: N 3x3 filters have 9N weights, plus N biases', () => {
  for (const n of [1, 8, 64]) {
    assert.equal(summary(new Conv2d({ inChannels: 1, outChannels: n, kernelSize: 3, bias: false }), [1, 1, 8, 8]).totalParams, 9 * n);
    assert.equal(summary(new Conv2d({ inChannels: 1, outChannels: n, kernelSize: 3 }), [1, 1, 8, 8]).totalParams, 10 * n);
  }
});

test('summary: 400 8x8 filters on 1x96x96 give 400x89x89 = 3,168,400 outputs', () => {
  const s = summary(new Conv2d({ inChannels: 1, outChannels: 400, kernelSize: 8, bias: false }), [1, 1, 96, 96]);
  assert.deepEqual(s.rows[0].outputShape, [1, 400, 89, 89]);
  assert.equal(s.rows[0].outputShape.reduce((a, b) => a * b, 1), 3_168_400);
  assert.equal(s.activationBytes, 3_168_400 * 4);
});

test('summary: a 3x3 kernel factorised into 3x1 then 1x3 has 6 weights instead of 9', () => {
  const full = summary(new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, bias: false }), [1, 1, 7, 7]);
  const fact = new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: [3, 1], bias: false }),
    new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: [1, 3], bias: false }),
  );
  const s = summary(fact, [1, 1, 7, 7]);
  assert.equal(full.totalParams, 9);
  assert.equal(s.totalParams, 6);
  assert.deepEqual(s.rows.at(-1)!.outputShape, full.rows[0].outputShape);
});

test('summary of LeNet-5: the decks\' layer sizes and 61,706 parameters', () => {
  const s = summary(new LeNet5(), [1, 1, 28, 28]);
  const shapes = Object.fromEntries(s.rows.map((r) => [r.path, r.outputShape]));
  assert.deepEqual(shapes['features.0'], [1, 6, 28, 28]);
  assert.deepEqual(shapes['features.2'], [1, 6, 14, 14]);
  assert.deepEqual(shapes['features.3'], [1, 16, 10, 10]);
  assert.deepEqual(shapes['features.5'], [1, 16, 5, 5]);
  // (5·5·1 + 1)·6 + (5·5·6 + 1)·16 + (400 + 1)·120 + (120 + 1)·84 + (84 + 1)·10
  assert.equal(s.totalParams, 26 * 6 + 151 * 16 + 401 * 120 + 121 * 84 + 85 * 10);
  assert.equal(s.trainableParams, s.totalParams);
  const text = s.toString();
  assert.match(text, /features\.3 \(Conv2d\)\s+\[1, 16, 10, 10\]\s+2,416\s+yes/);
  assert.match(text, /Total params: 61,706/);
});
