/**
 * Llama-family weights from a Hugging Face directory: `config.json` + `*.safetensors` (whitepaper §2.2.6).
 *
 * Tensor names are transformers' LlamaForCausalLM ones. Hugging Face rotates the halves of each head
 * (x[i], x[i + dh/2]) where GGUF and our engine rotate adjacent pairs (x[2i], x[2i+1]), so the rows of q_proj and
 * k_proj are permuted per head on import, exactly as llama.cpp's converter does (convert_hf_to_gguf.py `permute`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileSource } from '../gguf/byte-source.ts';
import { ImportArchitectureError, ImportLimitError, ImportStructureError } from '../gguf/errors.ts';
import { readSafetensor, readSafetensors, type SafetensorsFile } from '../gguf/safetensors-reader.ts';
import { layerShapes, validateLlamaConfig, type LlamaConfig, type LlamaLayerWeights, type LlamaLimits, type LlamaWeights } from './llama-config.ts';

export const HF_LAYER_NAMES: Record<keyof LlamaLayerWeights, string> = {
  attnNorm: 'input_layernorm',
  wq: 'self_attn.q_proj',
  wk: 'self_attn.k_proj',
  wv: 'self_attn.v_proj',
  wo: 'self_attn.o_proj',
  ffnNorm: 'post_attention_layernorm',
  wGate: 'mlp.gate_proj',
  wUp: 'mlp.up_proj',
  wDown: 'mlp.down_proj',
};

/** Largest config.json / tokenizer.json read: vocabularies with merges are a few MB. */
export const MAX_JSON_BYTES = 64 << 20;

export function readJsonFile(path: string): unknown {
  const text = readFileSync(path);
  if (text.length > MAX_JSON_BYTES) throw new ImportLimitError(`${path} bytes`, text.length, MAX_JSON_BYTES);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch (e) {
    throw new ImportStructureError(`not UTF-8 JSON: ${(e as Error).message.slice(0, 80)}`, path);
  }
}

/** transformers' LlamaConfig → ours; other model types (Qwen2 has q/k/v biases, Gemma other norms) are refused. */
export function llamaConfigFromHf(json: unknown, limits?: LlamaLimits): LlamaConfig {
  if (json === null || typeof json !== 'object') throw new ImportStructureError('config.json is not an object');
  const j = json as Record<string, unknown>;
  if (j.model_type !== 'llama' && j.model_type !== 'mistral') throw new ImportArchitectureError(`model_type ${JSON.stringify(j.model_type)} is not supported (llama, mistral)`, 'model_type');
  if (j.rope_scaling !== undefined && j.rope_scaling !== null) throw new ImportArchitectureError('rope scaling is not supported', 'rope_scaling');
  if (j.attention_bias === true || j.mlp_bias === true) throw new ImportArchitectureError('biases are not supported', 'attention_bias');
  if (j.hidden_act !== undefined && j.hidden_act !== 'silu') throw new ImportArchitectureError(`activation ${JSON.stringify(j.hidden_act)} is not SiLU`, 'hidden_act');
  const heads = j.num_attention_heads as number;
  const config: LlamaConfig = {
    vocabSize: j.vocab_size as number,
    dim: j.hidden_size as number,
    layers: j.num_hidden_layers as number,
    heads,
    kvHeads: (j.num_key_value_heads as number | undefined) ?? heads,
    hiddenDim: j.intermediate_size as number,
    contextLength: Math.min(Number(j.max_position_embeddings ?? 2048), limits?.maxContext ?? 4096),
    // float32 as GGUF stores them, so both formats of one model give the same scales and the same model hash
    normEps: Math.fround((j.rms_norm_eps as number | undefined) ?? 1e-6),
    ropeTheta: Math.fround((j.rope_theta as number | undefined) ?? 10_000),
    tiedEmbeddings: j.tie_word_embeddings === true,
  };
  return validateLlamaConfig(config, limits);
}

/** Hugging Face half-split rotary rows → adjacent pairs, per head (and `inverse` back). Rows are `cols` long. */
export function permuteRotaryRows(w: Float32Array, heads: number, cols: number, inverse = false): Float32Array {
  const rows = w.length / cols;
  const dh = rows / heads;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < dh / 2; i++) {
      for (const [pair, half] of [[2 * i, i], [2 * i + 1, i + dh / 2]] as const) {
        const [to, from] = inverse ? [half, pair] : [pair, half];
        out.set(w.subarray((h * dh + from) * cols, (h * dh + from + 1) * cols), (h * dh + to) * cols);
      }
    }
  }
  return out;
}

/** Reads every tensor of a directory's `*.safetensors` shards into a name → (file, info) index. */
export function openSafetensorsDir(dir: string): { files: SafetensorsFile[]; get(name: string, shape: number[]): Float32Array; close(): void } {
  const names = readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort();
  if (names.length === 0) throw new ImportStructureError('no *.safetensors file', dir);
  const files: SafetensorsFile[] = [];
  try {
    for (const n of names) files.push(readSafetensors(fileSource(join(dir, n))));
  } catch (e) {
    for (const f of files) f.source.close();
    throw e;
  }
  return {
    files,
    get(name, shape) {
      for (const f of files) {
        const info = f.tensors.get(name);
        if (info === undefined) continue;
        if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) throw new ImportStructureError(`shape ${JSON.stringify(info.shape)}, expected ${JSON.stringify(shape)}`, name);
        return readSafetensor(f, info);
      }
      throw new ImportStructureError('missing tensor', name);
    },
    close() {
      for (const f of files) f.source.close();
    },
  };
}

export function readLlamaWeightsHf(dir: string, limits?: LlamaLimits): LlamaWeights {
  const config = llamaConfigFromHf(readJsonFile(join(dir, 'config.json')), limits);
  const st = openSafetensorsDir(dir);
  try {
    const c = config;
    const shapes = layerShapes(c);
    const layers: LlamaLayerWeights[] = [];
    for (let i = 0; i < c.layers; i++) {
      const L = {} as LlamaLayerWeights;
      for (const key of Object.keys(HF_LAYER_NAMES) as (keyof LlamaLayerWeights)[]) {
        const [rows, cols] = shapes[key];
        const w = st.get(`model.layers.${i}.${HF_LAYER_NAMES[key]}.weight`, rows === 1 ? [cols] : [rows, cols]);
        L[key] = key === 'wq' ? permuteRotaryRows(w, c.heads, cols) : key === 'wk' ? permuteRotaryRows(w, c.kvHeads, cols) : w;
      }
      layers.push(L);
    }
    const w: LlamaWeights = {
      config: c,
      tokenEmbedding: st.get('model.embed_tokens.weight', [c.vocabSize, c.dim]),
      layers,
      outputNorm: st.get('model.norm.weight', [c.dim]),
    };
    if (!c.tiedEmbeddings) w.output = st.get('lm_head.weight', [c.vocabSize, c.dim]);
    return w;
  } finally {
    st.close();
  }
}

/** The same weights as transformers would save them (our fixtures; the inverse of `readLlamaWeightsHf`). */
export function llamaToHf(w: LlamaWeights): { config: Record<string, unknown>; tensors: { name: string; shape: number[]; values: Float32Array }[] } {
  const c = w.config;
  const shapes = layerShapes(c);
  const tensors: { name: string; shape: number[]; values: Float32Array }[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, c.dim], values: w.tokenEmbedding }];
  w.layers.forEach((L, i) => {
    for (const key of Object.keys(HF_LAYER_NAMES) as (keyof LlamaLayerWeights)[]) {
      const [rows, cols] = shapes[key];
      const v = key === 'wq' ? permuteRotaryRows(L[key], c.heads, cols, true) : key === 'wk' ? permuteRotaryRows(L[key], c.kvHeads, cols, true) : L[key];
      tensors.push({ name: `model.layers.${i}.${HF_LAYER_NAMES[key]}.weight`, shape: rows === 1 ? [cols] : [rows, cols], values: v });
    }
  });
  tensors.push({ name: 'model.norm.weight', shape: [c.dim], values: w.outputNorm });
  if (w.output) tensors.push({ name: 'lm_head.weight', shape: [c.vocabSize, c.dim], values: w.output });
  const config = {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: c.vocabSize, hidden_size: c.dim, num_hidden_layers: c.layers,
    num_attention_heads: c.heads, num_key_value_heads: c.kvHeads, intermediate_size: c.hiddenDim, max_position_embeddings: c.contextLength,
    rms_norm_eps: c.normEps, rope_theta: c.ropeTheta, tie_word_embeddings: c.tiedEmbeddings, hidden_act: 'silu',
  };
  return { config, tensors };
}
