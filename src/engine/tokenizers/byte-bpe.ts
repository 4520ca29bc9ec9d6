/**
 * Byte-level BPE (GPT-2, Llama 3, Qwen), as llama.cpp runs GGUF `tokenizer.ggml.model = "gpt2"` (llm_tokenizer_bpe;
 * whitepaper §2.2.6).
 *
 * encode: split the text with the pre-tokenizer regex named by `tokenizer.ggml.pre`; map each piece's UTF-8 bytes
 * to GPT-2's printable byte alphabet (bytes_to_unicode); within a piece, repeatedly merge the adjacent pair with the
 * lowest merge rank (`tokenizer.ggml.merges`, "a b" lines; ties: leftmost) until none applies; emit the ids.
 */
import { LlmTokenizerError, LlmTokenizerInputError } from './errors.ts';
import { DEFAULTS, TOKEN_TYPE, type LlmTokenizer, type TokenizerLimits } from './tokenizer-types.ts';
import { splitParts } from './special-tokens.ts';
import { mergeSymbols } from './merge-queue.ts';

/** Pre-tokenizer regexes by `tokenizer.ggml.pre` (llama-vocab.cpp). */
export const PRE_TOKENIZERS: Record<string, RegExp> = {
  default: /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu,
  'gpt-2': /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu,
  llama3: /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu,
  'llama-bpe': /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu,
  qwen2: /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu,
};

/** The first name with the same regex ('gpt-2' → 'default', 'llama-bpe' → 'llama3'): one spelling per split rule,
 * so files that name the same rule differently import to the same model hash. */
export function canonicalPre(pre: string): string {
  const re = Object.hasOwn(PRE_TOKENIZERS, pre) ? PRE_TOKENIZERS[pre] : undefined;
  if (re === undefined) return pre;
  return Object.entries(PRE_TOKENIZERS).find(([, r]) => r.source === re.source)![0];
}

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 onwards. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const out: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCodePoint(printable ? b : 256 + n++);
  }
  return out;
})();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

export interface BpeVocab {
  tokens: readonly string[];
  types: readonly number[];
  /** "left right" per line, rank = index. */
  merges: readonly string[];
  bosId: number;
  eosId: number;
  /** `tokenizer.ggml.pre`; unknown names are refused (a wrong split would give other ids than llama.cpp). */
  pre: string;
}

const utf8 = new TextEncoder();

export class ByteBpeTokenizer implements LlmTokenizer {
  readonly kind = 'bpe' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** The vocabulary as given (the model file stores it). */
  readonly vocab: BpeVocab;
  private readonly v: BpeVocab;
  private readonly ids = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  private readonly regex: RegExp;
  private readonly special: string[] = [];
  private readonly limits: TokenizerLimits;
  private readonly ignoreMerges: boolean;

  constructor(vocab: BpeVocab, limits: TokenizerLimits = DEFAULTS) {
    const n = vocab.tokens.length;
    if (n < 1 || vocab.types.length !== n) throw new LlmTokenizerError(`tokens and types must have one entry per token (${n}, ${vocab.types.length})`);
    for (const [k, id] of [['bos', vocab.bosId], ['eos', vocab.eosId]] as const) {
      if (!Number.isInteger(id) || id < 0 || id >= n) throw new LlmTokenizerError(`${k} id ${id} not in [0, ${n})`);
    }
    const regex = PRE_TOKENIZERS[vocab.pre];
    if (regex === undefined || !Object.hasOwn(PRE_TOKENIZERS, vocab.pre)) throw new LlmTokenizerError(`unsupported pre-tokenizer "${vocab.pre}" (supported: ${Object.keys(PRE_TOKENIZERS).join(', ')})`);
    this.regex = regex;
    this.ignoreMerges = vocab.pre === 'llama3' || vocab.pre === 'llama-bpe';
    vocab.tokens.forEach((t, i) => {
      if (typeof t !== 'string' || t.length > limits.maxPieceChars) throw new LlmTokenizerError('token is not a string of bounded length', i);
      if (vocab.types[i] === TOKEN_TYPE.control || vocab.types[i] === TOKEN_TYPE.userDefined) if (t.length > 0) this.special.push(t);
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    vocab.merges.forEach((m, i) => {
      if (typeof m !== 'string' || m.length > 2 * limits.maxPieceChars + 1) throw new LlmTokenizerError('merge is not a string of bounded length', i);
      const sp = m.indexOf(' ', 1); // a merge's left side may itself start with a space-mapped char, never with ' '
      if (sp < 0) throw new LlmTokenizerError(`merge ${JSON.stringify(m.slice(0, 40))} has no separator`, i);
      if (!this.ranks.has(m)) this.ranks.set(m, i);
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
    for (const part of splitParts(parts, this.special)) {
      if (part.special) {
        out.push(this.ids.get(part.text)!);
        continue;
      }
      for (const m of part.text.matchAll(this.regex)) this.encodeWord(m[0], out);
    }
    return out;
  }

  private encodeWord(word: string, out: number[]): void {
    const syms = Array.from(utf8.encode(word), (b) => BYTE_TO_CHAR[b]!);
    // Llama 3's pre-tokenizer takes a word that is itself a token as is (llama.cpp's ignore_merges); the others merge.
    const whole = this.ignoreMerges ? this.ids.get(syms.join('')) : undefined;
    if (whole !== undefined) {
      out.push(whole);
      return;
    }
    const merged = mergeSymbols(syms, (l, r) => {
      const rank = this.ranks.get(l + ' ' + r);
      return rank === undefined ? undefined : -rank;
    });
    for (const s of merged) {
      const id = this.ids.get(s);
      if (id !== undefined) out.push(id);
      else for (const ch of s) { const b = this.ids.get(ch); if (b !== undefined) out.push(b); } // llama.cpp drops symbols with no token
    }
  }

  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const t = this.v.tokens[id];
      if (t === undefined || this.v.types[id] === TOKEN_TYPE.control) continue;
      if (this.v.types[id] === TOKEN_TYPE.userDefined) {
        for (const b of utf8.encode(t)) bytes.push(b);
        continue;
      }
      for (const ch of t) {
        const b = CHAR_TO_BYTE.get(ch);
        if (b !== undefined) bytes.push(b);
        else for (const x of utf8.encode(ch)) bytes.push(x);
      }
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
}
