import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import { add, concat, flatten, mul, slice } from '../ops/index.js';
import { AdaptiveAvgPool2d, Conv2d, Dropout, Linear, MaxPool2d, Module, normal_, registerModuleType } from '../nn/index.js';
import { jsonConfig, layerConfig, optionalBool, optionalNumber, positiveInt } from '../nn/layers/config.js';
import { checkInputSize } from './input-size.js';
import { BasicConv2d, Inception, InceptionAux } from './inception.js';

export interface GoogLeNetConfig {
  numClasses?: number;
  inChannels?: number;
  /** The two auxiliary classifiers (default true, as torchvision.models.googlenet() without weights). */
  auxLogits?: boolean;
  /**
   * Map an input normalised with ImageNet's mean and std to the (x − 0.5)/0.5 range
   * the original weights were trained on, as torchvision (which turns it on only
   * for its pretrained weights; default false). Needs 3 input channels.
   */
  transformInput?: boolean;
  /** Dropout before the last fc (0.2) and in the auxiliary heads (0.7). */
  dropout?: number;
  dropoutAux?: number;
  /** 3: torchvision's branch3 (3×3, default, for parity); 5: the paper's 5×5 (see InceptionConfig). */
  branch3KernelSize?: 3 | 5;
  rng?: RNG;
}

/** What GoogLeNet returns in training mode with auxLogits; otherwise the logits tensor alone. */
export interface GoogLeNetOutputs {
  logits: Tensor;
  aux1: Tensor;
  aux2: Tensor;
}

const KEYS = ['numClasses', 'inChannels', 'auxLogits', 'transformInput', 'dropout', 'dropoutAux', 'branch3KernelSize', 'rng'] as const;

/** Table 1 of the paper: [in, #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj]. */
const TABLE = {
  inception3a: [192, 64, 96, 128, 16, 32, 32],
  inception3b: [256, 128, 128, 192, 32, 96, 64],
  inception4a: [480, 192, 96, 208, 16, 48, 64],
  inception4b: [512, 160, 112, 224, 24, 64, 64],
  inception4c: [512, 128, 128, 256, 24, 64, 64],
  inception4d: [512, 112, 144, 288, 32, 64, 64],
  inception4e: [528, 256, 160, 320, 32, 128, 128],
  inception5a: [832, 256, 160, 320, 32, 128, 128],
  inception5b: [832, 384, 192, 384, 48, 128, 128],
} as const;

/**
 * GoogLeNet (Inception v1) as torchvision builds it: BasicConv2d stem (7×7/2,
 * max pool, 1×1, 3×3, max pool), nine Inception modules with max pools after 3b
 * and 4e (ceil mode), global average pool, dropout, fc. 22 weight layers deep.
 * With auxLogits, training mode returns `{ logits, aux1, aux2 }` (aux1 after
 * inception4a, aux2 after 4d; the paper weights their losses by 0.3); eval mode
 * returns the logits. Weights as torchvision: conv and linear weights N(0, 0.01)
 * (its truncation at ±2 is 200σ away), batch norm 1 and 0, linear biases PyTorch's default.
 */
export class GoogLeNet extends Module<[Tensor], Tensor | GoogLeNetOutputs> {
  static override readonly typeName = 'GoogLeNet';
  conv1: BasicConv2d;
  maxpool1: MaxPool2d;
  conv2: BasicConv2d;
  conv3: BasicConv2d;
  maxpool2: MaxPool2d;
  inception3a: Inception;
  inception3b: Inception;
  maxpool3: MaxPool2d;
  inception4a: Inception;
  inception4b: Inception;
  inception4c: Inception;
  inception4d: Inception;
  inception4e: Inception;
  maxpool4: MaxPool2d;
  inception5a: Inception;
  inception5b: Inception;
  aux1: InceptionAux | null = null;
  aux2: InceptionAux | null = null;
  avgpool: AdaptiveAvgPool2d;
  dropout: Dropout;
  fc: Linear;
  readonly config: Readonly<Required<Omit<GoogLeNetConfig, 'rng'>>>;
  constructor(config: GoogLeNetConfig = {}, ...rest: unknown[]) {
    super();
    const c = layerConfig<GoogLeNetConfig>('GoogLeNet', config, KEYS, '{ numClasses: 10, auxLogits: false }', rest[0]);
    const numClasses = positiveInt('GoogLeNet', 'numClasses', c.numClasses ?? 1000);
    const inChannels = positiveInt('GoogLeNet', 'inChannels', c.inChannels ?? 3);
    optionalBool('GoogLeNet', 'auxLogits', c.auxLogits);
    optionalBool('GoogLeNet', 'transformInput', c.transformInput);
    optionalNumber('GoogLeNet', 'dropout', c.dropout, (v) => v >= 0 && v < 1, 'in [0, 1)');
    optionalNumber('GoogLeNet', 'dropoutAux', c.dropoutAux, (v) => v >= 0 && v < 1, 'in [0, 1)');
    const k3 = c.branch3KernelSize ?? 3;
    if (k3 !== 3 && k3 !== 5) throw new ArgumentError('GoogLeNet', `branch3KernelSize must be 3 (torchvision) or 5 (the paper), got ${JSON.stringify(k3)}`);
    if (c.transformInput && inChannels !== 3) throw new ArgumentError('GoogLeNet', `transformInput re-normalises the three RGB channels; it needs inChannels 3, got ${inChannels}`);
    this.config = {
      numClasses, inChannels, auxLogits: c.auxLogits ?? true, transformInput: c.transformInput ?? false,
      dropout: c.dropout ?? 0.2, dropoutAux: c.dropoutAux ?? 0.7, branch3KernelSize: k3,
    };
    const rng = c.rng;
    const inc = (name: keyof typeof TABLE) => {
      const [i, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj] = TABLE[name];
      return new Inception({ inChannels: i, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj, branch3KernelSize: k3, rng });
    };
    const pool = (k: number) => new MaxPool2d({ kernelSize: k, stride: 2, ceilMode: true });
    this.conv1 = new BasicConv2d({ inChannels, outChannels: 64, kernelSize: 7, stride: 2, padding: 3, rng });
    this.maxpool1 = pool(3);
    this.conv2 = new BasicConv2d({ inChannels: 64, outChannels: 64, kernelSize: 1, rng });
    this.conv3 = new BasicConv2d({ inChannels: 64, outChannels: 192, kernelSize: 3, padding: 1, rng });
    this.maxpool2 = pool(3);
    this.inception3a = inc('inception3a');
    this.inception3b = inc('inception3b');
    this.maxpool3 = pool(3);
    this.inception4a = inc('inception4a');
    this.inception4b = inc('inception4b');
    this.inception4c = inc('inception4c');
    this.inception4d = inc('inception4d');
    this.inception4e = inc('inception4e');
    this.maxpool4 = pool(2);
    this.inception5a = inc('inception5a');
    this.inception5b = inc('inception5b');
    if (this.config.auxLogits) {
      this.aux1 = new InceptionAux({ inChannels: 512, numClasses, dropout: this.config.dropoutAux, rng });
      this.aux2 = new InceptionAux({ inChannels: 528, numClasses, dropout: this.config.dropoutAux, rng });
    }
    this.avgpool = new AdaptiveAvgPool2d({ outputSize: 1 });
    this.dropout = new Dropout({ p: this.config.dropout, rng });
    this.fc = new Linear({ inFeatures: 1024, outFeatures: numClasses, rng });
    for (const m of this.modules()) if (m instanceof Conv2d || m instanceof Linear) normal_(m.weight, 0, 0.01, rng);
  }

  /** torchvision's _transform_input: channel c becomes x·(std_c/0.5) + (mean_c − 0.5)/0.5. */
  private transform(x: Tensor): Tensor {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const chans = [0, 1, 2].map((ch) => add(mul(slice(x, [0, ch], [null, ch + 1]), std[ch] / 0.5), (mean[ch] - 0.5) / 0.5));
    return concat(chans, 1);
  }

  forward(input: Tensor): Tensor | GoogLeNetOutputs {
    this.expectShape(input, ['N', this.config.inChannels, 'H', 'W']);
    checkInputSize(this, [this.conv1.conv, this.maxpool1, this.conv2.conv, this.conv3.conv, this.maxpool2, this.maxpool3, this.maxpool4], input);
    let x = this.config.transformInput ? this.transform(input) : input;
    x = this.maxpool1.call(this.conv1.call(x));
    x = this.maxpool2.call(this.conv3.call(this.conv2.call(x)));
    x = this.maxpool3.call(this.inception3b.call(this.inception3a.call(x)));
    x = this.inception4a.call(x);
    const aux1 = this.aux1 && this.training ? this.aux1.call(x) : null;
    x = this.inception4d.call(this.inception4c.call(this.inception4b.call(x)));
    const aux2 = this.aux2 && this.training ? this.aux2.call(x) : null;
    x = this.maxpool4.call(this.inception4e.call(x));
    x = this.inception5b.call(this.inception5a.call(x));
    const logits = this.fc.call(this.dropout.call(flatten(this.avgpool.call(x), 1)));
    return aux1 && aux2 ? { logits, aux1, aux2 } : logits;
  }

  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

registerModuleType(GoogLeNet);
