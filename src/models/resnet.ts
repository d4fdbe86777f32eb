import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import { add, flatten } from '../ops/index.js';
import { describe } from '../ops/util.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential, type AnyModule, type Parameter, registerModuleType } from '../nn/index.js';
import { jsonConfig, layerConfig, optionalBool, positiveInt } from '../nn/layers/config.js';
import {
  type BlockConfig, type ResNetVersion, type ShortcutOption, ZeroPadShortcut, blockJSON, blockOptions, checkVersion, conv1x1, conv3x3, initResNet, projection,
} from './resnet-common.js';

/*
 * ResNet as torchvision builds it (He et al. 2015, "Deep Residual Learning for
 * Image Recognition"): the same children, names and order, so torchvision's
 * state dicts load as they are. out = relu(F(x) + shortcut(x)), F being two 3×3
 * convolutions (BasicBlock) or 1×1 → 3×3 → 1×1 (Bottleneck, 4× expansion).
 */

/** The shortcut of a block whose shape changes: a projection (B) or the zero-padded identity (A); null when the identity fits. */
function shortcutFor(c: Required<Omit<BlockConfig, 'rng'>>, outChannels: number, rng?: RNG): AnyModule | null {
  if (c.stride === 1 && c.inChannels === outChannels) return null;
  if (c.shortcut === 'A') return new ZeroPadShortcut({ inChannels: c.inChannels, outChannels, stride: c.stride });
  return projection(c.inChannels, outChannels, c.stride, rng);
}

/** Two 3×3 convolutions (ResNet-18/34 and the CIFAR nets). */
export class BasicBlock extends Module {
  static override readonly typeName = 'BasicBlock';
  static readonly expansion = 1;
  readonly config: Readonly<Required<Omit<BlockConfig, 'rng'>>>;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: AnyModule | null;
  constructor(config: BlockConfig) {
    super();
    const c = blockOptions('BasicBlock', config, false);
    const { rng, ...json } = c;
    this.config = json;
    this.conv1 = conv3x3(c.inChannels, c.planes, c.stride, 1, rng);
    this.bn1 = new BatchNorm2d({ numFeatures: c.planes });
    this.relu = new ReLU();
    this.conv2 = conv3x3(c.planes, c.planes, 1, 1, rng);
    this.bn2 = new BatchNorm2d({ numFeatures: c.planes });
    this.downsample = shortcutFor(c, c.planes, rng);
  }
  forward(x: Tensor): Tensor {
    const out = this.bn2.call(this.conv2.call(this.relu.call(this.bn1.call(this.conv1.call(x)))));
    const identity = this.downsample ? this.downsample.call(x) : x;
    return this.relu.call(add(out, identity));
  }
  override toConfig(): Record<string, unknown> {
    return blockJSON(this.config);
  }
}

/** 1×1 (reduce) → 3×3 → 1×1 (expand ×4): ResNet-50/101/152. */
export class Bottleneck extends Module {
  static override readonly typeName = 'Bottleneck';
  static readonly expansion = 4;
  readonly config: Readonly<Required<Omit<BlockConfig, 'rng'>>>;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  conv3: Conv2d;
  bn3: BatchNorm2d;
  relu: ReLU;
  downsample: AnyModule | null;
  constructor(config: BlockConfig) {
    super();
    const c = blockOptions('Bottleneck', config, true);
    const { rng, ...json } = c;
    this.config = json;
    const width = Math.floor(c.planes * (c.widthPerGroup / 64)) * c.groups;
    const out = c.planes * Bottleneck.expansion;
    // V1.5 strides the 3×3 (better accuracy, torchvision's choice); V1 the first 1×1, as the paper.
    const [s1, s3] = c.version === 'v1' ? [c.stride, 1] : [1, c.stride];
    this.conv1 = conv1x1(c.inChannels, width, s1, rng);
    this.bn1 = new BatchNorm2d({ numFeatures: width });
    this.conv2 = conv3x3(width, width, s3, c.groups, rng);
    this.bn2 = new BatchNorm2d({ numFeatures: width });
    this.conv3 = conv1x1(width, out, 1, rng);
    this.bn3 = new BatchNorm2d({ numFeatures: out });
    this.relu = new ReLU();
    this.downsample = shortcutFor(c, out, rng);
  }
  forward(x: Tensor): Tensor {
    let out = this.relu.call(this.bn1.call(this.conv1.call(x)));
    out = this.relu.call(this.bn2.call(this.conv2.call(out)));
    out = this.bn3.call(this.conv3.call(out));
    const identity = this.downsample ? this.downsample.call(x) : x;
    return this.relu.call(add(out, identity));
  }
  override toConfig(): Record<string, unknown> {
    return blockJSON(this.config);
  }
}

export type ResNetBlock = 'basic' | 'bottleneck';

export interface ResNetConfig {
  block: ResNetBlock;
  /** Blocks per stage: [2, 2, 2, 2] is ResNet-18, [3, 4, 6, 3] ResNet-34 (basic) and ResNet-50 (bottleneck). */
  layers: number[];
  numClasses?: number;
  inChannels?: number;
  /** Zero the last BN weight of every block, so each starts as the identity (Goyal et al. 2017). */
  zeroInitResidual?: boolean;
  groups?: number;
  widthPerGroup?: number;
  version?: ResNetVersion;
  shortcut?: ShortcutOption;
  rng?: RNG;
}

export const RESNET_KEYS = ['block', 'layers', 'numClasses', 'inChannels', 'zeroInitResidual', 'groups', 'widthPerGroup', 'version', 'shortcut', 'rng'] as const;

type ResolvedResNetConfig = Required<Omit<ResNetConfig, 'rng'>>;

/** Check a ResNet-family config (also the pre-activation one) and fill in torchvision's defaults. */
export function resNetOptions(name: string, config: ResNetConfig): ResolvedResNetConfig & { rng?: RNG } {
  const c = layerConfig<ResNetConfig>(name, config, RESNET_KEYS, "{ block: 'basic', layers: [2, 2, 2, 2] }");
  if (c.block !== 'basic' && c.block !== 'bottleneck') throw new ArgumentError(name, `block must be 'basic' or 'bottleneck', got ${describe(c.block)}`);
  if (!Array.isArray(c.layers) || c.layers.length !== 4 || !c.layers.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new ArgumentError(name, `layers must be 4 positive block counts (one per stage), got ${describe(c.layers)}`);
  }
  optionalBool(name, 'zeroInitResidual', c.zeroInitResidual);
  const shortcut = c.shortcut ?? 'B';
  if (shortcut !== 'A' && shortcut !== 'B') throw new ArgumentError(name, `shortcut must be 'A' or 'B', got ${describe(shortcut)}`);
  return {
    block: c.block,
    layers: [...c.layers],
    numClasses: c.numClasses === undefined ? 1000 : positiveInt(name, 'numClasses', c.numClasses),
    inChannels: c.inChannels === undefined ? 3 : positiveInt(name, 'inChannels', c.inChannels),
    zeroInitResidual: c.zeroInitResidual ?? false,
    groups: c.groups === undefined ? 1 : positiveInt(name, 'groups', c.groups),
    widthPerGroup: c.widthPerGroup === undefined ? 64 : positiveInt(name, 'widthPerGroup', c.widthPerGroup),
    version: checkVersion(name, c.version),
    shortcut,
    rng: c.rng,
  };
}

/** One stage: the first block takes the stride and the change of width, the others keep both. */
export function makeStage(make: (c: BlockConfig, index: number) => AnyModule, first: BlockConfig, count: number, outChannels: number): Sequential {
  const blocks = [make(first, 0)];
  for (let i = 1; i < count; i++) blocks.push(make({ ...first, inChannels: outChannels, stride: 1 }, i));
  return new Sequential(...blocks);
}

/**
 * A ResNet's stages: stage i has `layers[i]` blocks of `planes[i]` planes
 * (outputs `planes[i] * expansion`), the first at stride 1, the others
 * downsampling by 2 in their first block. `make` gets the stage index too.
 */
export function makeStages(
  make: (c: BlockConfig, index: number, stage: number) => AnyModule,
  opts: Omit<BlockConfig, 'inChannels' | 'planes' | 'stride'>,
  inChannels: number, planes: readonly number[], layers: readonly number[], expansion: number,
): { stages: Sequential[]; outChannels: number } {
  const stages = planes.map((p, i) => {
    const s = makeStage((b, k) => make(b, k, i), { ...opts, inChannels, planes: p, stride: i === 0 ? 1 : 2 }, layers[i], p * expansion);
    inChannels = p * expansion;
    return s;
  });
  return { stages, outChannels: inChannels };
}

/**
 * The ImageNet ResNet: 7×7/2 conv, 3×3/2 max pool, four stages of 64/128/256/512
 * planes (strides 1, 2, 2, 2), global average pool, fc. Any input of at least
 * 1×1 goes through (every stride-2 layer pads), so 28×28 MNIST digits train as
 * they are; 224×224 is the size it was designed for.
 */
export class ResNet extends Module {
  static override readonly typeName = 'ResNet';
  readonly config: Readonly<ResolvedResNetConfig>;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  maxpool: MaxPool2d;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  avgpool: AdaptiveAvgPool2d;
  fc: Linear;
  constructor(config: ResNetConfig) {
    super();
    const { rng, ...c } = resNetOptions('ResNet', config);
    this.config = c;
    const Block = c.block === 'basic' ? BasicBlock : Bottleneck;
    if (Block === BasicBlock && (c.groups !== 1 || c.widthPerGroup !== 64)) {
      throw new ArgumentError('ResNet', `basic blocks take only groups = 1 and widthPerGroup = 64 (as torchvision), got ${c.groups} and ${c.widthPerGroup}`);
    }
    this.conv1 = new Conv2d({ inChannels: c.inChannels, outChannels: 64, kernelSize: 7, stride: 2, padding: 3, bias: false, rng });
    this.bn1 = new BatchNorm2d({ numFeatures: 64 });
    this.relu = new ReLU();
    this.maxpool = new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 });
    const opts = { groups: c.groups, widthPerGroup: c.widthPerGroup, version: c.version, shortcut: c.shortcut, rng };
    const { stages } = makeStages((b) => new Block(b), opts, 64, [64, 128, 256, 512], c.layers, Block.expansion);
    [this.layer1, this.layer2, this.layer3, this.layer4] = stages;
    this.avgpool = new AdaptiveAvgPool2d({ outputSize: 1 });
    this.fc = new Linear({ inFeatures: 512 * Block.expansion, outFeatures: c.numClasses, rng });
    initResNet(this, rng, c.zeroInitResidual ? lastBlockBN : null);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 'H', 'W']);
    let y = this.maxpool.call(this.relu.call(this.bn1.call(this.conv1.call(x))));
    y = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(y))));
    return this.fc.call(flatten(this.avgpool.call(y), 1));
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

/** torchvision's zero_init_residual: the BN closing each block's residual branch. */
function lastBlockBN(m: AnyModule): Parameter | null {
  if (m instanceof Bottleneck) return m.bn3.weight;
  if (m instanceof BasicBlock) return m.bn2.weight;
  return null;
}

for (const cls of [BasicBlock, Bottleneck, ResNet, ZeroPadShortcut]) registerModuleType(cls);
