import { ArgumentError, type RNG, type Tensor } from '../tensor/index.js';
import { pad, slice } from '../ops/index.js';
import { describe } from '../ops/util.js';
import { BatchNorm2d, Conv2d, Module, Sequential, type AnyModule, type Parameter, kaimingNormal_, zeros_ } from '../nn/index.js';
import { jsonConfig, layerConfig, positiveInt } from '../nn/layers/config.js';

/*
 * What the ResNet families share: torchvision's conv3x3/conv1x1 helpers, its
 * initialisation, the stride-placement option (V1 / V1.5) and the config checks.
 */

/** 'v1.5' (torchvision's default): a bottleneck's stride on its 3×3 conv; 'v1' (the paper): on the first 1×1. */
export type ResNetVersion = 'v1' | 'v1.5';

/** How a block's shortcut changes shape: 'B' a 1×1 projection (+ BN), 'A' the parameter-free zero-padded identity (He et al. 2015 §3.3). */
export type ShortcutOption = 'A' | 'B';

export function conv3x3(inChannels: number, outChannels: number, stride = 1, groups = 1, rng?: RNG): Conv2d {
  return new Conv2d({ inChannels, outChannels, kernelSize: 3, stride, padding: 1, groups, bias: false, rng });
}

export function conv1x1(inChannels: number, outChannels: number, stride = 1, rng?: RNG): Conv2d {
  return new Conv2d({ inChannels, outChannels, kernelSize: 1, stride, bias: false, rng });
}

/**
 * torchvision's ResNet initialisation: convolutions kaiming_normal_ (fan_out,
 * ReLU gain), batch norm weight 1 and bias 0 (their constructor's values), the
 * classifier as Linear's default. `zeroLast` picks, per block, the parameter
 * zeroed by zeroInitResidual (the block then starts as the identity).
 */
export function initResNet(model: AnyModule, rng: RNG | undefined, zeroLast: ((m: AnyModule) => Parameter | null) | null): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) kaimingNormal_(m.weight, { mode: 'fanOut', nonlinearity: 'relu', rng });
  }
  if (!zeroLast) return;
  for (const m of model.modules()) {
    const p = zeroLast(m);
    if (p) zeros_(p);
  }
}

/** The options every block takes. */
export interface BlockConfig {
  /** Channels coming in (torchvision's inplanes). */
  inChannels: number;
  /** The block's width before expansion (torchvision's planes): out channels are planes × expansion. */
  planes: number;
  stride?: number;
  /** Grouped 3×3 convolution (ResNeXt); bottleneck blocks only. */
  groups?: number;
  /** Channels per group at planes = 64 (ResNeXt's bottleneck width; wide ResNets use 128); bottleneck blocks only. */
  widthPerGroup?: number;
  version?: ResNetVersion;
  /** When the block changes shape: 'B' (default) projection, 'A' zero-padded identity. */
  shortcut?: ShortcutOption;
  rng?: RNG;
}

export const BLOCK_KEYS = ['inChannels', 'planes', 'stride', 'groups', 'widthPerGroup', 'version', 'shortcut', 'rng'] as const;

/** Checked block options with their defaults filled in. */
export function blockOptions(layer: string, config: BlockConfig, bottleneck: boolean): Required<Omit<BlockConfig, 'rng'>> & { rng?: RNG } {
  const c = layerConfig<BlockConfig>(layer, config, BLOCK_KEYS, '{ inChannels: 64, planes: 64 }');
  positiveInt(layer, 'inChannels', c.inChannels);
  positiveInt(layer, 'planes', c.planes);
  const stride = c.stride === undefined ? 1 : positiveInt(layer, 'stride', c.stride);
  const groups = c.groups === undefined ? 1 : positiveInt(layer, 'groups', c.groups);
  const widthPerGroup = c.widthPerGroup === undefined ? 64 : positiveInt(layer, 'widthPerGroup', c.widthPerGroup);
  if (!bottleneck && (groups !== 1 || widthPerGroup !== 64)) throw new ArgumentError(layer, `takes only groups = 1 and widthPerGroup = 64 (as torchvision's BasicBlock), got ${groups} and ${widthPerGroup}`);
  const version = checkVersion(layer, c.version);
  const shortcut = c.shortcut ?? 'B';
  if (shortcut !== 'A' && shortcut !== 'B') throw new ArgumentError(layer, `shortcut must be 'A' (zero-padded identity) or 'B' (projection), got ${describe(shortcut)}`);
  return { inChannels: c.inChannels, planes: c.planes, stride, groups, widthPerGroup, version, shortcut, rng: c.rng };
}

export function checkVersion(layer: string, v: unknown): ResNetVersion {
  if (v === undefined) return 'v1.5';
  if (v !== 'v1' && v !== 'v1.5') throw new ArgumentError(layer, `version must be 'v1' (stride on the first 1×1, as the paper) or 'v1.5' (stride on the 3×3, torchvision), got ${describe(v)}`);
  return v;
}

/** The block's config as JSON, defaults written out so that a checkpoint does not depend on them. */
export function blockJSON(c: Required<Omit<BlockConfig, 'rng'>>): Record<string, unknown> {
  return jsonConfig(c);
}

/** The projection shortcut: conv1x1 with the block's stride, then batch norm (torchvision's `downsample`). */
export function projection(inChannels: number, outChannels: number, stride: number, rng?: RNG): Sequential {
  return new Sequential(conv1x1(inChannels, outChannels, stride, rng), new BatchNorm2d({ numFeatures: outChannels }));
}

export interface ZeroPadShortcutConfig {
  inChannels: number;
  outChannels: number;
  stride?: number;
}

/**
 * Option A of He et al. 2015 (§3.3, used for their CIFAR-10 nets): the identity
 * shortcut, subsampled by taking every stride-th pixel and widened with zero
 * channels after the input's, so it has no parameters.
 */
export class ZeroPadShortcut extends Module {
  static override readonly typeName = 'ZeroPadShortcut';
  readonly config: Readonly<Required<ZeroPadShortcutConfig>>;
  constructor(config: ZeroPadShortcutConfig) {
    super();
    const c = layerConfig<ZeroPadShortcutConfig>('ZeroPadShortcut', config, ['inChannels', 'outChannels', 'stride'], '{ inChannels: 16, outChannels: 32, stride: 2 }');
    positiveInt('ZeroPadShortcut', 'inChannels', c.inChannels);
    positiveInt('ZeroPadShortcut', 'outChannels', c.outChannels);
    const stride = c.stride === undefined ? 1 : positiveInt('ZeroPadShortcut', 'stride', c.stride);
    if (c.outChannels < c.inChannels) throw new ArgumentError('ZeroPadShortcut', `outChannels (${c.outChannels}) must be at least inChannels (${c.inChannels}): zero padding only widens`);
    this.config = { inChannels: c.inChannels, outChannels: c.outChannels, stride };
  }
  forward(x: Tensor): Tensor {
    this.expectShape(x, ['N', this.config.inChannels, 'H', 'W']);
    const { inChannels, outChannels, stride } = this.config;
    const sub = stride > 1 ? slice(x, [0, 0, 0, 0], undefined, [1, 1, stride, stride]) : x;
    return outChannels > inChannels ? pad(sub, [[0, outChannels - inChannels], [0, 0], [0, 0]]) : sub;
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `${this.config.inChannels}, ${this.config.outChannels}, stride=${this.config.stride}`;
  }
}

