import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, Tensor, randn, ShapeError } from '../../src/tensor/index.js';
import { backward } from '../../src/autograd/index.js';
import { crossEntropy, argmax } from '../../src/ops/index.js';
import { Adam } from '../../src/optim/index.js';
import { KimCNN, CharCNN, SpeechCNN2014, SpeechCNN2d, createModel } from '../../src/models/index.js';
import { assertThrowsWith } from '../helpers.js';

test('speech models: [N, 3, 40, 100] → [N, classes]; wrong input shape is refused', () => {
  for (const m of [new SpeechCNN2014({ numClasses: 14, rng: new RNG(1) }), new SpeechCNN2d({ numClasses: 14, rng: new RNG(1) })]) {
    m.eval();
    assert.deepEqual([...m.call(randn([2, 3, 40, 100])).shape], [2, 14]);
    assertThrowsWith(() => m.call(randn([2, 1, 40, 100])), ShapeError);
  }
  assert.equal(createModel('speech-cnn', { numClasses: 3 }).call(randn([1, 3, 40, 100])).shape[1], 3);
});

/*
 * A small sentence task with a known answer: class k's sentences contain the
 * 3-token phrase (k, k+1, k+2) among random filler tokens at a random place. A
 * bag of single tokens cannot tell the classes apart (every class uses every
 * token as filler); a width-3 filter with max-over-time pooling can. Chance is
 * 25%; the test asks for at least 85% on held-out sentences.
 */
function phraseData(n: number, rng: RNG): { x: Tensor; y: Int32Array } {
  const L = 20, V = 30;
  const x = new Int32Array(n * L);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    y[i] = k;
    for (let t = 0; t < L; t++) x[i * L + t] = 8 + Math.floor(rng.random() * (V - 8));
    const at = Math.floor(rng.random() * (L - 3));
    for (let j = 0; j < 3; j++) x[i * L + at + j] = 2 + k + j;
  }
  return { x: new Tensor(x, [n, L]), y };
}

for (const [name, make] of [
  ['KimCNN', () => new KimCNN({ vocabSize: 30, numClasses: 4, embeddingDim: 16, filters: 16, dropout: 0.1, rng: new RNG(2) })],
  ['CharCNN', () => new CharCNN({ vocabSize: 30, numClasses: 4, embeddingDim: 16, channels: 24, dropout: 0.1, rng: new RNG(2) })],
] as const) {
  test(`${name} learns a phrase-detection task well above chance (25%)`, () => {
    const rng = new RNG(5);
    const train = phraseData(400, rng);
    const test = phraseData(200, rng);
    const m = make();
    const opt = new Adam(m.parameters(), { lr: 1e-2 });
    for (let epoch = 0; epoch < 8; epoch++) {
      for (let b = 0; b < 400; b += 50) {
        const xb = new Tensor(train.x.data.slice(b * 20, (b + 50) * 20), [50, 20]);
        const yb = new Tensor(train.y.slice(b, b + 50), [50]);
        opt.zeroGrad();
        backward(crossEntropy(m.call(xb), yb));
        opt.step();
      }
    }
    m.eval();
    const pred = argmax(m.call(test.x), 1).data;
    const acc = test.y.filter((v, i) => pred[i] === v).length / test.y.length;
    assert.ok(acc >= 0.85, `${name} held-out accuracy ${acc}`);
  });
}

test('KimCNN: padding-only and short inputs are valid; the frozen ("static") table gets no gradient', () => {
  const m = new KimCNN({ vocabSize: 10, numClasses: 2, embeddingDim: 4, filters: 3, embeddings: 'static', rng: new RNG(3) });
  const out = m.call(new Tensor(Int32Array.from([0, 0]), [1, 2]));
  assert.ok(out.data.every(Number.isFinite));
  backward(crossEntropy(m.call(new Tensor(Int32Array.from([3, 4, 5, 6]), [1, 4])), new Tensor(Int32Array.from([1]), [1])));
  assert.equal(m.embedding.weight.grad, null);
  assert.ok(m.fc.weight.grad !== null);
});
