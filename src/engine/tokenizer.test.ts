import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer, TokenizerBadIdError, TokenizerTooLongError, TokenizerUnknownCharError, TokenizerVocabError } from './tokenizer.ts';

const tok = Tokenizer.fromAlphabet('=abc');

test('encode maps each character to its vocabulary index, with BOS by default', () => {
  assert.deepEqual(tok.vocab, ['<pad>', '<bos>', '<eos>', '=', 'a', 'b', 'c']);
  assert.deepEqual(tok.encode('cab='), [1, 6, 4, 5, 3]);
  assert.deepEqual(tok.encode('cab=', { bos: false, eos: true }), [6, 4, 5, 3, 2]);
  assert.deepEqual(tok.encode(''), [1]);
});

test('decode inverts encode, skips BOS/PAD and stops at EOS', () => {
  assert.equal(tok.decode(tok.encode('abc=cba')), 'abc=cba');
  assert.equal(tok.decode([1, 4, 0, 5, 2, 6]), 'ab');
  assert.throws(() => tok.decode([1, 7]), TokenizerBadIdError);
  assert.throws(() => tok.decode([-1]), TokenizerBadIdError);
  assert.throws(() => tok.decode([1.5]), TokenizerBadIdError);
});

test('characters outside the vocabulary are a typed error with their position', () => {
  for (const [text, position] of [['abd', 2], ['A', 0], ['ab<bos>', 2], ['a\u{1F600}', 1]] as const) {
    assert.throws(
      () => tok.encode(text),
      (e: unknown) => e instanceof TokenizerUnknownCharError && e.details.position === position && e.code === 'TOKENIZER_UNKNOWN_CHAR',
    );
  }
  assert.throws(() => tok.encode('a'.repeat(70_000)), TokenizerTooLongError);
});

test('the vocabulary round-trips through JSON, as stored in a model header', () => {
  const restored = new Tokenizer(JSON.parse(JSON.stringify(tok)));
  assert.deepEqual(restored.vocab, tok.vocab);
  assert.equal(restored.eosId, 2);
  assert.deepEqual(restored.encode('ba='), tok.encode('ba='));
});

test('a malformed vocabulary from a file is refused', () => {
  const bad: unknown[] = [
    'not-an-array',
    [],
    ['<pad>', '<bos>'], // missing <eos>
    ['<pad>', '<bos>', '<eos>', 'a', 'a'], // duplicate
    ['<pad>', '<bos>', '<eos>', 'ab'], // two characters
    ['<pad>', '<bos>', '<eos>', 7],
    ['<pad>', '<bos>', '<eos>', ''],
    new Array(70_000).fill('a'),
  ];
  for (const v of bad) assert.throws(() => new Tokenizer(v as unknown[]), TokenizerVocabError);
});
