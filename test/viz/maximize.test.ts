import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG } from '../../src/tensor/index.js';
import { Sequential, Conv2d } from '../../src/nn/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { maximizeActivation } from '../../src/viz/maximize.js';

test('activation maximisation of a linear 1x1 filter converges to a uniform image of the filter colour', () => {
  // The mean activation of w·x has the gradient w / (HW) at every pixel: with jitter, blur and L2 decay the image stays uniform, along w.
  const net = new Sequential(new Conv2d({ inChannels: 3, outChannels: 2, kernelSize: 1, bias: false, rng: new RNG(2) }));
  const w = [...(net.children()[0] as Conv2d).weight.data.slice(3, 6)];
  const { image, history } = maximizeActivation(net, { layer: '0', channel: 1, shape: [1, 3, 8, 8], steps: 60, rng: new RNG(1) });
  assert.ok(history[history.length - 1] > history[0] + 1, 'the activation rises');
  const norm = Math.hypot(...w);
  for (let p = 0; p < 64; p += 9) {
    const px = [0, 1, 2].map((k) => image.data[k * 64 + p]);
    const cos = (px[0] * w[0] + px[1] * w[1] + px[2] * w[2]) / (Math.hypot(...px) * norm);
    assert.ok(cos > 0.99, `pixel ${p}: cosine ${cos}`);
  }
});

test('activation maximisation raises a LeNet-5 C3 filter (before its ReLU, where random weights give a gradient) and refuses a bad channel', () => {
  const m = new LeNet5({ rng: new RNG(3) });
  const { history } = maximizeActivation(m, { layer: 'features.3', channel: 5, shape: [1, 1, 28, 28], steps: 20 });
  assert.ok(history[19] > history[0]);
  assert.throws(() => maximizeActivation(m, { layer: 'features.4', channel: 16, shape: [1, 1, 28, 28], steps: 1 }), /channel 16 is outside \[0, 16\)/);
});
