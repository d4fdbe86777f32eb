import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { add, concat, flatten, interpolate, sigmoid } from '../../src/ops/index.js';
import { noGrad } from '../../src/autograd/index.js';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, ConvTranspose2d, Dropout, LeakyReLU, Linear, LocalResponseNorm, MaxPool2d, Module, Embedding, ReLU,
  Sequential, Softmax, type AnyModule,
} from '../../src/nn/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { exportOnnx, importOnnx } from '../../src/io/onnx/index.js';
import { assertThrowsWith } from '../helpers.js';
import { ortRoundTrip } from './ort-roundtrip.js';

/** ONNX Runtime's outputs within 1e-4 of their scale, and the re-imported graph within 1e-5. */
async function checkWithOrt(model: AnyModule, x: Tensor, opts: { dynamicBatch?: boolean; runBatch?: Tensor } = {}): Promise<Uint8Array> {
  const r = await ortRoundTrip(model, x, opts);
  assert.deepEqual(r.ortShape, r.outShape);
  assert.ok(r.ortRel < 1e-4, `largest difference ${r.ortRel} of the output scale`);
  assert.ok(r.reimportMaxAbs <= 1e-5 * r.scale, `re-import differs by ${r.reimportMaxAbs}`);
  return r.bytes;
}

test('exportOnnx: LeNet-5 runs in ONNX Runtime with the same outputs, for any batch size with dynamicBatch', async () => {
  const m = new LeNet5({ rng: new RNG(1) });
  await checkWithOrt(m, randn([2, 1, 28, 28], { rng: new RNG(2) }), { dynamicBatch: true, runBatch: randn([5, 1, 28, 28], { rng: new RNG(3) }) });
});

class Mixed extends Module {
  stem = new Sequential(new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, rng: new RNG(4) }), new BatchNorm2d({ numFeatures: 8 }), new ReLU());
  branch = new Conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1, groups: 2, bias: false, rng: new RNG(5) });
  pool = new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 });
  lrn = new LocalResponseNorm({ size: 3, alpha: 1e-3, beta: 0.75, k: 2 });
  up = new ConvTranspose2d({ inChannels: 16, outChannels: 4, kernelSize: 2, stride: 2, rng: new RNG(6) });
  avg = new AvgPool2d({ kernelSize: 2, ceilMode: false });
  head = new Sequential(new AdaptiveAvgPool2d({ outputSize: 1 }));
  drop = new Dropout({ p: 0.3 });
  fc = new Linear({ inFeatures: 4 + 8, outFeatures: 5, rng: new RNG(7) });
  act = new LeakyReLU({ negativeSlope: 0.1 });
  soft = new Softmax({ axis: 1 });
  forward(x: Tensor): Tensor {
    const s = this.stem.call(x);
    const r = add(this.branch.call(s), s); // residual
    const p = this.lrn.call(this.pool.call(r));
    const u = this.up.call(concat([p, sigmoid(p)], 1));
    const small = interpolate(this.avg.call(u), { scaleFactor: 2, mode: 'bilinear' });
    const feats = concat([flatten(this.head.call(small)), flatten(this.head.call(s))], 1);
    return this.soft.call(this.act.call(this.fc.call(this.drop.call(feats))));
  }
}

test('exportOnnx: residual adds, grouped and transposed convs, pooling, LRN, resize, concat, batch norm with running statistics', async () => {
  const m = new Mixed();
  m.train();
  noGrad(() => m.call(randn([4, 3, 8, 8], { rng: new RNG(8) }).mul(2).add(1))); // move the running statistics
  await checkWithOrt(m, randn([2, 3, 8, 8], { rng: new RNG(9) }));
  await checkWithOrt(m, randn([2, 3, 8, 8], { rng: new RNG(9) }), { dynamicBatch: true, runBatch: randn([3, 3, 8, 8], { rng: new RNG(11) }) });
});

test('exportOnnx names initializers by parameter path and refuses what ONNX cannot express', () => {
  const m = new LeNet5({ rng: new RNG(1) });
  const back = importOnnx(exportOnnx(m, randn([1, 1, 28, 28])));
  for (const k of Object.keys(m.stateDict())) assert.ok(k in back.stateDict(), `${k} is an initializer of the file`);
  assertThrowsWith(() => exportOnnx(m, randn([1, 1, 28, 28]), { opset: 9 }), ArgumentError, 'opset must be an integer from 13 to 17');
  const embed = new Sequential(new Embedding({ numEmbeddings: 5, embeddingDim: 3 }));
  assertThrowsWith(() => exportOnnx(embed, tensor([[1, 2]], { dtype: 'int32' })), ArgumentError, 'the op embedding in Embedding "0" has no ONNX form yet');
});

test('exportOnnx: adaptive average pooling with uneven, overlapping and growing bins (two MatMuls)', async () => {
  class Odd extends Module {
    pool = new AdaptiveAvgPool2d({ outputSize: [3, 5] });
    forward(x: Tensor) {
      return this.pool.call(x);
    }
  }
  for (const shape of [[2, 3, 7, 7], [1, 2, 2, 3], [1, 1, 1, 1]]) await checkWithOrt(new Odd(), randn(shape, { rng: new RNG(10) }));
});
