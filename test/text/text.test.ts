import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, FormatError } from '../../src/tensor/index.js';
import { wordTokenize, charTokenize, Vocabulary, PAD, UNK } from '../../src/text/index.js';
import { assertThrowsWith } from '../helpers.js';

test('word tokens: letters of any script, inner apostrophes and hyphens, punctuation apart, NFC', () => {
  assert.deepEqual(wordTokenize("L'homme a lu l'e-mail, n'est-ce pas?"), ["l'homme", 'a', 'lu', "l'e-mail", ',', "n'est-ce", 'pas', '?']);
  assert.deepEqual(wordTokenize('Größe 42 Ελλάδα'), ['größe', '42', 'ελλάδα']);
  // "é" as e + combining acute is the same token as the precomposed letter.
  assert.deepEqual(wordTokenize('cafe\u0301'), wordTokenize('caf\u00e9'));
  assert.deepEqual(wordTokenize(''), []);
  assert.deepEqual(wordTokenize('   \n\t'), []);
  assertThrowsWith(() => wordTokenize(3 as unknown as string), ArgumentError, 'expects a string');
});

test('character tokens are code points; runs of white space are one space', () => {
  assert.deepEqual(charTokenize('a😀 \n b'), ['a', '😀', ' ', 'b']);
  assert.deepEqual(charTokenize(''), []);
});

test('vocabulary: pad 0, unk 1, frequency order, minCount/maxSize, encode/decode round trip, JSON', () => {
  const docs = [['b', 'a', 'b'], ['c', 'b', 'a'], ['d']];
  const v = Vocabulary.build(docs, { minCount: 2 });
  assert.deepEqual([...v.tokens], [PAD, UNK, 'b', 'a']);
  assert.deepEqual([...v.encode(['a', 'zzz', 'b'], 5)], [3, 1, 2, 0, 0]);
  assert.deepEqual([...v.encode(['a', 'b', 'a'], 2)], [3, 2]);
  assert.deepEqual(v.decode(v.encode(['b', 'a', 'b'], 6)), ['b', 'a', 'b']);
  assert.deepEqual(v.decode(v.encode(['x'])), [UNK], 'out-of-vocabulary tokens read back as <unk>');
  assert.equal(Vocabulary.build(docs, { maxSize: 3 }).size, 3);
  assert.deepEqual([...Vocabulary.fromJSON(JSON.parse(JSON.stringify(v))).tokens], [...v.tokens]);
  assertThrowsWith(() => v.decode([7]), ArgumentError, 'id 7');
  assertThrowsWith(() => Vocabulary.fromJSON({ words: [] }), FormatError, 'tokens');
  assertThrowsWith(() => new Vocabulary(['a', 'b']), ArgumentError, PAD);
});
