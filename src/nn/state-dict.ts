import { ReceptiveError, Tensor, formatShape } from '../tensor/index.js';

/** Raised by loadStateDict, listing every missing, unexpected and mis-shaped key at once. */
export class StateDictError extends ReceptiveError {
  constructor(
    readonly missing: string[],
    readonly unexpected: string[],
    readonly misShaped: { key: string; expected: number[]; got: number[] }[],
  ) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
    if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
    if (misShaped.length) parts.push(`mis-shaped: ${misShaped.map((m) => `${m.key} expected ${formatShape(m.expected)} got ${formatShape(m.got)}`).join('; ')}`);
    super(`loadStateDict: ${parts.join('; ')}`);
  }
}

export interface LoadStateDictOptions {
  /** Refuse missing and unexpected keys (default true); mis-shaped keys are always refused. */
  strict?: boolean;
  /**
   * Rename incoming keys before matching: a function (return null to drop a key) or
   * an object of prefix renames, e.g. { 'module.': '' } for a DataParallel checkpoint.
   */
  remap?: ((key: string) => string | null) | Record<string, string>;
}

export function remapKeys(sd: Record<string, Tensor>, remap: NonNullable<LoadStateDictOptions['remap']>): Record<string, Tensor> {
  const fn = typeof remap === 'function' ? remap : (k: string) => {
    for (const [from, to] of Object.entries(remap)) if (k.startsWith(from)) return to + k.slice(from.length);
    return k;
  };
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(sd)) {
    const n = fn(k);
    if (n !== null) out[n] = t;
  }
  return out;
}

/** Every difference between a module's own state dict and an incoming one; throws when any matters. */
export function checkStateDict(own: Record<string, Tensor>, sd: Record<string, Tensor>, strict: boolean): { missing: string[]; unexpected: string[] } {
  const missing = Object.keys(own).filter((k) => !(k in sd));
  const unexpected = Object.keys(sd).filter((k) => !(k in own));
  const misShaped = Object.keys(own)
    .filter((k) => k in sd && (!(sd[k] instanceof Tensor) || formatShape(sd[k].shape) !== formatShape(own[k].shape)))
    .map((k) => ({ key: k, expected: [...own[k].shape], got: sd[k] instanceof Tensor ? [...sd[k].shape] : [] }));
  if (misShaped.length || (strict && (missing.length || unexpected.length))) throw new StateDictError(missing, unexpected, misShaped);
  return { missing, unexpected };
}
