/**
 * `hyperspace model import`: a GGUF file or a Hugging Face directory → the engine's model file (whitepaper §2.2.6:
 * int8 weights with per-row fixed-point scales; the model hash covers weights, graph, tokenizer and chat template).
 *
 * Steps (each reported to `onProgress`): read the config and the float weights; build the tokenizer blob; encode
 * the built-in English calibration text with the model's own tokenizer into sequences of the context length; run
 * the float reference over them to calibrate every quantisation site; quantise; validate (the loader's range
 * proofs) and hash. Deterministic: the same file gives the same model hash on every machine (the float
 * calibration is plain IEEE arithmetic in a fixed order; Math.exp / cos / sin results feed only scales and tables,
 * which are then fixed weights). The caller writes `encodeModelFile(model)`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileSource } from '../gguf/byte-source.ts';
import { ImportStructureError } from '../gguf/errors.ts';
import { readGguf } from '../gguf/gguf-reader.ts';
import { prepareModel, type LoadedModel } from '../model-file.ts';
import { tokenizerMetaFromGguf, tokenizerMetaFromHf } from '../tokenizers/hf-tokenizer.ts';
import { llmTokenizerFromMeta, type LlmTokenizerMeta } from '../tokenizers/meta.ts';
import { countParameters, DEFAULTS as LLAMA_LIMITS, type LlamaWeights } from './llama-config.ts';
import { llamaConfigFromGguf, readLlamaWeights } from './llama-gguf.ts';
import { readJsonFile, readLlamaWeightsHf } from './llama-safetensors.ts';
import { calibrateLlama, quantizeLlama, type QuantizeReport } from './quantize-llama.ts';
import { CALIBRATION_TEXT } from './calibration-text.ts';

export interface ImportOptions {
  /** Model name in the file ([a-z0-9-]); default from the file. */
  name?: string;
  /** Context length of the imported model (≤ the source's and ≤ 4096); default min(source, 512). */
  contextLength?: number;
  /** Calibration sequences (each contextLength tokens of the calibration text, or fewer). */
  calibrationSequences: number;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export const DEFAULTS: ImportOptions = {
  calibrationSequences: 8, // 8 × up to 512 tokens: every site sees a few thousand activations
};

export interface ImportResult {
  model: LoadedModel;
  format: 'gguf' | 'safetensors';
  parameters: number;
  report: QuantizeReport;
  tokenizer: { kind: string; vocabSize: number; chatTemplate: boolean };
}

export function sanitizeName(s: string): string {
  const n = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return /^[a-z0-9]/.test(n) ? n : `model-${n}`.slice(0, 64);
}

function readSource(path: string, progress: ImportOptions['onProgress']): { weights: LlamaWeights; tokenizer: LlmTokenizerMeta; format: 'gguf' | 'safetensors'; name: string } {
  if (!existsSync(path)) throw new ImportStructureError('no such file or directory', path);
  if (statSync(path).isDirectory()) {
    progress?.('read safetensors', 0, 1);
    const weights = readLlamaWeightsHf(path);
    const tj = join(path, 'tokenizer.json');
    if (!existsSync(tj)) throw new ImportStructureError('missing tokenizer.json', path);
    const cfgPath = join(path, 'tokenizer_config.json');
    const tokenizer = tokenizerMetaFromHf(readJsonFile(tj), existsSync(cfgPath) ? readJsonFile(cfgPath) : {});
    progress?.('read safetensors', 1, 1);
    return { weights, tokenizer, format: 'safetensors', name: path.split('/').filter(Boolean).pop() ?? 'model' };
  }
  const source = fileSource(path);
  try {
    const file = readGguf(source);
    const config = llamaConfigFromGguf(file);
    progress?.('read gguf', 0, 1);
    const weights = readLlamaWeights(file, config);
    progress?.('read gguf', 1, 1);
    const nameMeta = file.metadata.get('general.name');
    return { weights, tokenizer: tokenizerMetaFromGguf(file), format: 'gguf', name: typeof nameMeta?.value === 'string' ? nameMeta.value : 'model' };
  } finally {
    source.close();
  }
}

export function importModel(path: string, options: Partial<ImportOptions> = {}): ImportResult {
  const o = { ...DEFAULTS, ...options };
  const progress = o.onProgress;
  const src = readSource(path, progress);
  const w = src.weights;
  const C = Math.min(o.contextLength ?? Math.min(w.config.contextLength, 512), w.config.contextLength, LLAMA_LIMITS.maxContext);
  const weights: LlamaWeights = { ...w, config: { ...w.config, contextLength: C } };
  const { tokenizer } = llmTokenizerFromMeta(src.tokenizer);
  const ids = tokenizer.encode(CALIBRATION_TEXT);
  const sequences: number[][] = [];
  for (let i = 0; i < o.calibrationSequences && i * (C - 1) < ids.length; i++) sequences.push([tokenizer.bosId, ...ids.slice(i * (C - 1), (i + 1) * (C - 1))]);
  progress?.('calibrate', 0, sequences.length);
  const cal = calibrateLlama(weights, sequences);
  progress?.('calibrate', sequences.length, sequences.length);
  progress?.('quantize', 0, 1);
  const name = sanitizeName(o.name ?? src.name);
  const { model, report } = quantizeLlama(
    weights, cal,
    { name, description: `imported ${weights.config.layers}-layer Llama-family model`, task: 'generate', contextLength: C, vocabSize: weights.config.vocabSize },
    {}, src.tokenizer,
  );
  progress?.('quantize', 1, 1);
  const loaded = prepareModel(model);
  return { model: loaded, format: src.format, parameters: countParameters(weights.config), report, tokenizer: { kind: src.tokenizer.kind, vocabSize: tokenizer.vocabSize, chatTemplate: src.tokenizer.chatTemplate !== undefined } };
}
