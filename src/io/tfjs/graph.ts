import { ArgumentError, FormatError, Tensor } from '../../tensor/index.js';
import { add, avgPool2d, concat, div, dropout, elu, globalMaxPool2d, interpolate, leakyRelu, maxPool2d, maximum, mean, minimum, mul, pad, permute, relu, reshape, softmax, sub, clamp } from '../../ops/index.js';
import { Module, type AnyModule } from '../../nn/index.js';
import { activation, nchwAxis, weightedLayer, type KerasConfig } from './layers.js';
import { concatShards, decodeWeights, type TfjsWeightGroup } from './weights.js';
import { checkManifest, checkTopology, guarded } from './validate.js';

/*
 * A TensorFlow.js layers model (model.json + weights) as a Module. Keras computes
 * in NHWC; the module takes and returns NCHW tensors like every Receptive model,
 * with the weights converted once at import. Layers whose result depends on the
 * memory order (Flatten, Reshape) see the NHWC order, so a Dense after a Flatten
 * keeps its kernel as trained.
 */

export interface TfjsModelJSON {
  format?: string;
  modelTopology: { model_config?: KerasModelConfig; class_name?: string; config?: unknown } & Record<string, unknown>;
  weightsManifest: TfjsWeightGroup[];
}

interface KerasModelConfig {
  class_name: string;
  config: { layers: KerasLayer[]; input_layers?: [string, number, number][]; output_layers?: [string, number, number][] } | KerasLayer[];
}

interface KerasLayer {
  class_name: string;
  name?: string;
  config: KerasConfig;
  inbound_nodes?: [string, number, number, unknown?][][];
}

const WEIGHTED = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'Dense', 'BatchNormalization']);
const PLAIN = new Set(['InputLayer', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'ZeroPadding2D', 'UpSampling2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten', 'Reshape', 'Dropout']);

const pairOf = (v: unknown, fallback: number): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : typeof v === 'number' ? [v, v] : [fallback, fallback]);
/** NCHW <-> NHWC for the layers that see memory order. */
const toNHWC = (x: Tensor) => (x.rank === 4 ? permute(x, [0, 2, 3, 1]) : x);

function tfPads(inSize: number[], k: number[], s: number[], same: boolean): { begin: number[]; end: number[] } {
  if (!same) return { begin: [0, 0], end: [0, 0] };
  const total = inSize.map((n, i) => Math.max((Math.ceil(n / s[i]) - 1) * s[i] + k[i] - n, 0));
  const begin = total.map((t) => Math.floor(t / 2));
  return { begin, end: total.map((t, i) => t - begin[i]) };
}

/** Run one layer without weights (or the activation after a weighted one). */
function plainLayer(cls: string, name: string, c: KerasConfig, xs: Tensor[], training: boolean): Tensor {
  const x = xs[0];
  switch (cls) {
    case 'InputLayer':
      return x;
    case 'Activation':
      return activation(c.activation, x, name);
    case 'ReLU': {
      if (c.threshold) throw new ArgumentError('importTfjsLayers', `layer "${name}": ReLU with a threshold is not supported`);
      const slope = (c.negative_slope as number) ?? 0;
      const y = slope ? leakyRelu(x, slope) : relu(x);
      return c.max_value == null ? y : clamp(y, -Infinity, c.max_value as number);
    }
    case 'LeakyReLU':
      return leakyRelu(x, (c.alpha as number) ?? 0.3);
    case 'ELU':
      return elu(x, (c.alpha as number) ?? 1);
    case 'Softmax':
      return softmax(x, nchwAxis((c.axis as number) ?? -1, x.rank));
    case 'Add':
      return xs.reduce((a, b) => add(a, b));
    case 'Subtract':
      return sub(xs[0], xs[1]);
    case 'Multiply':
      return xs.reduce((a, b) => mul(a, b));
    case 'Average':
      return div(xs.reduce((a, b) => add(a, b)), xs.length);
    case 'Maximum':
      return xs.reduce((a, b) => maximum(a, b));
    case 'Minimum':
      return xs.reduce((a, b) => minimum(a, b));
    case 'Concatenate':
      return concat(xs, nchwAxis((c.axis as number) ?? -1, x.rank));
    case 'ZeroPadding2D': {
      const p = c.padding;
      const [[t, b], [l, r]] = Array.isArray(p) && Array.isArray(p[0]) ? (p as [[number, number], [number, number]]) : (() => {
        const [h, w] = pairOf(p, 1);
        return [[h, h], [w, w]] as [[number, number], [number, number]];
      })();
      return pad(x, [[0, 0], [0, 0], [t, b], [l, r]]);
    }
    case 'UpSampling2D': {
      // TF.js resizes nearest with asymmetric coordinates and floor, which is Receptive's nearest; its bilinear differs.
      if ((c.interpolation ?? 'nearest') !== 'nearest') throw new ArgumentError('importTfjsLayers', `layer "${name}": UpSampling2D with ${String(c.interpolation)} interpolation is not supported`);
      return interpolate(x, { scaleFactor: pairOf(c.size, 2), mode: 'nearest' });
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const k = pairOf(c.pool_size, 2);
      const s = c.strides == null ? k : pairOf(c.strides, 1);
      const { begin, end } = tfPads(x.shape.slice(2), k, s, c.padding === 'same');
      const padding = [begin[0], end[0], begin[1], end[1]] as const;
      return cls === 'MaxPooling2D' ? maxPool2d(x, { kernelSize: k, stride: s, padding }) : avgPool2d(x, { kernelSize: k, stride: s, padding, countIncludePad: false });
    }
    case 'GlobalAveragePooling2D': {
      const y = mean(x, { axis: [2, 3], keepdims: !!c.keepdims });
      return c.keepdims ? permute(toNHWC(y), [0, 3, 1, 2]) : y;
    }
    case 'GlobalMaxPooling2D': {
      const y = globalMaxPool2d(x);
      return c.keepdims ? y : reshape(y, [x.shape[0], x.shape[1]]);
    }
    case 'Flatten': {
      const h = toNHWC(x);
      return reshape(h, [h.shape[0], h.size / h.shape[0]]);
    }
    case 'Reshape': {
      const target = c.target_shape as number[];
      const h = toNHWC(x);
      const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const shape = [h.shape[0], ...target.map((d) => (d === -1 ? h.size / h.shape[0] / known : d))];
      const y = reshape(h, shape);
      return y.rank === 4 ? permute(y, [0, 3, 1, 2]) : y;
    }
    case 'Dropout':
      return dropout(x, { p: (c.rate as number) ?? 0.5, training });
    default:
      throw new ArgumentError('importTfjsLayers', `layer "${name}": ${cls} is not supported`);
  }
}

interface Step {
  cls: string;
  name: string;
  config: KerasConfig;
  /** Each call of the layer: the keys of its inputs. */
  calls: string[][];
  module: AnyModule | null;
}

/** A TF.js layers model as a Module: NCHW in and out, its weighted layers as children named as in Keras; it starts in eval mode. */
export class TfjsLayersModule extends Module<Tensor[], Tensor | Tensor[]> {
  static override readonly typeName = 'TfjsLayersModel';
  readonly inputKeys: string[];
  readonly outputKeys: string[];
  private readonly steps: Step[];

  private readonly file: string;

  constructor(json: TfjsModelJSON, weightData: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[], file = 'model.json') {
    super();
    this.file = file;
    const topo = json?.modelTopology;
    const mc = (topo?.model_config ?? (topo?.class_name ? topo : undefined)) as KerasModelConfig | undefined;
    if (!mc || !mc.config) throw new FormatError(file, 'not a TF.js layers model (no modelTopology.model_config); graph models are not supported');
    checkTopology(mc as unknown as Record<string, unknown>, file);
    checkManifest(json.weightsManifest ?? [], file);
    const data = concatShards(Array.isArray(weightData) ? weightData : [weightData as ArrayBuffer]);
    const weights = decodeWeights(json.weightsManifest ?? [], data, file);
    const byLayer = new Map<string, Map<string, Tensor>>();
    for (const [full, t] of weights) {
      const parts = full.replace(/:\d+$/, '').split('/');
      const layer = parts.length > 1 ? parts[parts.length - 2] : '';
      if (!byLayer.has(layer)) byLayer.set(layer, new Map());
      byLayer.get(layer)!.set(parts[parts.length - 1], t);
    }
    const sequential = mc.class_name === 'Sequential';
    const layers = Array.isArray(mc.config) ? mc.config : mc.config.layers;
    if (!Array.isArray(layers)) throw new FormatError(file, 'model_config has no list of layers');
    this.steps = layers.map((l, i) => {
      const name = l.name ?? (l.config.name as string) ?? `layer_${i}`;
      if (!WEIGHTED.has(l.class_name) && !PLAIN.has(l.class_name)) throw new ArgumentError('importTfjsLayers', `layer "${name}": ${l.class_name} is not supported (supported: ${[...WEIGHTED, ...PLAIN].join(', ')})`);
      const calls = sequential ? [[i === 0 ? '__input__:0:0' : `${layers[i - 1].name ?? layers[i - 1].config.name}:0:0`]] : (l.inbound_nodes ?? []).map((node) => node.map(([n, k, j]) => `${n}:${k}:${j}`));
      const module = WEIGHTED.has(l.class_name) ? guarded(file, name, l.class_name, () => weightedLayer(l.class_name, name, l.config, byLayer.get(name))) : null;
      if (module) this.registerModule(name in this ? `layer:${name}` : name, module);
      return { cls: l.class_name, name, config: l.config, calls, module };
    });
    // A pretrained model is for inference first: batch norm uses its moving statistics until train() is called.
    this.eval();
    if (sequential) {
      const first = this.steps[0];
      if (first.cls === 'InputLayer') first.calls = [['__input__:0:0']];
      this.inputKeys = ['__input__:0:0'];
      this.outputKeys = [`${this.steps[this.steps.length - 1].name}:0:0`];
    } else {
      const cfg = mc.config as { input_layers?: [string, number, number][]; output_layers?: [string, number, number][] };
      this.inputKeys = (cfg.input_layers ?? []).map(([n, k, j]) => `${n}:${k}:${j}`);
      this.outputKeys = (cfg.output_layers ?? []).map(([n, k, j]) => `${n}:${k}:${j}`);
    }
  }

  forward(...inputs: Tensor[]): Tensor | Tensor[] {
    if (inputs.length !== this.inputKeys.length) throw new ArgumentError(this.label(), `takes ${this.inputKeys.length} input(s), got ${inputs.length}`);
    const values = new Map<string, Tensor>();
    this.inputKeys.forEach((k, i) => values.set(k, inputs[i]));
    for (const step of this.steps) {
      step.calls.forEach((keys, callIndex) => {
        if (step.cls === 'InputLayer') {
          const own = `${step.name}:0:0`;
          if (!values.has(own)) throw new ArgumentError(this.label(), `input layer "${step.name}" was not given a tensor`);
          return;
        }
        const xs = keys.map((k) => {
          const v = values.get(k);
          if (!v) throw new FormatError('importTfjsLayers', `layer "${step.name}" reads "${k.split(':')[0]}" before it is computed`);
          return v;
        });
        const y = guarded(this.file, step.name, step.cls, () => {
          const out = step.module ? step.module.call(xs[0]) : plainLayer(step.cls, step.name, step.config, xs, this.training);
          return step.module && step.config.activation ? activation(step.config.activation, out, step.name) : out;
        });
        values.set(`${step.name}:${callIndex}:0`, y);
      });
    }
    const outs = this.outputKeys.map((k) => values.get(k)!);
    return outs.length === 1 ? outs[0] : outs;
  }
}

function parseModelJson(text: string): TfjsModelJSON {
  try {
    return JSON.parse(text) as TfjsModelJSON;
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    throw new FormatError('model.json', `is not valid JSON: ${(e as Error).message}`, at ? Number(at[1]) : undefined);
  }
}

/** A TF.js layers model (its model.json, parsed or as text, and its weight bytes) as a trainable Module. */
export function importTfjsLayers(modelJson: TfjsModelJSON | string, weightData: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[]): TfjsLayersModule {
  const json = typeof modelJson === 'string' ? parseModelJson(modelJson) : modelJson;
  return new TfjsLayersModule(json, weightData);
}
