import { summary } from '../nn/index.js';
import { getModelEntry, listModels } from '../models/index.js';

// The zoo's input adaptation for 28×28 digits lives in src/models/digits.ts (the lab uses it too).
export { adaptationOf, adaptModelInput, describeAdaptation, digitModelConfig as cliModelConfig, inputAdaptationFor, type InputAdaptation } from '../models/digits.js';

export interface ModelListing {
  name: string;
  params: number;
  /** Multiply-accumulates of one forward pass at inputShape (summary's totalMacs). */
  macs: number;
  inputShape: number[];
  description: string;
}

/** `receptive models`: each model with its parameters and MACs at its default input (one real forward pass per model). */
export function* listZoo(names: readonly string[] = listModels()): Generator<ModelListing> {
  for (const name of names) {
    const entry = getModelEntry(name);
    for (const config of entry.listConfigs ?? [{}]) {
      const s = summary(entry.create(config), entry.inputShape);
      const label = Object.keys(config).length ? `${name} ${Object.values(config).join(' ')}` : name;
      yield { name: label, params: s.totalParams, macs: s.totalMacs, inputShape: [...entry.inputShape], description: entry.description };
    }
  }
}

export function formatListing(l: ModelListing): string {
  const g = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : `${(n / 1e6).toFixed(2)} M`);
  return `${l.name.padEnd(18)} ${l.params.toLocaleString('en-US').padStart(12)} params  ${g(l.macs).padStart(9)}MACs at ${l.inputShape.join('x').padEnd(11)} ${l.description}`;
}
