import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import { flatten } from '../ops/index.js';
import {
  AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, LocalResponseNorm, MaxPool2d, Module, ReLU, Sequential,
  constant_, kaimingNormal_, normal_, registerModuleType, type AnyModule,
} from '../nn/index.js';
import { jsonConfig, layerConfig, optionalBool, optionalNumber, positiveInt } from '../nn/layers/config.js';
import { checkInputSize, type ShrinkingLayer } from './input-size.js';

/** The paper's configurations (Simonyan & Zisserman 2014, Table 1). */
export type VGGConfigName = 'A' | 'A-LRN' | 'B' | 'C' | 'D' | 'E';

/** One column of Table 1: 3 = conv3 (3×3, padding 1), 1 = conv1 (1×1), 'M' = max pool 2×2/2, 'LRN' after the preceding ReLU. */
type Layer = { conv: 3 | 1; channels: number } | 'M' | 'LRN';

const c3 = (channels: number): Layer => ({ conv: 3, channels });
const c1 = (channels: number): Layer => ({ conv: 1, channels });

/** Table 1, every column: the weight layers (conv + the three FC) number 11, 11, 13, 16, 16, 19. */
export const VGG_CONFIGS: Readonly<Record<VGGConfigName, readonly Layer[]>> = {
  A: [c3(64), 'M', c3(128), 'M', c3(256), c3(256), 'M', c3(512), c3(512), 'M', c3(512), c3(512), 'M'],
  'A-LRN': [c3(64), 'LRN', 'M', c3(128), 'M', c3(256), c3(256), 'M', c3(512), c3(512), 'M', c3(512), c3(512), 'M'],
  B: [c3(64), c3(64), 'M', c3(128), c3(128), 'M', c3(256), c3(256), 'M', c3(512), c3(512), 'M', c3(512), c3(512), 'M'],
  // C: D's third layer of the last three blocks as a 1×1 convolution (a linear map of the channels plus a ReLU).
  C: [c3(64), c3(64), 'M', c3(128), c3(128), 'M', c3(256), c3(256), c1(256), 'M', c3(512), c3(512), c1(512), 'M', c3(512), c3(512), c1(512), 'M'],
  D: [c3(64), c3(64), 'M', c3(128), c3(128), 'M', c3(256), c3(256), c3(256), 'M', c3(512), c3(512), c3(512), 'M', c3(512), c3(512), c3(512), 'M'],
  E: [c3(64), c3(64), 'M', c3(128), c3(128), 'M', c3(256), c3(256), c3(256), c3(256), 'M', c3(512), c3(512), c3(512), c3(512), 'M', c3(512), c3(512), c3(512), c3(512), 'M'],
};

export interface VGGConfig {
  /** The paper's column: A (vgg11), A-LRN, B (vgg13), C, D (vgg16), E (vgg19). */
  config: VGGConfigName;
  /** A BatchNorm2d after every convolution (torchvision's vgg*_bn; not in the paper). */
  batchNorm?: boolean;
  numClasses?: number;
  inChannels?: number;
  /** Dropout probability after the two hidden fully-connected layers (0.5). */
  dropout?: number;
  rng?: RNG;
}

const KEYS = ['config', 'batchNorm', 'numClasses', 'inChannels', 'dropout', 'rng'] as const;

/** The LRN of A-LRN: the paper takes AlexNet's (n = 5, k = 2, α = 1e-4 on the sum, β = 0.75); LocalResponseNorm's α is per channel, hence α·n. */
const LRN = { size: 5, alpha: 1e-4 * 5, beta: 0.75, k: 2 };

/**
 * VGG as torchvision builds it: `features` (torchvision's make_layers: conv,
 * [batch norm,] ReLU, and max pools, numbered as one Sequential), `avgpool`
 * (adaptive to 7×7, the identity at 224×224) and `classifier` (4096, ReLU,
 * dropout, 4096, ReLU, dropout, numClasses). Initialisation is torchvision's:
 * convolutions kaiming-normal (fan out, ReLU) with zero bias, batch norm 1 and 0,
 * linear layers N(0, 0.01) with zero bias. Configurations C and A-LRN, which
 * torchvision does not ship, are built by the same rules (A-LRN's LRN follows
 * the first ReLU, so later feature indices shift by one).
 */
export class VGG extends Module {
  static override readonly typeName = 'VGG';
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;
  readonly config: Readonly<Required<Omit<VGGConfig, 'rng'>>>;
  constructor(config: VGGConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<VGGConfig>('VGG', config, KEYS, "{ config: 'D', batchNorm: true }", rest[0]);
    if (!Object.hasOwn(VGG_CONFIGS, c.config)) throw new ArgumentError('VGG', `config must be one of ${Object.keys(VGG_CONFIGS).join(', ')}, got ${JSON.stringify(c.config)}`);
    optionalBool('VGG', 'batchNorm', c.batchNorm);
    optionalNumber('VGG', 'dropout', c.dropout, (v) => v >= 0 && v < 1, 'in [0, 1)');
    const numClasses = positiveInt('VGG', 'numClasses', c.numClasses ?? 1000);
    const inChannels = positiveInt('VGG', 'inChannels', c.inChannels ?? 3);
    this.config = { config: c.config, batchNorm: c.batchNorm ?? false, numClasses, inChannels, dropout: c.dropout ?? 0.5 };
    const rng = c.rng;
    const layers: AnyModule[] = [];
    let channels = inChannels;
    for (const l of VGG_CONFIGS[c.config]) {
      if (l === 'M') layers.push(new MaxPool2d({ kernelSize: 2, stride: 2 }));
      else if (l === 'LRN') layers.push(new LocalResponseNorm(LRN));
      else {
        layers.push(new Conv2d({ inChannels: channels, outChannels: l.channels, kernelSize: l.conv, padding: l.conv === 3 ? 1 : 0, rng }));
        if (this.config.batchNorm) layers.push(new BatchNorm2d({ numFeatures: l.channels }));
        layers.push(new ReLU());
        channels = l.channels;
      }
    }
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d({ outputSize: 7 });
    const p = this.config.dropout;
    this.classifier = new Sequential(
      new Linear({ inFeatures: 512 * 7 * 7, outFeatures: 4096, rng }), new ReLU(), new Dropout({ p, rng }),
      new Linear({ inFeatures: 4096, outFeatures: 4096, rng }), new ReLU(), new Dropout({ p, rng }),
      new Linear({ inFeatures: 4096, outFeatures: numClasses, rng }),
    );
    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        kaimingNormal_(m.weight, { mode: 'fanOut', nonlinearity: 'relu', rng });
        if (m.bias) constant_(m.bias, 0);
      } else if (m instanceof Linear) {
        normal_(m.weight, 0, 0.01, rng);
        if (m.bias) constant_(m.bias, 0);
      }
      // BatchNorm2d starts at weight 1, bias 0 already.
    }
  }

  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 'H', 'W']);
    const shrinking = this.features.layers.filter((l): l is ShrinkingLayer => l instanceof Conv2d || l instanceof MaxPool2d);
    checkInputSize(this, shrinking, x);
    return this.classifier.call(flatten(this.avgpool.call(this.features.call(x)), 1));
  }

  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

registerModuleType(VGG);
