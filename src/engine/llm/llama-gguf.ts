/**
 * Llama-family weights ⇄ GGUF (whitepaper §2.2.6): tensor names and metadata keys as llama.cpp's "llama"
 * architecture uses them (llama-arch.cpp), so a file we write runs in llama.cpp and a llama.cpp file imports here.
 *
 * Matrices are (out, in) row-major here and dims [in, out] in GGUF: the same element order, no transpose.
 */
import { ImportArchitectureError, ImportStructureError } from '../gguf/errors.ts';
import type { GgufValue } from '../gguf/gguf-format.ts';
import { metaNumber, metaString, readGgufTensor, type GgufFile } from '../gguf/gguf-reader.ts';
import type { GgufTensorInput } from '../gguf/gguf-writer.ts';
import { layerShapes, validateLlamaConfig, type LlamaConfig, type LlamaLayerWeights, type LlamaLimits, type LlamaWeights } from './llama-config.ts';

export const LAYER_TENSOR_NAMES: Record<keyof LlamaLayerWeights, string> = {
  attnNorm: 'attn_norm',
  wq: 'attn_q',
  wk: 'attn_k',
  wv: 'attn_v',
  wo: 'attn_output',
  ffnNorm: 'ffn_norm',
  wGate: 'ffn_gate',
  wUp: 'ffn_up',
  wDown: 'ffn_down',
};

const LAYER_KEYS = Object.keys(LAYER_TENSOR_NAMES) as (keyof LlamaLayerWeights)[];
const NORMS = new Set<keyof LlamaLayerWeights>(['attnNorm', 'ffnNorm']);

/** Architecture metadata for `config` (the tokenizer adds its own `tokenizer.ggml.*` keys). */
export function llamaGgufMetadata(c: LlamaConfig, name: string): [string, GgufValue][] {
  const u32 = (value: number): GgufValue => ({ type: 'u32', value });
  return [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: name }],
    ['llama.context_length', u32(c.contextLength)],
    ['llama.embedding_length', u32(c.dim)],
    ['llama.block_count', u32(c.layers)],
    ['llama.feed_forward_length', u32(c.hiddenDim)],
    ['llama.attention.head_count', u32(c.heads)],
    ['llama.attention.head_count_kv', u32(c.kvHeads)],
    ['llama.rope.dimension_count', u32(c.dim / c.heads)],
    ['llama.rope.freq_base', { type: 'f32', value: c.ropeTheta }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: c.normEps }],
    ['llama.vocab_size', u32(c.vocabSize)],
  ];
}

/**
 * The weights as GGUF tensors. `matrixType` is used for 2-D weights ('F32', 'F16', 'BF16', 'Q8_0'); norms stay F32
 * as llama.cpp's converter keeps them.
 */
export function llamaGgufTensors(w: LlamaWeights, matrixType: string): GgufTensorInput[] {
  const c = w.config;
  const out: GgufTensorInput[] = [{ name: 'token_embd.weight', dims: [c.dim, c.vocabSize], type: matrixType, values: w.tokenEmbedding }];
  const shapes = layerShapes(c);
  w.layers.forEach((L, i) => {
    for (const key of LAYER_KEYS) {
      const [rows, cols] = shapes[key];
      out.push({ name: `blk.${i}.${LAYER_TENSOR_NAMES[key]}.weight`, dims: NORMS.has(key) ? [cols] : [cols, rows], type: NORMS.has(key) ? 'F32' : matrixType, values: L[key] });
    }
  });
  out.push({ name: 'output_norm.weight', dims: [c.dim], type: 'F32', values: w.outputNorm });
  if (w.output !== undefined) out.push({ name: 'output.weight', dims: [c.dim, c.vocabSize], type: matrixType, values: w.output });
  return out;
}

/** Reads the hyper-parameters of a GGUF "llama" file; anything we do not implement is an `ImportArchitectureError`. */
export function llamaConfigFromGguf(file: GgufFile, limits?: LlamaLimits): LlamaConfig {
  const arch = metaString(file, 'general.architecture');
  if (arch !== 'llama') throw new ImportArchitectureError(`architecture "${arch}" is not supported (llama only)`, 'general.architecture');
  const emb = file.tensorsByName.get('token_embd.weight');
  if (emb === undefined || emb.dims.length !== 2) throw new ImportStructureError('missing or not 2-D', 'token_embd.weight');
  const heads = metaNumber(file, 'llama.attention.head_count');
  const dim = metaNumber(file, 'llama.embedding_length');
  const ropeDims = metaNumber(file, 'llama.rope.dimension_count', dim / heads);
  if (ropeDims !== dim / heads) throw new ImportArchitectureError(`partial rotary (${ropeDims} of ${dim / heads}) is not supported`, 'llama.rope.dimension_count');
  for (const key of ['llama.rope.scaling.type', 'llama.rope.scaling.factor']) {
    const v = file.metadata.get(key);
    if (v !== undefined && !(v.type === 'string' && v.value === 'none') && !(v.type === 'f32' && (v.value === 0 || v.value === 1))) {
      throw new ImportArchitectureError('rope scaling is not supported', key);
    }
  }
  const config: LlamaConfig = {
    vocabSize: emb.dims[1]!,
    dim,
    layers: metaNumber(file, 'llama.block_count'),
    heads,
    kvHeads: metaNumber(file, 'llama.attention.head_count_kv', heads),
    hiddenDim: metaNumber(file, 'llama.feed_forward_length'),
    contextLength: Math.min(metaNumber(file, 'llama.context_length'), limits?.maxContext ?? 4096),
    normEps: metaNumber(file, 'llama.attention.layer_norm_rms_epsilon'),
    ropeTheta: metaNumber(file, 'llama.rope.freq_base', 10_000),
    tiedEmbeddings: !file.tensorsByName.has('output.weight'),
  };
  return validateLlamaConfig(config, limits);
}

/** Checks a tensor's presence and shape (ggml dims) before reading it. */
function tensor(file: GgufFile, name: string, dims: number[]): Float32Array {
  const t = file.tensorsByName.get(name);
  if (t === undefined) throw new ImportStructureError('missing tensor', name);
  if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) throw new ImportStructureError(`shape [${t.dims.join(', ')}], expected [${dims.join(', ')}]`, name);
  return readGgufTensor(file, t);
}

/** Decodes all weights to float32 (memory: 4 bytes per parameter — for the float reference and conversion). */
export function readLlamaWeights(file: GgufFile, config: LlamaConfig = llamaConfigFromGguf(file)): LlamaWeights {
  const c = config;
  const shapes = layerShapes(c);
  const layers: LlamaLayerWeights[] = [];
  for (let i = 0; i < c.layers; i++) {
    const L = {} as LlamaLayerWeights;
    for (const key of LAYER_KEYS) {
      const [rows, cols] = shapes[key];
      L[key] = tensor(file, `blk.${i}.${LAYER_TENSOR_NAMES[key]}.weight`, NORMS.has(key) ? [cols] : [cols, rows]);
    }
    layers.push(L);
  }
  const w: LlamaWeights = {
    config: c,
    tokenEmbedding: tensor(file, 'token_embd.weight', [c.dim, c.vocabSize]),
    layers,
    outputNorm: tensor(file, 'output_norm.weight', [c.dim]),
  };
  if (!c.tiedEmbeddings) w.output = tensor(file, 'output.weight', [c.dim, c.vocabSize]);
  return w;
}
