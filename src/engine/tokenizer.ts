/**
 * Character-level tokenizer for the models the project ships (whitepaper §2.2.6: a deterministic model includes
 * its tokenizer, so two nodes turn the same prompt into the same token ids).
 *
 * The vocabulary is a plain list of strings, stored as-is in a model file's metadata: index = token id. Entries
 * in angle brackets (`<pad>`, `<bos>`, `<eos>`) are special tokens; every other entry is exactly one Unicode
 * code point. `encode` maps each code point of the text to its id and rejects anything else with a typed
 * error — never a silent `<unk>` — so a prompt outside the model's alphabet fails loudly at the boundary.
 */
import { BaseError } from '../common/errors.ts';

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';

/** Largest vocabulary accepted from a file: token ids must fit the engine's int32 and a header must stay small. */
export const MAX_VOCAB_SIZE = 65_536;
/** Longest text `encode` accepts, in code points: bounds work for untrusted prompts (contexts are far shorter). */
export const MAX_ENCODE_CHARS = 65_536;

export class TokenizerVocabError extends BaseError<{ reason: string; index?: number }> {
  constructor(reason: string, index?: number) {
    super('TOKENIZER_BAD_VOCAB', `bad tokenizer vocabulary: ${reason}`, {
      details: index === undefined ? { reason } : { reason, index },
    });
  }
}

export class TokenizerUnknownCharError extends BaseError<{ char: string; codePoint: number; position: number }> {
  constructor(char: string, position: number) {
    const codePoint = char.codePointAt(0) ?? -1;
    super('TOKENIZER_UNKNOWN_CHAR', `character U+${codePoint.toString(16).padStart(4, '0')} at ${position} is not in the vocabulary`, {
      details: { char, codePoint, position },
    });
  }
}

export class TokenizerBadIdError extends BaseError<{ id: number; position: number; vocabSize: number }> {
  constructor(id: number, position: number, vocabSize: number) {
    super('TOKENIZER_BAD_ID', `token id ${id} at ${position} is not in [0, ${vocabSize})`, { details: { id, position, vocabSize } });
  }
}

export class TokenizerTooLongError extends BaseError<{ length: number; max: number }> {
  constructor(length: number, max: number) {
    super('TOKENIZER_TOO_LONG', `text of ${length} characters exceeds ${max}`, { details: { length, max } });
  }
}

export interface EncodeOptions {
  /** Prepend `<bos>` (default true: the shipped models are trained with it). */
  bos?: boolean;
  /** Append `<eos>` (default false: a prompt is continued, not closed). */
  eos?: boolean;
}

export class Tokenizer {
  readonly vocab: readonly string[];
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  private readonly ids: Map<string, number>;

  /** Validates `vocab` (untrusted: it comes from a model file). */
  constructor(vocab: readonly unknown[]) {
    if (!Array.isArray(vocab)) throw new TokenizerVocabError('not an array');
    if (vocab.length === 0 || vocab.length > MAX_VOCAB_SIZE) throw new TokenizerVocabError(`size ${vocab.length} not in [1, ${MAX_VOCAB_SIZE}]`);
    const ids = new Map<string, number>();
    vocab.forEach((entry, i) => {
      if (typeof entry !== 'string') throw new TokenizerVocabError('entry is not a string', i);
      const special = /^<[a-z0-9_]{1,16}>$/.test(entry);
      if (!special && [...entry].length !== 1) throw new TokenizerVocabError(`entry ${JSON.stringify(entry.slice(0, 20))} is neither one character nor <special>`, i);
      if (ids.has(entry)) throw new TokenizerVocabError(`duplicate entry ${JSON.stringify(entry)}`, i);
      ids.set(entry, i);
    });
    for (const s of [PAD, BOS, EOS]) if (!ids.has(s)) throw new TokenizerVocabError(`missing special token ${s}`);
    this.vocab = Object.freeze(vocab.slice() as string[]);
    this.ids = ids;
    this.padId = ids.get(PAD)!;
    this.bosId = ids.get(BOS)!;
    this.eosId = ids.get(EOS)!;
  }

  /** `<pad>`, `<bos>`, `<eos>`, then the characters of `alphabet` in order. */
  static fromAlphabet(alphabet: string): Tokenizer {
    return new Tokenizer([PAD, BOS, EOS, ...alphabet]);
  }

  get size(): number {
    return this.vocab.length;
  }

  /** Token ids of `text`, one per code point; throws `TokenizerUnknownCharError` for a character outside the vocabulary. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new TokenizerVocabError('text to encode is not a string');
    const chars = [...text];
    if (chars.length > MAX_ENCODE_CHARS) throw new TokenizerTooLongError(chars.length, MAX_ENCODE_CHARS);
    const out: number[] = [];
    if (options.bos ?? true) out.push(this.bosId);
    chars.forEach((c, position) => {
      // `c` is one code point, so it can never name a special entry (those are ≥ 3 characters long).
      const id = this.ids.get(c);
      if (id === undefined) throw new TokenizerUnknownCharError(c, position);
      out.push(id);
    });
    if (options.eos ?? false) out.push(this.eosId);
    return out;
  }

  /**
   * Text of `ids`. Stops at the first `<eos>` (not included); `<bos>` and `<pad>` are skipped; throws
   * `TokenizerBadIdError` for an id outside the vocabulary.
   */
  decode(ids: ArrayLike<number>): string {
    let text = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocab.length) throw new TokenizerBadIdError(id, i, this.vocab.length);
      if (id === this.eosId) break;
      const entry = this.vocab[id]!;
      if (entry.startsWith('<') && entry.length > 1) continue; // other specials carry no text
      text += entry;
    }
    return text;
  }

  /** The vocabulary list for a model file's metadata; `new Tokenizer(list)` restores it. */
  toJSON(): string[] {
    return this.vocab.slice();
  }
}
