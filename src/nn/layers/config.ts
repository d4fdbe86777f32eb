import { ArgumentError, type RNG } from '../../tensor/index.js';
import { describe, pair } from '../../ops/util.js';

/*
 * Every layer takes one config object (as the lab, importers and checkpoints
 * rebuild layers from JSON). These checks run in the constructor, so a bad
 * configuration fails where it is written, not at the first forward.
 */

/** Refuse a missing, positional or misspelt config; returns it typed. `example` shows the right form. */
export function layerConfig<C extends object>(layer: string, config: unknown, keys: readonly (keyof C & string)[], example: string, extra?: unknown): C {
  if (typeof config !== 'object' || config === null || Array.isArray(config) || extra !== undefined) {
    throw new ArgumentError(layer, `takes one config object, e.g. new ${layer}(${example}); got ${extra !== undefined || typeof config === 'number' ? 'positional arguments' : describe(config)}`);
  }
  const unknown = Object.keys(config).filter((k) => !(keys as readonly string[]).includes(k) && (config as Record<string, unknown>)[k] !== undefined);
  if (unknown.length) throw new ArgumentError(layer, `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${keys.join(', ')})`);
  return config as C;
}

export function positiveInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ArgumentError(layer, `${name} must be a positive integer, got ${describe(v)}`);
  return v;
}

export function optionalPair(layer: string, name: string, v: unknown, min: number): void {
  if (v !== undefined) pair(layer, name, v, min);
}

export function optionalBool(layer: string, name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') throw new ArgumentError(layer, `${name} must be true or false, got ${describe(v)}`);
}

export function optionalNumber(layer: string, name: string, v: unknown, ok: (x: number) => boolean, range: string): void {
  if (v !== undefined && (typeof v !== 'number' || !ok(v))) throw new ArgumentError(layer, `${name} must be ${range}, got ${describe(v)}`);
}

/** The config as JSON: rng (a live generator) is dropped, arrays copied. */
export function jsonConfig<C extends object>(c: C): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'rng' || v === undefined) continue;
    out[k] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

export interface WithRNG {
  rng?: RNG;
}
