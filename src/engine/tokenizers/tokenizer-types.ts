/**
 * The tokenizer interface shared by the SentencePiece-style and byte-level BPE tokenizers (whitepaper §2.2.6: two
 * nodes must turn the same prompt into the same token ids, so the algorithm is fixed by the model file's metadata
 * and reproduces llama.cpp's for the same GGUF).
 */

export interface LlmTokenizer {
  readonly kind: 'spm' | 'bpe';
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** Token ids of `text` (no BOS/EOS; special-token text is encoded as plain text unless `parseSpecial`). */
  encode(text: string, options?: { parseSpecial?: boolean }): number[];
  /** Ids of a text given as parts, special tokens parsed only in parts that allow it (chat templates). */
  encodeParts(parts: readonly { text: string; parseSpecial: boolean }[]): number[];
  /** Text of ids (bytes joined, then UTF-8 decoded with replacement characters for incomplete sequences). */
  decode(ids: readonly number[]): string;
  /** The piece string of one id, as stored in the vocabulary. */
  piece(id: number): string;
}

/** SentencePiece / llama.cpp token types (llama_token_type / llama_token_attr in GGUF `tokenizer.ggml.token_type`). */
export const TOKEN_TYPE = { undefined: 0, normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface TokenizerLimits {
  /** Longest text `encode` accepts, in UTF-16 code units (a 4k-token context is ≲ 32k characters). */
  maxEncodeChars: number;
  /** Longest vocabulary entry, in UTF-16 code units. */
  maxPieceChars: number;
}

export const DEFAULTS: TokenizerLimits = {
  maxEncodeChars: 1 << 20, // 1 Mi characters: bounds the merge queue (≤ one entry per character pair) for any prompt
  maxPieceChars: 1024, // real vocabularies stay below ~200
};
