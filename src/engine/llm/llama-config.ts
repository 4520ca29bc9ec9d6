/**
 * Hyper-parameters of a Llama-family decoder (whitepaper §2.2.6: the models users bring) and their bounds.
 *
 * Architecture: token embedding → per layer [RMSNorm → grouped-query attention with rotary positions → residual,
 * RMSNorm → SwiGLU MLP (down(silu(gate(x)) ⊙ up(x))) → residual] → RMSNorm → output head (tied to the embedding or
 * separate). Rotary embedding as GGUF "llama" stores it: pairs (2i, 2i+1) of each head rotated by
 * pos · ropeTheta^(−2i/headDim) (llama.cpp's LLAMA_ROPE_TYPE_NORM).
 */
import { ImportArchitectureError } from '../gguf/errors.ts';

export interface LlamaConfig {
  vocabSize: number;
  /** Model width d (embedding length). */
  dim: number;
  layers: number;
  heads: number;
  /** Key/value heads (grouped-query attention when < heads); heads must be a multiple. */
  kvHeads: number;
  /** MLP hidden width. */
  hiddenDim: number;
  contextLength: number;
  /** RMSNorm ε. */
  normEps: number;
  /** RoPE base frequency. */
  ropeTheta: number;
  /** Output head = token embedding. */
  tiedEmbeddings: boolean;
}

export interface LlamaLimits {
  maxVocab: number;
  maxDim: number;
  maxLayers: number;
  maxHeads: number;
  maxHiddenDim: number;
  maxContext: number;
}

export const DEFAULTS: LlamaLimits = {
  maxVocab: 262_144, // Gemma-sized vocabularies; the issue asks for 32k–150k
  maxDim: 16_384, // widest Llama-family width (405B); the engine's matvec row limit is 131,071
  maxLayers: 256, // 405B has 126
  maxHeads: 256,
  maxHiddenDim: 131_071, // one matvec row of the down projection (engine.md §4.3)
  maxContext: 4_096, // the engine's contextLength limit (engine.md §4.1)
};

export function headDim(c: LlamaConfig): number {
  return c.dim / c.heads;
}

export function kvDim(c: LlamaConfig): number {
  return headDim(c) * c.kvHeads;
}

/** Checks a config from an untrusted file; throws `ImportArchitectureError` naming the bad field. */
export function validateLlamaConfig(c: LlamaConfig, limits: LlamaLimits = DEFAULTS): LlamaConfig {
  const int = (key: keyof LlamaConfig, min: number, max: number): void => {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ImportArchitectureError(`${String(v)} not an integer in [${min}, ${max}]`, key);
  };
  int('vocabSize', 2, limits.maxVocab);
  int('dim', 2, limits.maxDim);
  int('layers', 1, limits.maxLayers);
  int('heads', 1, limits.maxHeads);
  int('kvHeads', 1, c.heads);
  int('hiddenDim', 1, limits.maxHiddenDim);
  int('contextLength', 1, limits.maxContext);
  if (c.dim % c.heads !== 0) throw new ImportArchitectureError(`dim ${c.dim} is not a multiple of heads ${c.heads}`, 'heads');
  if (headDim(c) % 2 !== 0) throw new ImportArchitectureError(`head dimension ${headDim(c)} is odd (rotary pairs)`, 'heads');
  if (c.heads % c.kvHeads !== 0) throw new ImportArchitectureError(`heads ${c.heads} is not a multiple of kvHeads ${c.kvHeads}`, 'kvHeads');
  if (!(c.normEps > 0 && c.normEps < 1)) throw new ImportArchitectureError(`${c.normEps} not in (0, 1)`, 'normEps');
  if (!(c.ropeTheta >= 1 && c.ropeTheta <= 1e9)) throw new ImportArchitectureError(`${c.ropeTheta} not in [1, 1e9]`, 'ropeTheta');
  if (typeof c.tiedEmbeddings !== 'boolean') throw new ImportArchitectureError('not a boolean', 'tiedEmbeddings');
  return c;
}

export interface LlamaLayerWeights {
  attnNorm: Float32Array; // (dim)
  wq: Float32Array; // (dim, dim) row-major: out × in
  wk: Float32Array; // (kvDim, dim)
  wv: Float32Array; // (kvDim, dim)
  wo: Float32Array; // (dim, dim)
  ffnNorm: Float32Array; // (dim)
  wGate: Float32Array; // (hiddenDim, dim)
  wUp: Float32Array; // (hiddenDim, dim)
  wDown: Float32Array; // (dim, hiddenDim)
}

/** Float weights, every matrix row-major (out, in) — the same element order as ggml's dims [in, out]. */
export interface LlamaWeights {
  config: LlamaConfig;
  tokenEmbedding: Float32Array; // (vocab, dim)
  layers: LlamaLayerWeights[];
  outputNorm: Float32Array; // (dim)
  /** (vocab, dim); absent when tied. */
  output?: Float32Array;
}

/** The shapes (rows, cols) of every tensor, keyed like `LlamaLayerWeights` — one place for writers and readers. */
export function layerShapes(c: LlamaConfig): Record<keyof LlamaLayerWeights, [number, number]> {
  const kv = kvDim(c);
  return {
    attnNorm: [1, c.dim],
    wq: [c.dim, c.dim],
    wk: [kv, c.dim],
    wv: [kv, c.dim],
    wo: [c.dim, c.dim],
    ffnNorm: [1, c.dim],
    wGate: [c.hiddenDim, c.dim],
    wUp: [c.hiddenDim, c.dim],
    wDown: [c.dim, c.hiddenDim],
  };
}

export function countParameters(c: LlamaConfig): number {
  const per = Object.values(layerShapes(c)).reduce((a, [r, k]) => a + r * k, 0);
  return c.vocabSize * c.dim * (c.tiedEmbeddings ? 1 : 2) + c.layers * per + c.dim;
}
