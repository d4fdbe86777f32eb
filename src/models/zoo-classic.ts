import { ArgumentError, type RNG } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import type { ModelEntry } from './registry.js';
import { AlexNet, type AlexNetConfig } from './alexnet.js';
import { VGG, type VGGConfig, type VGGConfigName } from './vgg.js';
import { GoogLeNet, type GoogLeNetConfig } from './googlenet.js';

/*
 * The registry entries of AlexNet, VGG and GoogLeNet, under torchvision's names.
 * registry.ts calls this with its registerModel (no import back, no cycle).
 */

const withRng = <C extends object>(c: Record<string, unknown>, rng?: RNG): C => ({ ...c, ...(rng ? { rng } : {}) }) as C;

/** vgg16 etc. fix the column and batch norm; a config naming another is refused rather than ignored. */
function fixedVGG(name: string, column: VGGConfigName, batchNorm: boolean) {
  return (c: Record<string, unknown>, rng?: RNG): Module => {
    if (c.config !== undefined && c.config !== column) throw new ArgumentError(name, `is configuration ${column}; use createModel('vgg', { config: ${JSON.stringify(c.config)} }) for another`);
    if (c.batchNorm !== undefined && c.batchNorm !== batchNorm) throw new ArgumentError(name, `has batchNorm ${batchNorm}; use ${batchNorm ? name.replace('_bn', '') : `${name}_bn`}`);
    return new VGG(withRng<VGGConfig>({ ...c, config: column, batchNorm }, rng));
  };
}

export function registerClassicModels(register: (name: string, entry: ModelEntry) => void): void {
  register('alexnet', {
    create: (c, rng) => new AlexNet(withRng<AlexNetConfig>(c, rng)),
    inputShape: [1, 3, 224, 224],
    description: "AlexNet, torchvision's single-tower form (61.1M params); {variant: 'original'} for the 2012 two-group network with LRN (input 227x227)",
  });
  const columns: [string, VGGConfigName][] = [['vgg11', 'A'], ['vgg13', 'B'], ['vgg16', 'D'], ['vgg19', 'E']];
  for (const [name, column] of columns) {
    register(name, { create: fixedVGG(name, column, false), inputShape: [1, 3, 224, 224], description: `VGG configuration ${column} as torchvision's ${name}` });
    register(`${name}_bn`, { create: fixedVGG(`${name}_bn`, column, true), inputShape: [1, 3, 224, 224], description: `${name} with batch norm after every convolution (torchvision's ${name}_bn)` });
  }
  register('vgg', {
    create: (c, rng) => {
      if (c.config === undefined) throw new ArgumentError('vgg', "needs { config: 'A' | 'A-LRN' | 'B' | 'C' | 'D' | 'E' } (the paper's columns), optionally batchNorm");
      return new VGG(withRng<VGGConfig>(c, rng));
    },
    inputShape: [1, 3, 224, 224],
    description: "VGG by the paper's column: {config: 'A' | 'A-LRN' | 'B' | 'C' | 'D' | 'E', batchNorm}",
    listConfigs: ['A', 'A-LRN', 'B', 'C', 'D', 'E'].map((config) => ({ config })),
  });
  register('googlenet', {
    // GoogLeNet returns { logits, aux1, aux2 } in training mode: wider than the entry's Module<[Tensor], Tensor>.
    create: (c, rng) => new GoogLeNet(withRng<GoogLeNetConfig>(c, rng)) as unknown as Module,
    inputShape: [1, 3, 224, 224],
    description: 'GoogLeNet (Inception v1) as torchvision, auxiliary heads on by default ({auxLogits: false} for 6.6M params)',
  });
}
