/**
 * Tokenizers from Hugging Face `tokenizer.json` (+ `tokenizer_config.json` for the chat template), and from GGUF
 * metadata, as the model file's tokenizer blob (tokenizers/meta.ts; whitepaper §2.2.6).
 *
 * Supported `tokenizer.json`: byte-level BPE (GPT-2, Llama 3, Qwen: model.type "BPE", a ByteLevel pre-tokenizer
 * or decoder), whose pre-tokenizer regex must be one llama.cpp knows (byte-bpe.ts PRE_TOKENIZERS); the
 * SentencePiece-style BPE of Llama 2 (byte_fallback, "▁") is not yet mapped and is refused with a typed error.
 */
import type { GgufFile } from '../gguf/gguf-reader.ts';
import { metaString } from '../gguf/gguf-reader.ts';
import { PRE_TOKENIZERS, type BpeVocab } from './byte-bpe.ts';
import { LlmTokenizerError } from './errors.ts';
import { tokenizerFromGguf } from './from-gguf.ts';
import { llmTokenizerMeta, type LlmTokenizerMeta } from './meta.ts';
import { ByteBpeTokenizer } from './byte-bpe.ts';
import { SpmTokenizer } from './spm.ts';
import { TOKEN_TYPE } from './tokenizer-types.ts';

/** The tokenizer blob of a GGUF file (its `tokenizer.ggml.*` keys and `tokenizer.chat_template`). */
export function tokenizerMetaFromGguf(file: GgufFile): LlmTokenizerMeta {
  const t = tokenizerFromGguf(file);
  const v = file.metadata.get('tokenizer.chat_template');
  const template = v === undefined ? undefined : metaString(file, 'tokenizer.chat_template');
  if (t instanceof SpmTokenizer) return llmTokenizerMeta('spm', t.vocab, template);
  if (t instanceof ByteBpeTokenizer) return llmTokenizerMeta('bpe', t.vocab, template);
  throw new LlmTokenizerError('unknown tokenizer');
}

/** tokenizer.json spellings of the known regexes (Hugging Face writes Llama 3's and Qwen2's with `(?i:…)`). */
const HF_PATTERNS: Record<string, string> = {
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+": 'llama3',
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+": 'qwen2',
};

/** Which known pre-tokenizer a tokenizer.json regex is (compared as source text, flags aside). */
function preFromRegex(pattern: string): string {
  if (Object.hasOwn(HF_PATTERNS, pattern)) return HF_PATTERNS[pattern]!;
  for (const [name, re] of Object.entries(PRE_TOKENIZERS)) if (re.source === pattern) return name;
  throw new LlmTokenizerError(`pre-tokenizer regex ${JSON.stringify(pattern.slice(0, 60))} is not one llama.cpp knows`);
}

function findSplitPattern(pre: unknown): string | undefined {
  if (pre === null || typeof pre !== 'object') return undefined;
  const p = pre as Record<string, unknown>;
  if (p.type === 'Split' && p.pattern && typeof (p.pattern as Record<string, unknown>).Regex === 'string') return (p.pattern as { Regex: string }).Regex;
  if (p.type === 'Sequence' && Array.isArray(p.pretokenizers)) for (const x of p.pretokenizers) {
    const r = findSplitPattern(x);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** tokenizer.json (+ tokenizer_config.json) → the model file's tokenizer blob. */
export function tokenizerMetaFromHf(tokenizerJson: unknown, config: unknown): LlmTokenizerMeta {
  const j = tokenizerJson as Record<string, unknown> | null;
  if (j === null || typeof j !== 'object') throw new LlmTokenizerError('tokenizer.json is not an object');
  const model = j.model as Record<string, unknown> | undefined;
  if (model?.type !== 'BPE') throw new LlmTokenizerError(`tokenizer model ${JSON.stringify(model?.type)} is not BPE`);
  if (model.byte_fallback === true) throw new LlmTokenizerError('SentencePiece-style BPE (byte_fallback) from tokenizer.json is not supported yet; import the GGUF');
  const vocab = model.vocab as Record<string, unknown> | undefined;
  if (vocab === undefined || typeof vocab !== 'object') throw new LlmTokenizerError('model.vocab is missing');
  const added = Array.isArray(j.added_tokens) ? (j.added_tokens as { id: number; content: string; special?: boolean }[]) : [];
  const n = Math.max(-1, ...Object.values(vocab).map(Number), ...added.map((a) => a.id)) + 1;
  if (!(n > 0 && n <= 1 << 20)) throw new LlmTokenizerError(`vocabulary size ${n}`);
  const tokens: string[] = new Array<string>(n).fill('');
  const types: number[] = new Array<number>(n).fill(TOKEN_TYPE.unused);
  for (const [tok, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || (id as number) < 0) throw new LlmTokenizerError(`bad id for ${JSON.stringify(tok)}`);
    tokens[id as number] = tok;
    types[id as number] = TOKEN_TYPE.normal;
  }
  for (const a of added) {
    if (!Number.isInteger(a.id) || a.id < 0 || typeof a.content !== 'string') throw new LlmTokenizerError('bad added token');
    tokens[a.id] = a.content;
    types[a.id] = a.special ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined;
  }
  const rawMerges = Array.isArray(model.merges) ? model.merges : [];
  const merges = rawMerges.map((m) => (Array.isArray(m) ? `${m[0]} ${m[1]}` : String(m)));
  const pattern = findSplitPattern(j.pre_tokenizer);
  const pre = pattern === undefined ? 'gpt-2' : preFromRegex(pattern);
  const cfg = (config ?? {}) as Record<string, unknown>;
  const idOf = (key: string): number => {
    const v = cfg[key];
    const text = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as { content?: string }).content : undefined;
    const id = text === undefined ? -1 : tokens.indexOf(text);
    if (id < 0) throw new LlmTokenizerError(`${key} ${JSON.stringify(text)} is not a token`);
    return id;
  };
  const v: BpeVocab = { tokens, types, merges, pre, bosId: idOf('bos_token'), eosId: idOf('eos_token') };
  const template = typeof cfg.chat_template === 'string' ? cfg.chat_template : undefined;
  return llmTokenizerMeta('bpe', v, template);
}

/** Our own writer of a byte-level BPE tokenizer.json + tokenizer_config.json (fixtures and exports). */
export function bpeToHf(v: BpeVocab, chatTemplate?: string): { tokenizer: unknown; config: unknown } {
  const vocab: Record<string, number> = {};
  const added: { id: number; content: string; special: boolean }[] = [];
  v.tokens.forEach((t, i) => {
    if (v.types[i] === TOKEN_TYPE.control || v.types[i] === TOKEN_TYPE.userDefined) added.push({ id: i, content: t, special: v.types[i] === TOKEN_TYPE.control });
    else vocab[t] = i;
  });
  const regex = PRE_TOKENIZERS[v.pre]!.source;
  return {
    tokenizer: {
      version: '1.0',
      added_tokens: added,
      pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false }, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] },
      decoder: { type: 'ByteLevel' },
      model: { type: 'BPE', vocab, merges: v.merges.map((m) => m.split(' ')), byte_fallback: false },
    },
    config: { bos_token: v.tokens[v.bosId], eos_token: v.tokens[v.eosId], ...(chatTemplate === undefined ? {} : { chat_template: chatTemplate }) },
  };
}
