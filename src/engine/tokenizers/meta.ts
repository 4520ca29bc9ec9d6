/**
 * A language model's tokenizer and chat template in the model file (engine.md §4.1 fields `tokenizer`, `eosId`;
 * whitepaper §2.2.6: the model hash covers the tokenizer, so two nodes that imported the same file derive the same
 * ids from the same prompt and format chats the same way).
 *
 * The tokenizer is a canonical-JSON blob stored in the weights blob (committed by the weights root, so the
 * metadata — which the dispute contract registers in calldata — stays small for 150k-token vocabularies):
 *   meta.tokenizer = { offset, length, keccak }    byte range in the weights blob and keccak256 of those bytes
 *   meta.eosId     = the stop token (top level, so the contract reads it like contextLength)
 *   blob: { kind: "spm", tokens, scores, types, bosId, eosId, unkId, addSpacePrefix, chatTemplate? }
 *       | { kind: "bpe", tokens, types, merges, pre, bosId, eosId, chatTemplate? }
 * `TextTokenizer` adapts either to what the runner and the CLI use from a model's tokenizer (encode with BOS,
 * decode, eosId), like the character tokenizer of the shipped models.
 */
import { ByteBpeTokenizer, canonicalPre, type BpeVocab } from './byte-bpe.ts';
import { LlmTokenizerError } from './errors.ts';
import { SpmTokenizer, type SpmVocab } from './spm.ts';
import type { LlmTokenizer } from './tokenizer-types.ts';
import { keccak256 } from '../../crypto/keccak.ts';
import { toHex } from '../../common/bytes.ts';
import { ModelMetaError } from '../graph.ts';
import type { TokenizerRef } from './tokenizer-ref.ts';

export type LlmTokenizerMeta = ({ kind: 'spm' } & SpmVocab & { chatTemplate?: string }) | ({ kind: 'bpe' } & BpeVocab & { chatTemplate?: string });

/** Longest chat template kept in a model file (real ones are ≤ ~20 KB). */
export const MAX_CHAT_TEMPLATE_CHARS = 1 << 17;

const SPM_KEYS = ['kind', 'tokens', 'scores', 'types', 'bosId', 'eosId', 'unkId', 'addSpacePrefix', 'chatTemplate'];
const BPE_KEYS = ['kind', 'tokens', 'types', 'merges', 'pre', 'bosId', 'eosId', 'chatTemplate'];

/** Validates untrusted metadata and builds the tokenizer (typed `LlmTokenizerError` on anything wrong). */
export function llmTokenizerFromMeta(meta: unknown): { tokenizer: LlmTokenizer; chatTemplate: string | null } {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new LlmTokenizerError('tokenizer metadata is not an object');
  const m = meta as Record<string, unknown>;
  const keys = m.kind === 'spm' ? SPM_KEYS : m.kind === 'bpe' ? BPE_KEYS : null;
  if (keys === null) throw new LlmTokenizerError(`unknown tokenizer kind ${JSON.stringify(m.kind)}`);
  for (const k of Object.keys(m)) if (!keys.includes(k)) throw new LlmTokenizerError(`unknown field ${k}`);
  const strings = (k: string): string[] => {
    const a = m[k];
    if (!Array.isArray(a) || !a.every((x) => typeof x === 'string')) throw new LlmTokenizerError(`${k} must be an array of strings`);
    return a as string[];
  };
  const numbers = (k: string): number[] => {
    const a = m[k];
    if (!Array.isArray(a) || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new LlmTokenizerError(`${k} must be an array of finite numbers`);
    return a as number[];
  };
  const int = (k: string): number => {
    if (!Number.isSafeInteger(m[k])) throw new LlmTokenizerError(`${k} must be an integer`);
    return m[k] as number;
  };
  let chatTemplate: string | null = null;
  if (m.chatTemplate !== undefined) {
    if (typeof m.chatTemplate !== 'string' || m.chatTemplate.length > MAX_CHAT_TEMPLATE_CHARS) throw new LlmTokenizerError(`chatTemplate must be a string of at most ${MAX_CHAT_TEMPLATE_CHARS} characters`);
    chatTemplate = m.chatTemplate;
  }
  if (m.kind === 'spm') {
    if (typeof m.addSpacePrefix !== 'boolean') throw new LlmTokenizerError('addSpacePrefix must be a boolean');
    const v: SpmVocab = { tokens: strings('tokens'), scores: numbers('scores'), types: numbers('types'), bosId: int('bosId'), eosId: int('eosId'), unkId: int('unkId'), addSpacePrefix: m.addSpacePrefix };
    return { tokenizer: new SpmTokenizer(v), chatTemplate };
  }
  if (typeof m.pre !== 'string') throw new LlmTokenizerError('pre must be a string');
  const v: BpeVocab = { tokens: strings('tokens'), types: numbers('types'), merges: strings('merges'), pre: m.pre, bosId: int('bosId'), eosId: int('eosId') };
  return { tokenizer: new ByteBpeTokenizer(v), chatTemplate };
}

/** The metadata object for a vocabulary (fields in a fixed order; the file's canonical JSON sorts them anyway). */
export function llmTokenizerMeta(kind: 'spm', v: SpmVocab, chatTemplate?: string): LlmTokenizerMeta;
export function llmTokenizerMeta(kind: 'bpe', v: BpeVocab, chatTemplate?: string): LlmTokenizerMeta;
export function llmTokenizerMeta(kind: 'spm' | 'bpe', v: SpmVocab | BpeVocab, chatTemplate?: string): LlmTokenizerMeta {
  const base = kind === 'spm'
    ? (({ tokens, scores, types, bosId, eosId, unkId, addSpacePrefix }: SpmVocab) => ({ kind, tokens: [...tokens], scores: [...scores], types: [...types], bosId, eosId, unkId, addSpacePrefix }))(v as SpmVocab)
    : (({ tokens, types, merges, pre, bosId, eosId }: BpeVocab) => ({ kind, tokens: [...tokens], types: [...types], merges: [...merges], pre: canonicalPre(pre), bosId, eosId }))(v as BpeVocab);
  return (chatTemplate === undefined ? base : { ...base, chatTemplate }) as LlmTokenizerMeta;
}

/** What a model's layout offers callers: text in (with BOS), text out, the stop token. */
export class TextTokenizer {
  readonly llm: LlmTokenizer;
  readonly chatTemplate: string | null;
  readonly size: number;
  readonly bosId: number;
  readonly eosId: number;
  constructor(llm: LlmTokenizer, chatTemplate: string | null) {
    this.llm = llm;
    this.chatTemplate = chatTemplate;
    this.size = llm.vocabSize;
    this.bosId = llm.bosId;
    this.eosId = llm.eosId;
  }
  /** Ids of `text` with BOS first (default); `parseSpecial` only for template output, never for user text. */
  encode(text: string, options: { bos?: boolean; parseSpecial?: boolean } = {}): number[] {
    const ids = this.llm.encode(text, { parseSpecial: options.parseSpecial ?? false });
    return options.bos === false ? ids : [this.bosId, ...ids];
  }
  decode(ids: ArrayLike<number>): string {
    return this.llm.decode(Array.from(ids));
  }
}

/** Largest tokenizer blob (a 262k vocabulary with merges is ~10 MB of JSON). */
export const MAX_TOKENIZER_BYTES = 64 << 20;

export type { TokenizerRef };

/** Canonical JSON (sorted keys, no whitespace) of a tokenizer blob. */
export function tokenizerBlob(meta: LlmTokenizerMeta): Uint8Array {
  const sorted = Object.fromEntries(Object.entries(meta).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return new TextEncoder().encode(JSON.stringify(sorted));
}

/** The model metadata's reference to a blob at `offset` in the weights. */
export function tokenizerRef(blob: Uint8Array, offset: number): TokenizerRef {
  return { offset, length: blob.length, keccak: toHex(keccak256(blob)) };
}

/** Loader side: checks the reference, the hash and the JSON, and builds the tokenizer (ModelMetaError on anything wrong). */
export function tokenizerFromBlob(ref: unknown, eosId: unknown, weights: Uint8Array): TextTokenizer {
  const r = ref as Partial<TokenizerRef> | null;
  if (r === null || typeof r !== 'object' || Array.isArray(r) || Object.keys(r).sort().join() !== 'keccak,length,offset') throw new ModelMetaError('tokenizer', 'must be { offset, length, keccak }');
  if (!Number.isSafeInteger(r.offset) || !Number.isSafeInteger(r.length) || r.offset! < 0 || r.length! < 2 || r.length! > MAX_TOKENIZER_BYTES || r.offset! + r.length! > weights.length) {
    throw new ModelMetaError('tokenizer', `byte range [${r.offset}, +${r.length}) is not inside the ${weights.length}-byte weights blob`);
  }
  const bytes = weights.subarray(r.offset!, r.offset! + r.length!);
  if (typeof r.keccak !== 'string' || r.keccak !== toHex(keccak256(bytes))) throw new ModelMetaError('tokenizer', 'keccak does not match the blob');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ModelMetaError('tokenizer', 'blob is not UTF-8 JSON');
  }
  let t: { tokenizer: LlmTokenizer; chatTemplate: string | null };
  try {
    t = llmTokenizerFromMeta(json);
  } catch (e) {
    throw new ModelMetaError('tokenizer', (e as Error).message);
  }
  if (eosId !== t.tokenizer.eosId) throw new ModelMetaError('eosId', `must equal the tokenizer's eosId ${t.tokenizer.eosId}`);
  return new TextTokenizer(t.tokenizer, t.chatTemplate);
}
