/**
 * SentencePiece-style tokenizer with byte fallback, as llama.cpp runs GGUF `tokenizer.ggml.model = "llama"`
 * (llm_tokenizer_spm in llama-vocab.cpp; whitepaper §2.2.6).
 *
 * encode: optionally prepend a space, replace every ' ' by '▁' (U+2581), split into Unicode characters, then
 * repeatedly merge the adjacent pair whose concatenation is a vocabulary piece of the highest score (ties: the
 * leftmost pair) until no pair is a piece. Each final symbol is its piece's id, or — for a character that is not a
 * piece — one `<0xXX>` byte token per UTF-8 byte (or `<unk>` without byte tokens).
 */
import { LlmTokenizerError, LlmTokenizerInputError } from './errors.ts';
import { DEFAULTS, TOKEN_TYPE, type LlmTokenizer, type TokenizerLimits } from './tokenizer-types.ts';
import { splitParts } from './special-tokens.ts';
import { mergeSymbols } from './merge-queue.ts';

export interface SpmVocab {
  tokens: readonly string[];
  scores: readonly number[];
  types: readonly number[];
  bosId: number;
  eosId: number;
  unkId: number;
  addSpacePrefix: boolean;
}

const utf8 = new TextEncoder();

export class SpmTokenizer implements LlmTokenizer {
  readonly kind = 'spm' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** The vocabulary as given (the model file stores it). */
  readonly vocab: SpmVocab;
  private readonly v: SpmVocab;
  private readonly ids = new Map<string, number>();
  private readonly byteIds: (number | undefined)[] = new Array(256);
  private readonly special: string[] = [];
  private readonly limits: TokenizerLimits;

  constructor(vocab: SpmVocab, limits: TokenizerLimits = DEFAULTS) {
    const n = vocab.tokens.length;
    if (n < 1 || vocab.scores.length !== n || vocab.types.length !== n) throw new LlmTokenizerError(`tokens, scores and types must have one entry per token (${n}, ${vocab.scores.length}, ${vocab.types.length})`);
    for (const [k, id] of [['bos', vocab.bosId], ['eos', vocab.eosId], ['unk', vocab.unkId]] as const) {
      if (!Number.isInteger(id) || id < 0 || id >= n) throw new LlmTokenizerError(`${k} id ${id} not in [0, ${n})`);
    }
    vocab.tokens.forEach((t, i) => {
      if (typeof t !== 'string' || t.length > limits.maxPieceChars) throw new LlmTokenizerError('token is not a string of bounded length', i);
      if (!Number.isFinite(vocab.scores[i])) throw new LlmTokenizerError('score is not finite', i);
      const type = vocab.types[i]!;
      if (type === TOKEN_TYPE.byte) {
        const m = /^<0x([0-9A-F]{2})>$/.exec(t);
        if (m === null) throw new LlmTokenizerError(`byte token ${JSON.stringify(t)} is not <0xXX>`, i);
        this.byteIds[parseInt(m[1]!, 16)] ??= i;
      }
      if (type === TOKEN_TYPE.control || type === TOKEN_TYPE.userDefined) if (t.length > 0) this.special.push(t);
      if (!this.ids.has(t)) this.ids.set(t, i); // llama.cpp keeps the first id of a duplicated piece
    });
    this.v = vocab;
    this.vocab = vocab;
    this.vocabSize = n;
    this.bosId = vocab.bosId;
    this.eosId = vocab.eosId;
    this.limits = limits;
  }

  piece(id: number): string {
    return this.v.tokens[id] ?? '';
  }

  encode(text: string, options: { parseSpecial?: boolean } = {}): number[] {
    return this.encodeParts([{ text, parseSpecial: options.parseSpecial ?? false }]);
  }

  encodeParts(parts: readonly { text: string; parseSpecial: boolean }[]): number[] {
    const length = parts.reduce((a, p) => a + p.text.length, 0);
    if (length > this.limits.maxEncodeChars) throw new LlmTokenizerInputError(`text of ${length} characters exceeds ${this.limits.maxEncodeChars}`, { length, max: this.limits.maxEncodeChars });
    const out: number[] = [];
    let prevSpecial = true;
    for (const part of splitParts(parts, this.special)) {
      if (part.special) {
        out.push(this.ids.get(part.text)!);
        prevSpecial = true;
        continue;
      }
      // llama.cpp prefixes a space to a text fragment at the start and after every special token.
      const prefixed = this.v.addSpacePrefix && prevSpecial ? ' ' + part.text : part.text;
      prevSpecial = false;
      this.encodeText(prefixed.replaceAll(' ', '▁'), out);
    }
    return out;
  }

  private encodeText(text: string, out: number[]): void {
    if (text.length === 0) return;
    const scores = this.v.scores;
    const symbols = mergeSymbols(Array.from(text), (l, r) => {
      const id = this.ids.get(l + r);
      return id === undefined ? undefined : scores[id];
    });
    for (const s of symbols) {
      const id = this.ids.get(s);
      if (id !== undefined) out.push(id);
      else for (const byte of utf8.encode(s)) out.push(this.byteIds[byte] ?? this.v.unkId);
    }
  }

  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    ids.forEach((id, k) => {
      const t = this.v.tokens[id];
      if (t === undefined) return;
      const type = this.v.types[id];
      if (type === TOKEN_TYPE.byte) bytes.push(parseInt(t.slice(3, 5), 16));
      else if (type === TOKEN_TYPE.control) return;
      else {
        let s = t.replaceAll('▁', ' ');
        if (k === 0 && this.v.addSpacePrefix && s.startsWith(' ')) s = s.slice(1);
        for (const b of utf8.encode(s)) bytes.push(b);
      }
    });
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
}
