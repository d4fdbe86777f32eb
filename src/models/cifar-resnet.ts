import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import { flatten } from '../ops/index.js';
import { describe } from '../ops/util.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, Module, ReLU, Sequential, type AnyModule, type Parameter, registerModuleType } from '../nn/index.js';
import { jsonConfig, layerConfig, optionalBool, positiveInt } from '../nn/layers/config.js';
import { type ShortcutOption, conv3x3, initResNet } from './resnet-common.js';
import { BasicBlock, makeStages } from './resnet.js';

/*
 * The CIFAR-10 ResNets of He et al. 2015, §4.2: a 3×3 conv with 16 filters,
 * three stages of n basic blocks at 16, 32 and 64 filters on 32×32, 16×16 and
 * 8×8 maps, global average pooling and the classifier: 6n + 2 weight layers
 * (n = 3, 5, 7, 9, 18 give ResNet-20, 32, 44, 56, 110). Shortcuts are option A,
 * the zero-padded identity, so the count is the paper's (0.27M for ResNet-20).
 */

export interface CifarResNetConfig {
  /** 6n + 2: 20, 32, 44, 56, 110, 1202 … */
  depth: number;
  /** 'A' (default, the paper's CIFAR choice): zero-padded identity; 'B': 1×1 projections where the shape changes. */
  shortcut?: ShortcutOption;
  numClasses?: number;
  inChannels?: number;
  zeroInitResidual?: boolean;
  rng?: RNG;
}

type Resolved = Required<Omit<CifarResNetConfig, 'rng'>>;

export class CifarResNet extends Module {
  static override readonly typeName = 'CifarResNet';
  readonly config: Readonly<Resolved>;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  avgpool: AdaptiveAvgPool2d;
  fc: Linear;
  constructor(config: CifarResNetConfig) {
    super();
    const c = layerConfig<CifarResNetConfig>('CifarResNet', config, ['depth', 'shortcut', 'numClasses', 'inChannels', 'zeroInitResidual', 'rng'], '{ depth: 20 }');
    if (typeof c.depth !== 'number' || !Number.isInteger(c.depth) || c.depth < 8 || (c.depth - 2) % 6 !== 0) {
      throw new ArgumentError('CifarResNet', `depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110, ...), got ${describe(c.depth)}`);
    }
    const shortcut = c.shortcut ?? 'A';
    if (shortcut !== 'A' && shortcut !== 'B') throw new ArgumentError('CifarResNet', `shortcut must be 'A' (zero-padded identity) or 'B' (projection), got ${describe(shortcut)}`);
    optionalBool('CifarResNet', 'zeroInitResidual', c.zeroInitResidual);
    const resolved: Resolved = {
      depth: c.depth,
      shortcut,
      numClasses: c.numClasses === undefined ? 10 : positiveInt('CifarResNet', 'numClasses', c.numClasses),
      inChannels: c.inChannels === undefined ? 3 : positiveInt('CifarResNet', 'inChannels', c.inChannels),
      zeroInitResidual: c.zeroInitResidual ?? false,
    };
    this.config = resolved;
    const rng = c.rng;
    const n = (c.depth - 2) / 6;
    this.conv1 = conv3x3(resolved.inChannels, 16, 1, 1, rng);
    this.bn1 = new BatchNorm2d({ numFeatures: 16 });
    this.relu = new ReLU();
    const { stages } = makeStages((b) => new BasicBlock(b), { shortcut, rng }, 16, [16, 32, 64], [n, n, n], 1);
    [this.layer1, this.layer2, this.layer3] = stages;
    this.avgpool = new AdaptiveAvgPool2d({ outputSize: 1 });
    this.fc = new Linear({ inFeatures: 64, outFeatures: resolved.numClasses, rng });
    initResNet(this, rng, resolved.zeroInitResidual ? (m: AnyModule): Parameter | null => (m instanceof BasicBlock ? m.bn2.weight : null) : null);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 'H', 'W']);
    let y = this.relu.call(this.bn1.call(this.conv1.call(x)));
    y = this.layer3.call(this.layer2.call(this.layer1.call(y)));
    return this.fc.call(flatten(this.avgpool.call(y), 1));
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

registerModuleType(CifarResNet);
