import { RNG, randn } from '../../src/tensor/index.js';
import type { TfjsModelJSON } from '../../src/io/tfjs/index.js';

/** A small functional model with every converted layout: conv, depthwise, BN, padding, pooling, concat, Flatten → Dense. */
export function tinyModel(): { json: TfjsModelJSON; weights: Uint8Array } {
  const rng = new RNG(3);
  const specs: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string; min: number; scale: number } }[] = [];
  const chunks: Uint8Array[] = [];
  const f32 = (name: string, shape: number[]) => {
    specs.push({ name, shape, dtype: 'float32' });
    chunks.push(new Uint8Array(Float32Array.from(randn(shape, { rng }).data).buffer));
  };
  const u8 = (name: string, shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'uint8', min: -0.5, scale: 1 / 255 } });
    chunks.push(Uint8Array.from({ length: n }, () => rng.int(0, 256)));
  };
  f32('conv/kernel', [3, 3, 2, 4]);
  f32('conv/bias', [4]);
  u8('dw/depthwise_kernel', [3, 3, 4, 2]);
  for (const p of ['gamma', 'beta', 'moving_mean']) f32(`bn/${p}`, [8]);
  specs.push({ name: 'bn/moving_variance', shape: [8], dtype: 'float32' });
  chunks.push(new Uint8Array(Float32Array.from({ length: 8 }, (_, i) => 0.5 + i / 8).buffer));
  f32('fc/kernel', [12 * 3 * 3, 5]);
  f32('fc/bias', [5]);
  const L = (class_name: string, name: string, config: object, inputs: string[]) => ({ class_name, name, config: { name, ...config }, inbound_nodes: inputs.length ? [inputs.map((n) => [n, 0, 0, {}])] : [] });
  const layers = [
    L('InputLayer', 'in', { batch_input_shape: [null, 7, 7, 2] }, []),
    L('Conv2D', 'conv', { filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true }, ['in']),
    L('ZeroPadding2D', 'zp', { padding: [[0, 1], [0, 1]] }, ['conv']),
    L('DepthwiseConv2D', 'dw', { kernel_size: [3, 3], strides: [2, 2], padding: 'valid', depth_multiplier: 2, use_bias: false, activation: 'linear' }, ['zp']),
    L('BatchNormalization', 'bn', { axis: -1, epsilon: 1e-3 }, ['dw']),
    L('ReLU', 'relu6', { max_value: 6 }, ['bn']),
    L('MaxPooling2D', 'pool', { pool_size: [2, 2], strides: [1, 1], padding: 'same' }, ['conv']),
    L('AveragePooling2D', 'avg', { pool_size: [3, 3], strides: [2, 2], padding: 'valid' }, ['pool']),
    L('Concatenate', 'cat', { axis: -1 }, ['relu6', 'avg']),
    L('Flatten', 'flat', {}, ['cat']),
    L('Dense', 'fc', { units: 5, activation: 'softmax', use_bias: true }, ['flat']),
  ];
  const json = {
    format: 'layers-model',
    modelTopology: { keras_version: '2.9.0', backend: 'tensorflow', model_config: { class_name: 'Functional', config: { name: 'tiny', layers, input_layers: [['in', 0, 0]], output_layers: [['fc', 0, 0]] } } },
    weightsManifest: [{ paths: ['w.bin'], weights: specs }],
  } as unknown as TfjsModelJSON;
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const weights = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) (weights.set(c, o), (o += c.length));
  return { json, weights };
}
