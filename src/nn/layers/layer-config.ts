import { ArgumentError, show } from '../../tensor/index.js';

/*
 * Constructor checks for layers configured by one object: refuse a missing or
 * non-object config and unknown keys (a typo such as `{ afine: false }` would
 * otherwise be ignored silently), and check each field with the layer's name.
 */

export function checkConfig<T extends object>(layer: string, config: T | undefined, allowed: readonly string[], required: readonly string[] = []): T {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ArgumentError(layer, `takes one config object ({ ${allowed.join(', ')} }), got ${show(config)}`);
  }
  for (const k of Object.keys(config)) {
    if (!allowed.includes(k)) throw new ArgumentError(layer, `unknown config key "${k}" (known: ${allowed.join(', ')})`);
  }
  for (const k of required) {
    if ((config as Record<string, unknown>)[k] === undefined) throw new ArgumentError(layer, `config.${k} is required`);
  }
  return config;
}

export function positiveInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ArgumentError(layer, `${name} must be a positive integer, got ${show(v)}`);
  return v;
}

export function nonNegative(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ArgumentError(layer, `${name} must be a finite number >= 0, got ${show(v)}`);
  return v;
}

export function bool(layer: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ArgumentError(layer, `${name} must be a boolean, got ${show(v)}`);
  return v;
}
