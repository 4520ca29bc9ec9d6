/**
 * Test fixtures for the language-model import path (whitepaper §2.2.6): a small SentencePiece-style vocabulary and a
 * tiny random Llama written as GGUF by our own writer, which llama.cpp (the reference) and our reader both load.
 * Test scaffolding only: never imported by production code.
 */
import type { GgufValue } from '../engine/gguf/gguf-format.ts';
import { encodeGgufBytes } from '../engine/gguf/gguf-writer.ts';
import type { LlamaConfig, LlamaWeights } from '../engine/llm/llama-config.ts';
import { llamaGgufMetadata, llamaGgufTensors } from '../engine/llm/llama-gguf.ts';
import { randomLlamaWeights } from '../engine/llm/random-llama.ts';

/** SentencePiece token types (llama.cpp's llama_token_type). */
export const SPM_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

/** `<unk> <s> </s>`, the 256 byte tokens `<0x00>`…`<0xFF>`, then `pieces` with descending scores. */
export function spmVocab(pieces: readonly string[]): { tokens: string[]; scores: number[]; types: number[] } {
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
  return { tokens, scores: tokens.map((_, i) => (i < 259 ? 0 : -(i - 259))), types };
}

export const FIXTURE_PIECES: readonly string[] = [
  '▁', 'e', 't', 'a', 'h', 'o', 'n', 's', 'r', 'l', 'd', 'w', 'i', 'c', 'u', 'é', '▁t', '▁th', '▁the', 'he', '▁a', 'in',
  '▁h', '▁he', 'll', '▁hel', '▁hell', '▁hello', 'lo', '▁w', 'or', 'ld', '▁wor', '▁world', 'an', '▁an', '▁and', 'er', 'on',
];

export function spmGgufMetadata(v: { tokens: string[]; scores: number[]; types: number[] }): [string, GgufValue][] {
  return [
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: v.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'f32', value: v.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', value: v.types }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: 2 }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
  ];
}

export interface TinyLlama {
  weights: LlamaWeights;
  gguf: Uint8Array;
  tokens: string[];
}

/** A 2-layer, d 64, 4-head / 2-KV-head random Llama with the fixture vocabulary, as GGUF with `matrixType` matrices. */
export function tinyLlamaGguf(matrixType = 'F32', seed = 1, overrides: Partial<LlamaConfig> = {}): TinyLlama {
  const vocab = spmVocab(FIXTURE_PIECES);
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
  const gguf = encodeGgufBytes({ metadata: [...llamaGgufMetadata(config, 'tiny'), ...spmGgufMetadata(vocab)], tensors: llamaGgufTensors(weights, matrixType) });
  return { weights, gguf, tokens: vocab.tokens };
}
