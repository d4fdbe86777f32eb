import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, randn, RNG } from '../../src/tensor/index.js';
import { backward, noGrad, trace } from '../../src/autograd/index.js';
import * as F from '../../src/ops/index.js';
import { receptiveFields } from '../../src/nn/receptive-field.js';
import { LeNet5 } from '../../src/models/index.js';

const f64 = (shape: number[], seed: number, grad = false) => new Tensor(Float64Array.from(randn(shape, { rng: new RNG(seed) }).data), shape, grad);

/** The rows and columns of x whose gradient of y[0, 0, i, j] is non-zero: the pixels that element really sees. */
function support(f: (x: Tensor) => Tensor, x: Tensor, i: number, j: number): [number, number, number, number] {
  const xi = new Tensor(x.data.slice(), x.shape, true);
  const y = f(xi);
  const seed = new Float64Array(y.size);
  seed[i * y.shape[3] + j] = 1;
  backward(y, new Tensor(seed, y.shape));
  const [, , H, W] = x.shape;
  let [top, bottom, left, right] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) if (xi.grad!.data[r * W + c] !== 0) {
    top = Math.min(top, r); bottom = Math.max(bottom, r); left = Math.min(left, c); right = Math.max(right, c);
  }
  return [top, bottom, left, right];
}

test('start of the receptive field: element (i, j) sees rows start + i·jump … + rf − 1, equal to where its gradient is non-zero', () => {
  // Random weights in float64: no gradient inside the window is exactly zero, so the support is the window clipped to the image.
  const w1 = f64([2, 1, 3, 3], 1);
  const w2 = f64([2, 2, 5, 5], 2);
  const w3 = f64([1, 2, 3, 3], 3);
  const f = (x: Tensor) => {
    let y = F.conv2d(x, w1, { stride: 2, padding: 1 });
    y = F.conv2d(y, w2, { padding: 4, dilation: 2 });
    y = F.avgPool2d(y, { kernelSize: 2 });
    y = F.pad(y, [[3, 1], [2, 0]]);
    return F.conv2d(y, w3, { padding: [0, 1] });
  };
  const x = f64([1, 1, 41, 37], 4);
  const { ops, result } = trace(() => noGrad(() => f(x)));
  const e = receptiveFields(ops, [x]).get(result)!;
  // By hand, per axis: conv k3 s2 p1: rf 3, jump 2, start −1; conv k5 d2 p4: rf 3 + 8·2 = 19, start −1 − 4·2 = −9;
  // avg pool 2: rf 19 + 2 = 21, jump 4; pad 3 rows / 2 columns before: start −9 − 3·4 = −21 / −9 − 2·4 = −17;
  // conv k3 with padding [0, 1]: rf 21 + 2·4 = 29, start −21 (rows) and −17 − 4 = −21 (columns).
  assert.deepEqual(e, { rf: [29, 29], jump: [4, 4], global: [false, false], start: [-21, -21] });
  const [, , h, w] = result.shape;
  // Element (0, 0) reads only the padded rows and columns (its window's pixels reach it through padding alone), so it starts at (1, 1).
  for (const [i, j] of [[1, 1], [2, 3], [Math.floor(h / 2), Math.floor(w / 2)], [h - 1, w - 1]]) {
    const rows = [e.start[0] + i * e.jump[0], e.start[0] + i * e.jump[0] + e.rf[0] - 1];
    const cols = [e.start[1] + j * e.jump[1], e.start[1] + j * e.jump[1] + e.rf[1] - 1];
    const expect = [Math.max(0, rows[0]), Math.min(40, rows[1]), Math.max(0, cols[0]), Math.min(36, cols[1])];
    assert.deepEqual(support(f, x, i, j), expect, `element (${i}, ${j})`);
  }
});

test("LeNet-5's C3 by hand: conv 5 pad 2, pool 2, conv 5 give rf 14, jump 2, start −2", () => {
  const m = new LeNet5({ rng: new RNG(0) });
  const x = randn([1, 1, 28, 28], { rng: new RNG(5) });
  const { ops, calls } = trace(() => noGrad(() => m.call(x)));
  const fields = receptiveFields(ops, [x]);
  const c3 = calls.find((c) => c.path === 'features.3')!;
  // 1 + 4 = 5 (start −2), + 1 = 6 with jump 2, + 4·2 = 14; the unpadded C3 keeps start −2.
  assert.deepEqual(fields.get(c3.outputs[0]), { rf: [14, 14], jump: [2, 2], global: [false, false], start: [-2, -2] });
  const fc = calls.find((c) => c.path === 'classifier')!;
  assert.deepEqual(fields.get(fc.outputs[0])?.start, [0, 0], 'a global axis starts at 0');
});
