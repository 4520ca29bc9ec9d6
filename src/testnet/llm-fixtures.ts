/**
 * Test fixtures for the language-model import path (whitepaper §2.2.6): a small SentencePiece-style vocabulary and a
 * tiny random Llama written as GGUF by our own writer, which llama.cpp (the reference) and our reader both load.
 * Test scaffolding only: never imported by production code.
 */
import { SeededRandom } from '../common/clock.ts';
import type { Model } from '../engine/graph.ts';
import { encodeGgufBytes } from '../engine/gguf/gguf-writer.ts';
import { calibrateLlama, quantizeLlama } from '../engine/llm/quantize-llama.ts';
import type { LlamaConfig, LlamaWeights } from '../engine/llm/llama-config.ts';
import { llamaGgufMetadata, llamaGgufTensors } from '../engine/llm/llama-gguf.ts';
import { randomLlamaWeights } from '../engine/llm/random-llama.ts';
import { BYTE_TO_CHAR, PRE_TOKENIZERS, type BpeVocab } from '../engine/tokenizers/byte-bpe.ts';
import { bpeGgufMetadata, spmGgufMetadata } from '../engine/tokenizers/from-gguf.ts';
import type { SpmVocab } from '../engine/tokenizers/spm.ts';
import { TOKEN_TYPE } from '../engine/tokenizers/tokenizer-types.ts';
import { trainBpe } from '../engine/tokenizers/train-bpe.ts';

const SPM_TYPE = TOKEN_TYPE;

/** `<unk> <s> </s>`, the 256 byte tokens `<0x00>`…`<0xFF>`, then `pieces` with descending scores. */
export function spmVocab(pieces: readonly string[]): SpmVocab {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types: number[] = [SPM_TYPE.unknown, SPM_TYPE.control, SPM_TYPE.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(SPM_TYPE.byte);
  }
  for (const p of pieces) {
    tokens.push(p);
    types.push(SPM_TYPE.normal);
  }
  return { tokens, scores: tokens.map((_, i) => (i < 259 ? 0 : -(i - 259))), types, bosId: 1, eosId: 2, unkId: 0, addSpacePrefix: true };
}

export const FIXTURE_PIECES: readonly string[] = [
  '▁', 'e', 't', 'a', 'h', 'o', 'n', 's', 'r', 'l', 'd', 'w', 'i', 'c', 'u', 'é', '▁t', '▁th', '▁the', 'he', '▁a', 'in',
  '▁h', '▁he', 'll', '▁hel', '▁hell', '▁hello', 'lo', '▁w', 'or', 'ld', '▁wor', '▁world', 'an', '▁an', '▁and', 'er', 'on',
];

/** The tokenizer variants of the golden vectors (test/vectors/tokenizers.json). */
export const TOKENIZER_FIXTURES = ['spm', 'spm-no-prefix', 'bpe-gpt-2', 'bpe-llama-bpe', 'bpe-qwen2'] as const;
export type TokenizerFixture = (typeof TOKENIZER_FIXTURES)[number];

export function tokenizerFixture(kind: TokenizerFixture): { vocab: SpmVocab | BpeVocab; metadata: ReturnType<typeof spmGgufMetadata> } {
  if (kind.startsWith('spm')) {
    const vocab = { ...spmVocab(FIXTURE_PIECES), addSpacePrefix: kind === 'spm' };
    return { vocab, metadata: spmGgufMetadata(vocab) };
  }
  const vocab = bpeFixtureVocab(kind.slice(4));
  return { vocab, metadata: bpeGgufMetadata(vocab) };
}

export interface TinyLlama {
  weights: LlamaWeights;
  gguf: Uint8Array;
  tokens: string[];
}

/** English with accents, emoji and CJK: the byte-level BPE fixture's training text. */
export const BPE_FIXTURE_TEXT = [
  'The quick brown fox jumps over the lazy dog. The dog sleeps, and the fox runs away into the woods.',
  "It's a truth universally acknowledged that we'll always need more tokens than we think; don't you agree?",
  'Café, naïve, résumé, façade: accents appear in English too. Numbers like 1234 and 56.78 appear as well.',
  'Llamas 🦙 and worlds 🌍 and 日本語 and 中文 appear in the test strings, so the merges see them once or twice.',
  'the the the and and and of of to to in in is is that that with with for for on on as as',
  'Digits: 1234 1234 1234 1234 123 123 123 12 12 12 45 45 45 456 456 456 4567 4567.',
].join('\n');

/** A byte-level BPE vocabulary trained on `BPE_FIXTURE_TEXT` (GPT-2 pre-tokenizer), plus `<|endoftext|>`. */
export function bpeFixtureVocab(pre = 'gpt-2', merges = 200): BpeVocab {
  const words = [...BPE_FIXTURE_TEXT.matchAll(PRE_TOKENIZERS['gpt-2']!)].map((m) => Array.from(new TextEncoder().encode(m[0]), (b) => BYTE_TO_CHAR[b]!));
  const trained = trainBpe(words, merges);
  const tokens = [...BYTE_TO_CHAR, ...trained.merges.map(([a, b]) => a + b), '<|endoftext|>'];
  const types = tokens.map((_, i) => (i === tokens.length - 1 ? TOKEN_TYPE.control : TOKEN_TYPE.normal));
  return { tokens, types, merges: trained.merges.map(([a, b]) => `${a} ${b}`), bosId: tokens.length - 1, eosId: tokens.length - 1, pre };
}

/** A 2-layer, d 64, 4-head / 2-KV-head random Llama with the fixture vocabulary, as GGUF with `matrixType` matrices. */
export function tinyLlamaGguf(matrixType = 'F32', seed = 1, overrides: Partial<LlamaConfig> = {}, tokenizer: TokenizerFixture = 'spm'): TinyLlama {
  const { vocab, metadata: tokMeta } = tokenizerFixture(tokenizer);
  const config: LlamaConfig = {
    vocabSize: vocab.tokens.length,
    dim: 64,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    hiddenDim: 96,
    contextLength: 64,
    normEps: 1e-5,
    ropeTheta: 10_000,
    tiedEmbeddings: false,
    ...overrides,
  };
  const weights = randomLlamaWeights(config, seed);
  const gguf = encodeGgufBytes({ metadata: [...llamaGgufMetadata(config, 'tiny'), ...tokMeta], tensors: llamaGgufTensors(weights, matrixType) });
  return { weights, gguf, tokens: [...vocab.tokens] };
}

/** The strings of the tokenizer golden vectors: ASCII, accents, emoji, CJK, whitespace runs, digits, specials. */
export const TOKENIZER_STRINGS: readonly string[] = [
  'Hello world',
  'hello the world and the end',
  '  leading spaces',
  'trailing   ',
  'multiple    spaces\tand\ttabs\n\nnewlines',
  '\n\n\n',
  '   \n  x',
  'café naïve résumé façade',
  '🦙 llamas 🦙🦙',
  '日本語のテキスト',
  '中文 和 English',
  '',
  ' ',
  'a',
  "don't it's we'll HELLO'S",
  '12345 67 8.9 1234567',
  '<s> not special </s> <|endoftext|>',
  'mixed: héllo 世界 🌍!',
  'The quick brown fox jumps over the lazy dog.',
];

/**
 * A tiny random Llama (2 layers, d 64, 4 heads over 2 key/value heads, SwiGLU 128, context 32, vocabulary 300)
 * converted to the integer engine, calibrated on 16 random sequences. Its engine vocabulary is a stand-in (one
 * character per id) until model files carry a language-model tokenizer.
 */
export function tinyQuantizedLlama(seed = 3): { weights: LlamaWeights; model: Model; sequences: number[][] } {
  const V = 300;
  const config: LlamaConfig = { vocabSize: V, dim: 64, layers: 2, heads: 4, kvHeads: 2, hiddenDim: 128, contextLength: 32, normEps: 1e-5, ropeTheta: 10_000, tiedEmbeddings: false };
  const weights = randomLlamaWeights(config, seed);
  const rng = new SeededRandom(seed + 2);
  const sequences = Array.from({ length: 24 }, () => Array.from({ length: 32 }, () => rng.nextU32() % V));
  const cal = calibrateLlama(weights, sequences.slice(0, 16));
  const vocab = ['<pad>', '<bos>', '<eos>', ...Array.from({ length: V - 3 }, (_, i) => String.fromCodePoint(0x100 + i))];
  const { model } = quantizeLlama(weights, cal, { name: 'tiny-llama', description: 'random weights', task: 'generate', contextLength: 32, vocabSize: V, vocab });
  return { weights, model, sequences: sequences.slice(16) };
}
