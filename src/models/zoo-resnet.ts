import { ArgumentError, type RNG } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import type { ModelEntry } from './registry.js';
import { ResNet, type ResNetBlock, type ResNetConfig } from './resnet.js';
import { PreActResNet } from './preact-resnet.js';
import { CifarResNet } from './cifar-resnet.js';

/*
 * The ResNet family in the model registry, under torchvision's names (and
 * preact_resnetNN, resnet20 … resnet110 for the two that torchvision lacks).
 */

type Arch = { block: ResNetBlock; layers: number[]; groups?: number; widthPerGroup?: number };

const IMAGENET: Record<string, Arch & { what: string }> = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2], what: 'ResNet-18' },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3], what: 'ResNet-34' },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3], what: 'ResNet-50' },
  resnet101: { block: 'bottleneck', layers: [3, 4, 23, 3], what: 'ResNet-101' },
  resnet152: { block: 'bottleneck', layers: [3, 8, 36, 3], what: 'ResNet-152' },
};

const VARIANTS: Record<string, Arch & { what: string }> = {
  resnext50_32x4d: { block: 'bottleneck', layers: [3, 4, 6, 3], groups: 32, widthPerGroup: 4, what: 'ResNeXt-50 32×4d' },
  resnext101_32x8d: { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 32, widthPerGroup: 8, what: 'ResNeXt-101 32×8d' },
  wide_resnet50_2: { block: 'bottleneck', layers: [3, 4, 6, 3], widthPerGroup: 128, what: 'Wide ResNet-50-2' },
  wide_resnet101_2: { block: 'bottleneck', layers: [3, 4, 23, 3], widthPerGroup: 128, what: 'Wide ResNet-101-2' },
};

/** A named model fixes its architecture: a config may repeat those keys (a saved config does) but not change them. */
function fixed(name: string, config: Record<string, unknown>, arch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(arch)) {
    if (config[k] !== undefined && JSON.stringify(config[k]) !== JSON.stringify(v)) {
      throw new ArgumentError(name, `${k} is ${JSON.stringify(v)} in ${name}, got ${JSON.stringify(config[k])} (build ResNet/CifarResNet directly for another architecture)`);
    }
  }
  return { ...config, ...arch };
}

const withRng = (c: Record<string, unknown>, rng?: RNG) => (rng ? { ...c, rng } : c);

function imagenetEntry(name: string, a: Arch & { what: string }, preact: boolean): ModelEntry {
  const { what, ...arch } = a;
  const defaults = { groups: 1, widthPerGroup: 64, ...arch };
  return {
    create: (c, rng): Module => {
      const config = withRng(fixed(name, c, defaults), rng) as unknown as ResNetConfig;
      return preact ? new PreActResNet(config) : new ResNet(config);
    },
    inputShape: [1, 3, 224, 224],
    description: preact
      ? `${what}, pre-activation form (He et al. 2016: BN-ReLU-conv blocks, clean identity path, final BN-ReLU)`
      : `${what} (torchvision; ${a.block} blocks, stride on the 3×3 = V1.5, {version: "v1"} for the paper's; accepts 28×28 and up)`,
  };
}

function cifarEntry(depth: number): ModelEntry {
  const n = (depth - 2) / 6;
  return {
    create: (c, rng): Module => new CifarResNet(withRng(fixed(`resnet${depth}`, c, { depth }), rng) as unknown as { depth: number }),
    inputShape: [1, 3, 32, 32],
    description: `ResNet-${depth} for CIFAR-10 (He et al. 2015 §4.2: 6n+2 with n = ${n}, 16/32/64 channels, option-A shortcuts; {shortcut: "B"} for projections)`,
  };
}

export const RESNET_MODELS: Record<string, ModelEntry> = {
  ...Object.fromEntries(Object.entries(IMAGENET).map(([k, a]) => [k, imagenetEntry(k, a, false)])),
  ...Object.fromEntries(Object.entries(VARIANTS).map(([k, a]) => [k, imagenetEntry(k, a, false)])),
  ...Object.fromEntries(Object.entries(IMAGENET).map(([k, a]) => [`preact_${k}`, imagenetEntry(`preact_${k}`, a, true)])),
  ...Object.fromEntries([20, 32, 44, 56, 110].map((d) => [`resnet${d}`, cifarEntry(d)])),
};
