/**
 * Tokenizers from and to GGUF metadata (`tokenizer.ggml.*`, llama.cpp's keys; whitepaper §2.2.6): the model file
 * carries its own tokenizer, so every node derives the same ids from the same prompt.
 */
import type { GgufScalar, GgufValue } from '../gguf/gguf-format.ts';
import { metaArray, metaNumber, metaString, type GgufFile } from '../gguf/gguf-reader.ts';
import { ByteBpeTokenizer, type BpeVocab } from './byte-bpe.ts';
import { LlmTokenizerError } from './errors.ts';
import { SpmTokenizer, type SpmVocab } from './spm.ts';
import { TOKEN_TYPE, type LlmTokenizer } from './tokenizer-types.ts';

function strings(file: GgufFile, key: string): string[] {
  const a = metaArray(file, key);
  if (a === undefined) throw new LlmTokenizerError(`missing ${key}`);
  if (!a.every((x) => typeof x === 'string')) throw new LlmTokenizerError(`${key} is not an array of strings`);
  return a as string[];
}

function numbers(file: GgufFile, key: string, n: number, fallback: number): number[] {
  const a = metaArray(file, key);
  if (a === undefined) return new Array<number>(n).fill(fallback);
  if (a.length !== n || !a.every((x) => typeof x === 'number')) throw new LlmTokenizerError(`${key} must be ${n} numbers`);
  return a as number[];
}

/** The tokenizer a GGUF file declares ("llama" = SentencePiece-style, "gpt2" = byte-level BPE). */
export function tokenizerFromGguf(file: GgufFile): LlmTokenizer {
  const model = metaString(file, 'tokenizer.ggml.model');
  const tokens = strings(file, 'tokenizer.ggml.tokens');
  const types = numbers(file, 'tokenizer.ggml.token_type', tokens.length, TOKEN_TYPE.normal);
  const bool = (key: string, fallback: boolean): boolean => {
    const v = file.metadata.get(key);
    if (v === undefined) return fallback;
    if (v.type !== 'bool') throw new LlmTokenizerError(`${key} is not a bool`);
    return v.value as boolean;
  };
  if (model === 'llama') {
    const vocab: SpmVocab = {
      tokens,
      types,
      scores: numbers(file, 'tokenizer.ggml.scores', tokens.length, 0),
      bosId: metaNumber(file, 'tokenizer.ggml.bos_token_id', 1),
      eosId: metaNumber(file, 'tokenizer.ggml.eos_token_id', 2),
      unkId: metaNumber(file, 'tokenizer.ggml.unknown_token_id', 0),
      addSpacePrefix: bool('tokenizer.ggml.add_space_prefix', true),
    };
    return new SpmTokenizer(vocab);
  }
  if (model === 'gpt2') {
    const vocab: BpeVocab = {
      tokens,
      types,
      merges: strings(file, 'tokenizer.ggml.merges'),
      bosId: metaNumber(file, 'tokenizer.ggml.bos_token_id', 11),
      eosId: metaNumber(file, 'tokenizer.ggml.eos_token_id', 11),
      pre: metaString(file, 'tokenizer.ggml.pre', 'default'),
    };
    return new ByteBpeTokenizer(vocab);
  }
  throw new LlmTokenizerError(`unsupported tokenizer model "${model}" (llama, gpt2)`);
}

const arr = (itemType: 'string' | 'f32' | 'i32', value: GgufScalar[]): GgufValue => ({ type: 'array', itemType, value });

export function spmGgufMetadata(v: SpmVocab): [string, GgufValue][] {
  return [
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', arr('string', [...v.tokens])],
    ['tokenizer.ggml.scores', arr('f32', [...v.scores])],
    ['tokenizer.ggml.token_type', arr('i32', [...v.types])],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: v.bosId }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: v.eosId }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: v.unkId }],
    ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: v.addSpacePrefix }],
  ];
}

export function bpeGgufMetadata(v: BpeVocab): [string, GgufValue][] {
  return [
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: v.pre }],
    ['tokenizer.ggml.tokens', arr('string', [...v.tokens])],
    ['tokenizer.ggml.token_type', arr('i32', [...v.types])],
    ['tokenizer.ggml.merges', arr('string', [...v.merges])],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: v.bosId }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: v.eosId }],
  ];
}
