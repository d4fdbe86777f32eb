import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, FormatError, RNG, Tensor, randn } from '../../src/tensor/index.js';
import { concat, interpolate, permute, slice } from '../../src/ops/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { enableWasmBackend } from '../../src/backend/wasm/index.js';
import { importTfjsLayers, type TfjsModelJSON } from '../../src/io/tfjs/index.js';
import { assertThrowsWith } from '../helpers.js';
import { tinyModel } from './tfjs-tiny.js';

// Issue 14: TF.js layers models in, checked against the files' own expected output and
// against TensorFlow.js itself (the peer engine) running the same model.json and weights.
const require = createRequire(import.meta.url);
before(() => enableWasmBackend());

/** A package's folder (these packages export no subpaths for their model files). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) dir = dirname(dir);
  return dir;
}

const readPng = (path: string | URL) => PNG.sync.read(readFileSync(path));

/** NCHW [1, 3, H, W] from a PNG's RGB bytes, scaled by `scale`. */
function pngTensor(png: PNG, scale: number): Tensor {
  const { width: W, height: H } = png;
  const x = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) for (let i = 0; i < H * W; i++) x[c * H * W + i] = png.data[i * 4 + c] * scale;
  return new Tensor(x, [1, 3, H, W]);
}

/** Run the same model in TF.js (NHWC) and return its output as NCHW (or [N, K]). */
async function tfjsRun(json: TfjsModelJSON, weights: Uint8Array, x: Tensor): Promise<Tensor> {
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[], weightData: weights.slice().buffer }));
  const nhwc = tf.tensor(Float32Array.from(permute(x, [0, 2, 3, 1]).data), [x.shape[0], x.shape[2], x.shape[3], x.shape[1]]);
  const y = model.predict(nhwc) as tf.Tensor;
  const data = Float32Array.from(await y.data());
  const t = new Tensor(data, y.shape);
  return t.rank === 4 ? permute(t, [0, 3, 1, 2]) : t;
}

function maxDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual([...a.shape], [...b.shape]);
  let worst = 0;
  for (let i = 0; i < a.size; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  return worst;
}

test('UpscalerJS default model (2x RDN): imported, it reproduces the shipped 2x result within one grey level', () => {
  const dir = packageDir('@upscalerjs/default-model') + '/';
  const model = importTfjsLayers(readFileSync(dir + 'models/model.json', 'utf8'), readFileSync(dir + 'models/group1-shard1of1.bin'));
  const input = pngTensor(readPng(dir + 'assets/fixture.png'), 1); // the model works on 0–255
  const expected = readPng(dir + 'assets/samples/2x/result.png');
  const y = noGrad(() => model.call(input)) as Tensor;
  const [, , H, W] = y.shape;
  assert.deepEqual([H, W], [expected.height, expected.width]);
  let worst = 0;
  for (let c = 0; c < 3; c++) for (let i = 0; i < H * W; i++) worst = Math.max(worst, Math.abs(Math.round(Math.min(255, Math.max(0, y.data[c * H * W + i]))) - expected.data[i * 4 + c]));
  assert.ok(worst <= 1, `largest difference ${worst} grey levels`);
});

test('nsfwjs MobileNetV2 (uint8-quantised weights, depthwise convs, ReLU6, batch norm): within 1e-4 of TensorFlow.js', async () => {
  // nsfwjs ships the model.json and the base64 weights as CommonJS modules.
  const models = join(packageDir('nsfwjs'), 'dist/models/mobilenet_v2');
  const json = require(join(models, 'model.min.js')) as TfjsModelJSON;
  const weights = new Uint8Array(Buffer.from(require(join(models, 'group1-shard1of1.min.js')) as string, 'base64'));
  const model = importTfjsLayers(json, weights);
  // A real photo: crops of scikit-image's text image, resized to the model's 224×224, grey to RGB.
  const png = readPng(new URL('../fixtures/images/skimage-text.png', import.meta.url));
  const grey = new Tensor(Float32Array.from({ length: png.width * png.height }, (_, i) => png.data[i * 4] / 255), [1, 1, png.height, png.width]);
  const crops = [0, 150].map((x0) => interpolate(slice(grey, [0, 0, 0, x0], [1, 1, 172, x0 + 172]), { size: [224, 224], mode: 'bilinear' }));
  const x = concat(crops.map((c) => concat([c, c, c], 1)), 0);
  const ours = noGrad(() => model.call(x)) as Tensor;
  const theirs = await tfjsRun(json, weights, x);
  const d = maxDiff(ours, theirs);
  assert.ok(d < 1e-4, `largest difference ${d}`);
});

test('a hand-built functional model (same/valid padding, quantised depthwise weights, Flatten → Dense) matches TensorFlow.js', async () => {
  const { json, weights } = tinyModel();
  const model = importTfjsLayers(json, weights);
  const x = randn([2, 2, 7, 7], { rng: new RNG(4) });
  const d = maxDiff(noGrad(() => model.call(x)) as Tensor, await tfjsRun(json, weights, x));
  assert.ok(d < 1e-5, `largest difference ${d}`);
  assert.deepEqual(Object.keys(model.stateDict()).slice(0, 3), ['conv.weight', 'conv.bias', 'dw.weight']);
});

test('importTfjsLayers names what it cannot load: the layer class, a missing weight, short weight data', () => {
  const { json, weights } = tinyModel();
  const bad = structuredClone(json) as unknown as { modelTopology: { model_config: { config: { layers: { class_name: string }[] } } } };
  bad.modelTopology.model_config.config.layers[2].class_name = 'Cropping3D';
  assertThrowsWith(() => importTfjsLayers(bad as unknown as TfjsModelJSON, weights), ArgumentError, 'layer "zp": Cropping3D is not supported');
  assertThrowsWith(() => importTfjsLayers(json, weights.subarray(0, 100)), FormatError, 'weight "conv/kernel" needs 288 bytes but the weight data ends 100 bytes later');
  assertThrowsWith(() => importTfjsLayers({ modelTopology: {}, weightsManifest: [] } as unknown as TfjsModelJSON, new Uint8Array(0)), FormatError, 'not a TF.js layers model');
});
