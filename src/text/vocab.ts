import { ArgumentError, FormatError } from '../tensor/index.js';

export const PAD = '<pad>';
export const UNK = '<unk>';

export interface VocabularyJSON {
  tokens: string[];
}

/**
 * Token ↔ id. Id 0 is the padding token and id 1 the unknown token; a token
 * not in the vocabulary encodes to UNK, so every string has an encoding.
 */
export class Vocabulary {
  readonly tokens: readonly string[];
  private readonly ids: Map<string, number>;
  static readonly padId = 0;
  static readonly unkId = 1;

  constructor(tokens: readonly string[]) {
    if (tokens[0] !== PAD || tokens[1] !== UNK) throw new ArgumentError('Vocabulary', `the first two tokens must be "${PAD}" and "${UNK}"`);
    this.tokens = [...tokens];
    this.ids = new Map(this.tokens.map((t, i) => [t, i]));
    if (this.ids.size !== this.tokens.length) throw new ArgumentError('Vocabulary', 'tokens repeat');
  }

  /**
   * From tokenised documents: tokens seen at least minCount times, the most
   * frequent first (ties in first-seen order, so the result is deterministic), at most maxSize in all.
   */
  static build(docs: Iterable<readonly string[]>, opts: { minCount?: number; maxSize?: number } = {}): Vocabulary {
    const counts = new Map<string, number>();
    for (const d of docs) for (const t of d) counts.set(t, (counts.get(t) ?? 0) + 1);
    const minCount = opts.minCount ?? 1;
    const kept = [...counts].filter(([t, c]) => c >= minCount && t !== PAD && t !== UNK);
    kept.sort((a, b) => b[1] - a[1]);
    const max = opts.maxSize ?? Infinity;
    if (max < 2) throw new ArgumentError('Vocabulary.build', `maxSize must leave room for ${PAD} and ${UNK}, got ${max}`);
    return new Vocabulary([PAD, UNK, ...kept.slice(0, max - 2).map(([t]) => t)]);
  }

  get size(): number {
    return this.tokens.length;
  }

  id(token: string): number {
    return this.ids.get(token) ?? Vocabulary.unkId;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** Ids of the tokens; with `length`, cut or padded (with padId, at the end) to exactly that many. */
  encode(tokens: readonly string[], length?: number): Int32Array {
    const n = length ?? tokens.length;
    const out = new Int32Array(n); // zeros = padId
    for (let i = 0; i < Math.min(n, tokens.length); i++) out[i] = this.id(tokens[i]);
    return out;
  }

  /** Tokens of the ids, padding dropped. */
  decode(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) throw new ArgumentError('Vocabulary.decode', `id ${id} at position ${i} is outside [0, ${this.tokens.length})`);
      if (id !== Vocabulary.padId) out.push(this.tokens[id]);
    }
    return out;
  }

  toJSON(): VocabularyJSON {
    return { tokens: [...this.tokens] };
  }

  static fromJSON(json: unknown, source = 'vocabulary'): Vocabulary {
    const t = (json as VocabularyJSON | null)?.tokens;
    if (!Array.isArray(t) || !t.every((x) => typeof x === 'string')) throw new FormatError(source, 'expected { tokens: string[] }');
    return new Vocabulary(t);
  }
}
