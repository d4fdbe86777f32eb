import { ArgumentError } from '../tensor/index.js';
import { Module, type AnyModule } from './module.js';
import { Identity, ModuleDict, ModuleList, Sequential } from './containers.js';
import * as layers from './layers/index.js';

/*
 * A module as JSON: { type, config } for a layer, { type, children } for the
 * containers. The lab, importers and checkpoints rebuild models from it; weights
 * travel apart, as a state dict.
 */

export interface ModuleJSON {
  type: string;
  config?: Record<string, unknown>;
  children?: ModuleJSON[] | Record<string, ModuleJSON>;
}

type ModuleClass = { new (config: never): AnyModule; readonly typeName?: string };

const TYPES = new Map<string, ModuleClass>();

/** Make a Module class (a layer or a whole model taking one config object) known to moduleFromJSON. */
export function registerModuleType(cls: ModuleClass): void {
  const name = cls.typeName;
  if (!name || !Object.hasOwn(cls, 'typeName')) throw new ArgumentError('registerModuleType', 'the class needs a static typeName of its own');
  TYPES.set(name, cls);
}

for (const cls of Object.values(layers)) {
  if (typeof cls === 'function' && cls.prototype instanceof Module && Object.hasOwn(cls, 'typeName')) registerModuleType(cls as unknown as ModuleClass);
}

export function moduleToJSON(m: AnyModule): ModuleJSON {
  if (m instanceof Sequential || m instanceof ModuleList) return { type: m.typeName, children: m.children().map(moduleToJSON) };
  if (m instanceof ModuleDict) return { type: m.typeName, children: Object.fromEntries(m.namedChildren().map(([k, c]) => [k, moduleToJSON(c)])) };
  if (m instanceof Identity) return { type: 'Identity' };
  if (!TYPES.has(m.typeName)) throw new ArgumentError('moduleToJSON', `${m.label()} is a ${m.typeName}, which has no registered config form (registerModuleType)`);
  return { type: m.typeName, config: m.toConfig() };
}

export function moduleFromJSON(json: ModuleJSON): AnyModule {
  if (json === null || typeof json !== 'object' || typeof json.type !== 'string') throw new ArgumentError('moduleFromJSON', `expected { type, config } or { type, children }, got ${JSON.stringify(json)}`);
  const kids = json.children;
  switch (json.type) {
    case 'Sequential':
      return new Sequential(...(Array.isArray(kids) ? kids : []).map(moduleFromJSON));
    case 'ModuleList':
      return new ModuleList((Array.isArray(kids) ? kids : []).map(moduleFromJSON));
    case 'ModuleDict':
      return new ModuleDict(Object.fromEntries(Object.entries(kids && !Array.isArray(kids) ? kids : {}).map(([k, v]) => [k, moduleFromJSON(v)])));
    case 'Identity':
      return new Identity();
  }
  const cls = TYPES.get(json.type);
  if (!cls) throw new ArgumentError('moduleFromJSON', `unknown module type "${json.type}" (known: ${['Sequential', 'ModuleList', 'ModuleDict', 'Identity', ...TYPES.keys()].join(', ')})`);
  return new cls((json.config ?? {}) as never);
}
