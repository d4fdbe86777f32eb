import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { add, concat, flatten, interpolate, pad, sigmoid, type InterpolateOptions } from '../../src/ops/index.js';
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

test('exportOnnx: interpolate coordinate modes, bicubic and scales as given run the same in ONNX Runtime; reflect and replicate pads export as Pad modes', async () => {
  const modes: InterpolateOptions[] = [
    { size: [7, 9], mode: 'bicubic' },
    { size: [6, 11], mode: 'bicubic', alignCorners: true },
    { size: [3, 4], mode: 'bicubic', cubicCoeff: -0.5, excludeOutside: true },
    { scaleFactor: 1.7, mode: 'bicubic', recomputeScaleFactor: false },
    { scaleFactor: [1.5, 2.5], mode: 'bilinear', recomputeScaleFactor: false },
    { size: [9, 3], mode: 'bilinear', coordinateMode: 'asymmetric' },
    { size: [7, 8], mode: 'nearest', coordinateMode: 'half_pixel', nearestMode: 'round_prefer_ceil' },
    { size: [3, 9], mode: 'nearest', coordinateMode: 'align_corners', nearestMode: 'round_prefer_floor' },
  ];
  for (const o of modes) {
    class Resize extends Module {
      forward(x: Tensor) {
        return interpolate(x, o);
      }
    }
    await checkWithOrt(new Resize(), randn([2, 3, 5, 6], { rng: new RNG(12) }), { dynamicBatch: true, runBatch: randn([3, 3, 5, 6], { rng: new RNG(13) }) });
  }
  for (const mode of ['reflect', 'replicate'] as const) {
    class Padded extends Module {
      conv = new Conv2d({ inChannels: 3, outChannels: 2, kernelSize: 3, rng: new RNG(14) });
      forward(x: Tensor) {
        return this.conv.call(pad(x, [[2, 1], [1, 3]], { mode }));
      }
    }
    await checkWithOrt(new Padded(), randn([1, 3, 5, 6], { rng: new RNG(15) }));
  }
});
