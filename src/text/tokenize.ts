import { ArgumentError } from '../tensor/index.js';

/*
 * Tokenisers for text classification. Text is NFC-normalised first, so a
 * letter typed as base + combining accent is the same token as the precomposed
 * one. Words: runs of letters/digits (any script), with inner apostrophes and
 * hyphens kept ("l'homme" stays one token, as does "e-mail"); every other
 * non-space character is a token of its own. Characters: code points, not
 * UTF-16 units, so an emoji or a CJK extension character is one token.
 */

function checkText(op: string, text: unknown): string {
  if (typeof text !== 'string') throw new ArgumentError(op, `expects a string, got ${typeof text}`);
  return text.normalize('NFC');
}

const WORD = /[\p{L}\p{N}\p{M}]+(?:['’\-][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]/gu;

export interface WordTokenizeOptions {
  /** Lower-case (locale-independent); default true. */
  lower?: boolean;
}

export function wordTokenize(text: string, opts: WordTokenizeOptions = {}): string[] {
  const t = checkText('wordTokenize', text);
  return (opts.lower ?? true ? t.toLowerCase() : t).match(WORD) ?? [];
}

export function charTokenize(text: string, opts: WordTokenizeOptions = {}): string[] {
  const t = checkText('charTokenize', text);
  // Runs of white space become one space: layout is not content.
  return Array.from((opts.lower ?? false ? t.toLowerCase() : t).replace(/\s+/gu, ' ').trim());
}
