import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import { add, flatten } from '../ops/index.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential, type AnyModule, type Parameter, registerModuleType } from '../nn/index.js';
import { jsonConfig, layerConfig, optionalBool } from '../nn/layers/config.js';
import { BLOCK_KEYS, type BlockConfig, ZeroPadShortcut, blockOptions, conv1x1, conv3x3, initResNet } from './resnet-common.js';
import { type ResNetConfig, makeStages, resNetOptions } from './resnet.js';

/*
 * The pre-activation ResNet of He et al. 2016, "Identity Mappings in Deep
 * Residual Networks": each block computes BN → ReLU → conv (twice, or three
 * times in the bottleneck) and adds its input unchanged, with no ReLU after the
 * addition, so the identity path runs clean from the stem to the head. As the
 * paper's appendix says, the first block shares the stem's BN-ReLU (it has no
 * pre-activation of its own) and the net ends with an extra BN-ReLU before pooling.
 */

export interface PreActBlockConfig extends BlockConfig {
  /** false for the block right after the stem, whose BN-ReLU the stem already applied. */
  preactivate?: boolean;
}

const PREACT_KEYS = [...BLOCK_KEYS, 'preactivate'] as const;

function preactOptions(layer: string, config: PreActBlockConfig, bottleneck: boolean) {
  const { preactivate, ...rest } = layerConfig<PreActBlockConfig>(layer, config, PREACT_KEYS, '{ inChannels: 64, planes: 64 }');
  optionalBool(layer, 'preactivate', preactivate);
  return { ...blockOptions(layer, rest, bottleneck), preactivate: preactivate ?? true };
}

/**
 * The shortcut when the shape changes. A projection (B: a 1×1 conv, no BN, as
 * the next block normalises) reads the pre-activated input, as in the authors'
 * code; option A pads the raw input.
 */
function preactShortcut(c: { inChannels: number; stride: number; shortcut: 'A' | 'B' }, outChannels: number, rng?: RNG): AnyModule | null {
  if (c.stride === 1 && c.inChannels === outChannels) return null;
  if (c.shortcut === 'A') return new ZeroPadShortcut({ inChannels: c.inChannels, outChannels, stride: c.stride });
  return new Sequential(conv1x1(c.inChannels, outChannels, c.stride, rng));
}

/** Shared forward of both blocks: pre-activate, run the branch, add the shortcut. */
function residual(block: { bn1: BatchNorm2d | null; relu: ReLU; downsample: AnyModule | null }, x: Tensor, branch: (h: Tensor) => Tensor): Tensor {
  const h = block.bn1 ? block.relu.call(block.bn1.call(x)) : x;
  let shortcut = x;
  if (block.downsample) shortcut = block.downsample.call(block.downsample instanceof ZeroPadShortcut ? x : h);
  return add(branch(h), shortcut);
}

/** BN-ReLU-conv3×3, BN-ReLU-conv3×3, + x. */
export class PreActBasicBlock extends Module {
  static override readonly typeName = 'PreActBasicBlock';
  static readonly expansion = 1;
  readonly config: Readonly<Required<Omit<PreActBlockConfig, 'rng'>>>;
  bn1: BatchNorm2d | null;
  relu: ReLU;
  conv1: Conv2d;
  bn2: BatchNorm2d;
  conv2: Conv2d;
  downsample: AnyModule | null;
  constructor(config: PreActBlockConfig) {
    super();
    const { rng, ...c } = preactOptions('PreActBasicBlock', config, false);
    this.config = c;
    this.bn1 = c.preactivate ? new BatchNorm2d({ numFeatures: c.inChannels }) : null;
    this.relu = new ReLU();
    this.conv1 = conv3x3(c.inChannels, c.planes, c.stride, 1, rng);
    this.bn2 = new BatchNorm2d({ numFeatures: c.planes });
    this.conv2 = conv3x3(c.planes, c.planes, 1, 1, rng);
    this.downsample = preactShortcut(c, c.planes, rng);
  }
  forward(x: Tensor): Tensor {
    return residual(this, x, (h) => this.conv2.call(this.relu.call(this.bn2.call(this.conv1.call(h)))));
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

/** BN-ReLU-conv1×1, BN-ReLU-conv3×3, BN-ReLU-conv1×1 (×4), + x. */
export class PreActBottleneck extends Module {
  static override readonly typeName = 'PreActBottleneck';
  static readonly expansion = 4;
  readonly config: Readonly<Required<Omit<PreActBlockConfig, 'rng'>>>;
  bn1: BatchNorm2d | null;
  relu: ReLU;
  conv1: Conv2d;
  bn2: BatchNorm2d;
  conv2: Conv2d;
  bn3: BatchNorm2d;
  conv3: Conv2d;
  downsample: AnyModule | null;
  constructor(config: PreActBlockConfig) {
    super();
    const { rng, ...c } = preactOptions('PreActBottleneck', config, true);
    this.config = c;
    const width = Math.floor(c.planes * (c.widthPerGroup / 64)) * c.groups;
    const out = c.planes * PreActBottleneck.expansion;
    const [s1, s3] = c.version === 'v1' ? [c.stride, 1] : [1, c.stride];
    this.bn1 = c.preactivate ? new BatchNorm2d({ numFeatures: c.inChannels }) : null;
    this.relu = new ReLU();
    this.conv1 = conv1x1(c.inChannels, width, s1, rng);
    this.bn2 = new BatchNorm2d({ numFeatures: width });
    this.conv2 = conv3x3(width, width, s3, c.groups, rng);
    this.bn3 = new BatchNorm2d({ numFeatures: width });
    this.conv3 = conv1x1(width, out, 1, rng);
    this.downsample = preactShortcut(c, out, rng);
  }
  forward(x: Tensor): Tensor {
    return residual(this, x, (h) => {
      const a = this.relu.call(this.bn2.call(this.conv1.call(h)));
      return this.conv3.call(this.relu.call(this.bn3.call(this.conv2.call(a))));
    });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

/**
 * Pre-activation ResNet at ImageNet scale: the stem of ResNet (conv 7×7/2,
 * BN, ReLU, max pool), four stages of pre-activation blocks, then the final
 * BN-ReLU (`finalBn`), global average pool and fc. Same options as ResNet;
 * zeroInitResidual zeroes the last convolution of each block.
 */
export class PreActResNet extends Module {
  static override readonly typeName = 'PreActResNet';
  readonly config: Readonly<Required<Omit<ResNetConfig, 'rng'>>>;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  maxpool: MaxPool2d;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  finalBn: BatchNorm2d;
  avgpool: AdaptiveAvgPool2d;
  fc: Linear;
  constructor(config: ResNetConfig) {
    super();
    const { rng, ...c } = resNetOptions('PreActResNet', config);
    this.config = c;
    const Block = c.block === 'basic' ? PreActBasicBlock : PreActBottleneck;
    if (Block === PreActBasicBlock && (c.groups !== 1 || c.widthPerGroup !== 64)) {
      throw new ArgumentError('PreActResNet', `basic blocks take only groups = 1 and widthPerGroup = 64, got ${c.groups} and ${c.widthPerGroup}`);
    }
    this.conv1 = new Conv2d({ inChannels: c.inChannels, outChannels: 64, kernelSize: 7, stride: 2, padding: 3, bias: false, rng });
    this.bn1 = new BatchNorm2d({ numFeatures: 64 });
    this.relu = new ReLU();
    this.maxpool = new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 });
    const opts = { groups: c.groups, widthPerGroup: c.widthPerGroup, version: c.version, shortcut: c.shortcut, rng };
    // Only the very first block follows the stem's BN-ReLU directly.
    const make = (b: BlockConfig, k: number, stage: number) => new Block({ ...b, preactivate: stage > 0 || k > 0 });
    const { stages, outChannels: inChannels } = makeStages(make, opts, 64, [64, 128, 256, 512], c.layers, Block.expansion);
    [this.layer1, this.layer2, this.layer3, this.layer4] = stages;
    this.finalBn = new BatchNorm2d({ numFeatures: inChannels });
    this.avgpool = new AdaptiveAvgPool2d({ outputSize: 1 });
    this.fc = new Linear({ inFeatures: inChannels, outFeatures: c.numClasses, rng });
    initResNet(this, rng, c.zeroInitResidual ? lastConv : null);
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 'H', 'W']);
    let y = this.maxpool.call(this.relu.call(this.bn1.call(this.conv1.call(x))));
    y = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(y))));
    y = this.relu.call(this.finalBn.call(y));
    return this.fc.call(flatten(this.avgpool.call(y), 1));
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
}

function lastConv(m: AnyModule): Parameter | null {
  if (m instanceof PreActBottleneck) return m.conv3.weight;
  if (m instanceof PreActBasicBlock) return m.conv2.weight;
  return null;
}

for (const cls of [PreActBasicBlock, PreActBottleneck, PreActResNet]) registerModuleType(cls);
