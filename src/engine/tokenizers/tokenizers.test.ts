import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { toHex } from '../../common/bytes.ts';
import { keccak256 } from '../../crypto/keccak.ts';
import { bytesSource } from '../gguf/byte-source.ts';
import { readGguf } from '../gguf/gguf-reader.ts';
import { TOKENIZER_FIXTURES, TOKENIZER_STRINGS, tinyLlamaGguf, tokenizerFixture } from '../../testnet/llm-fixtures.ts';
import { ByteBpeTokenizer, type BpeVocab } from './byte-bpe.ts';
import { LlmTokenizerError, LlmTokenizerInputError } from './errors.ts';
import { tokenizerFromGguf } from './from-gguf.ts';
import { SpmTokenizer, type SpmVocab } from './spm.ts';
import { splitSpecial } from './special-tokens.ts';

interface Golden {
  fixtures: Record<string, { ggufKeccak: string; cases: { text: string; ids: number[] }[] }>;
}
const golden = JSON.parse(readFileSync(new URL('../../../test/vectors/tokenizers.json', import.meta.url), 'utf8')) as Golden;

test('tokenizers reproduce llama.cpp token ids (golden file) for SentencePiece and byte-level BPE GGUF files', () => {
  assert.deepEqual(Object.keys(golden.fixtures), [...TOKENIZER_FIXTURES]);
  for (const kind of TOKENIZER_FIXTURES) {
    const g = golden.fixtures[kind]!;
    const { gguf } = tinyLlamaGguf('F32', 1, {}, kind);
    assert.equal(toHex(keccak256(gguf)), g.ggufKeccak, `${kind}: the fixture file changed; regenerate the vectors`);
    const tok = tokenizerFromGguf(readGguf(bytesSource(gguf)));
    assert.deepEqual(g.cases.map((c) => c.text), [...TOKENIZER_STRINGS]);
    for (const c of g.cases) {
      assert.deepEqual(tok.encode(c.text), c.ids, `${kind} ${JSON.stringify(c.text)}`);
      assert.equal(tok.decode(c.ids), c.text, `${kind} decode ${JSON.stringify(c.text)}`);
    }
  }
});

test('golden ids differ between tokenizer variants (the vectors would catch a wrong pre-tokenizer or prefix rule)', () => {
  const ids = (k: string, text: string): string => JSON.stringify(golden.fixtures[k]!.cases.find((c) => c.text === text)!.ids);
  assert.notEqual(ids('spm', 'Hello world'), ids('spm-no-prefix', 'Hello world'));
  assert.notEqual(ids('bpe-gpt-2', '12345 67 8.9 1234567'), ids('bpe-llama-bpe', '12345 67 8.9 1234567'));
  assert.notEqual(ids('bpe-llama-bpe', '12345 67 8.9 1234567'), ids('bpe-qwen2', '12345 67 8.9 1234567'));
});

test('special tokens are plain text in prompts and parsed only on request (template output)', () => {
  const spm = new SpmTokenizer(tokenizerFixture('spm').vocab as SpmVocab);
  assert.ok(!spm.encode('<s>hi</s>').includes(spm.bosId));
  const parsed = spm.encode('<s>hi</s>', { parseSpecial: true });
  assert.equal(parsed[0], spm.bosId);
  assert.equal(parsed.at(-1), spm.eosId);
  const bpe = new ByteBpeTokenizer(tokenizerFixture('bpe-gpt-2').vocab as BpeVocab);
  assert.ok(!bpe.encode('a<|endoftext|>').includes(bpe.eosId));
  assert.equal(bpe.encode('a<|endoftext|>', { parseSpecial: true }).at(-1), bpe.eosId);
  assert.deepEqual(splitSpecial('x<a><ab>y', ['<a>', '<ab>']), [
    { text: 'x', special: false },
    { text: '<a>', special: true },
    { text: '<ab>', special: true },
    { text: 'y', special: false },
  ]);
});

test('hostile vocabularies and prompts: typed errors, bounded work', () => {
  const base = tokenizerFixture('spm').vocab as SpmVocab;
  assert.throws(() => new SpmTokenizer({ ...base, scores: base.scores.slice(1) }), LlmTokenizerError);
  assert.throws(() => new SpmTokenizer({ ...base, bosId: 1e9 }), LlmTokenizerError);
  assert.throws(() => new SpmTokenizer({ ...base, scores: base.scores.map((s, i) => (i === 5 ? NaN : s)) }), LlmTokenizerError);
  assert.throws(() => new SpmTokenizer({ ...base, tokens: base.tokens.map((t, i) => (i === 10 ? 'x' : t)) }), LlmTokenizerError); // a byte-typed token that is not <0xXX>
  assert.throws(() => new SpmTokenizer({ ...base, tokens: base.tokens.map((t, i) => (i === 290 ? 'x'.repeat(5000) : t)) }), LlmTokenizerError);
  const bpe = tokenizerFixture('bpe-gpt-2').vocab as BpeVocab;
  assert.throws(() => new ByteBpeTokenizer({ ...bpe, pre: 'constructor' }), LlmTokenizerError);
  assert.throws(() => new ByteBpeTokenizer({ ...bpe, merges: ['nospace'] }), LlmTokenizerError);
  assert.throws(() => new SpmTokenizer(base, { maxEncodeChars: 10, maxPieceChars: 1024 }).encode('x'.repeat(11)), LlmTokenizerInputError);
  // A long run of one letter is one pre-tokenizer word: the heap-based merge keeps it O(n log n).
  const long = 'a'.repeat(50_000);
  assert.equal(new ByteBpeTokenizer(bpe).decode(new ByteBpeTokenizer(bpe).encode(long)), long);
  assert.equal(new SpmTokenizer(base).decode(new SpmTokenizer(base).encode(long)), long);
});
