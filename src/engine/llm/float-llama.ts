/**
 * Float reference forward pass of a Llama-family decoder (whitepaper §2.2.6: used only to *measure* the integer
 * engine — it is not deterministic across machines and never produces an answer a node signs).
 *
 * Plain loops, float64 accumulation, float32 storage, one token per `step` with a KV cache. Same conventions as
 * llama.cpp's "llama" architecture (llama-config.ts): RMSNorm y = x / √(mean(x²) + ε) · g; rotary pairs (2i, 2i+1);
 * scores q·k / √headDim; query head h reads key/value head ⌊h / (heads / kvHeads)⌋; MLP down(silu(gate x) ⊙ up x).
 */
import { InvalidArgumentError } from '../../common/errors.ts';
import { headDim, kvDim, type LlamaConfig, type LlamaWeights } from './llama-config.ts';

/** out (rows) = W (rows, cols) @ x (cols). */
export function matvecF32(w: Float32Array, rows: number, cols: number, x: Float32Array, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * cols;
    for (let c = 0; c < cols; c++) s += w[o + c]! * x[c]!;
    out[r] = s;
  }
}

export function rmsNormF32(x: Float32Array, g: Float32Array, eps: number, out: Float32Array): void {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i]! * x[i]!;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * inv * g[i]!;
}

/** Rotates each head's pairs (2i, 2i+1) in place by pos · theta^(−2i/dh). */
export function ropeF32(v: Float32Array, heads: number, dh: number, pos: number, theta: number): void {
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < dh / 2; i++) {
      const angle = pos * Math.pow(theta, (-2 * i) / dh);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const o = h * dh + 2 * i;
      const x0 = v[o]!;
      const x1 = v[o + 1]!;
      v[o] = x0 * c - x1 * s;
      v[o + 1] = x0 * s + x1 * c;
    }
  }
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** Quantisation sites a calibration observer sees, per layer (−1 for the final ones). */
export type LlamaSite = 'residAttn' | 'normAttn' | 'q' | 'k' | 'v' | 'att' | 'residMlp' | 'normMlp' | 'gate' | 'up' | 'hidden' | 'residFinal' | 'normFinal' | 'logits';

export type LlamaObserver = (site: LlamaSite, layer: number, values: Float32Array) => void;

export class FloatLlama {
  readonly config: LlamaConfig;
  /** Called with the float values at each quantisation site (calibration); q and k after rotary, q unscaled. */
  observe: LlamaObserver | null = null;
  private readonly w: LlamaWeights;
  private readonly kCache: Float32Array[];
  private readonly vCache: Float32Array[];
  private readonly x: Float32Array;
  private readonly xn: Float32Array;
  private readonly q: Float32Array;
  private readonly k: Float32Array;
  private readonly v: Float32Array;
  private readonly att: Float32Array;
  private readonly scores: Float64Array;
  private readonly proj: Float32Array;
  private readonly gate: Float32Array;
  private readonly up: Float32Array;
  private readonly logits: Float32Array;
  /** Tokens already in the KV cache. */
  position = 0;

  constructor(weights: LlamaWeights) {
    const c = weights.config;
    this.config = c;
    this.w = weights;
    const kv = kvDim(c);
    this.kCache = weights.layers.map(() => new Float32Array(c.contextLength * kv));
    this.vCache = weights.layers.map(() => new Float32Array(c.contextLength * kv));
    this.x = new Float32Array(c.dim);
    this.xn = new Float32Array(c.dim);
    this.q = new Float32Array(c.dim);
    this.k = new Float32Array(kv);
    this.v = new Float32Array(kv);
    this.att = new Float32Array(c.dim);
    this.scores = new Float64Array(c.contextLength);
    this.proj = new Float32Array(c.dim);
    this.gate = new Float32Array(c.hiddenDim);
    this.up = new Float32Array(c.hiddenDim);
    this.logits = new Float32Array(c.vocabSize);
  }

  reset(): void {
    this.position = 0;
  }

  /** Feeds one token at the next position; returns the next-token logits (a view, overwritten by the next step). */
  step(token: number): Float32Array {
    const c = this.config;
    const w = this.w;
    if (!Number.isInteger(token) || token < 0 || token >= c.vocabSize) throw new InvalidArgumentError('token', `${token} not in [0, ${c.vocabSize})`);
    if (this.position >= c.contextLength) throw new InvalidArgumentError('position', `context of ${c.contextLength} is full`);
    const pos = this.position++;
    const dh = headDim(c);
    const kv = kvDim(c);
    const group = c.heads / c.kvHeads;
    const scale = 1 / Math.sqrt(dh);
    const { x, xn, q, k, v, att, scores, proj, gate, up } = this;
    x.set(w.tokenEmbedding.subarray(token * c.dim, (token + 1) * c.dim));
    const obs = this.observe;
    const ones = obs ? new Float32Array(c.dim).fill(1) : null;
    for (let l = 0; l < c.layers; l++) {
      const L = w.layers[l]!;
      if (obs) {
        obs('residAttn', l, x);
        rmsNormF32(x, ones!, c.normEps, xn);
        obs('normAttn', l, xn);
      }
      rmsNormF32(x, L.attnNorm, c.normEps, xn);
      matvecF32(L.wq, c.dim, c.dim, xn, q);
      matvecF32(L.wk, kv, c.dim, xn, k);
      matvecF32(L.wv, kv, c.dim, xn, v);
      ropeF32(q, c.heads, dh, pos, c.ropeTheta);
      ropeF32(k, c.kvHeads, dh, pos, c.ropeTheta);
      if (obs) {
        obs('q', l, q);
        obs('k', l, k);
        obs('v', l, v);
      }
      const kc = this.kCache[l]!;
      const vc = this.vCache[l]!;
      kc.set(k, pos * kv);
      vc.set(v, pos * kv);
      for (let h = 0; h < c.heads; h++) {
        const kvo = Math.floor(h / group) * dh;
        let max = -Infinity;
        for (let j = 0; j <= pos; j++) {
          let s = 0;
          for (let d = 0; d < dh; d++) s += q[h * dh + d]! * kc[j * kv + kvo + d]!;
          scores[j] = s * scale;
          if (scores[j]! > max) max = scores[j]!;
        }
        let sum = 0;
        for (let j = 0; j <= pos; j++) {
          scores[j] = Math.exp(scores[j]! - max);
          sum += scores[j]!;
        }
        for (let d = 0; d < dh; d++) {
          let s = 0;
          for (let j = 0; j <= pos; j++) s += scores[j]! * vc[j * kv + kvo + d]!;
          att[h * dh + d] = s / sum;
        }
      }
      obs?.('att', l, att);
      matvecF32(L.wo, c.dim, c.dim, att, proj);
      for (let i = 0; i < c.dim; i++) x[i] = x[i]! + proj[i]!;
      if (obs) {
        obs('residMlp', l, x);
        rmsNormF32(x, ones!, c.normEps, xn);
        obs('normMlp', l, xn);
      }
      rmsNormF32(x, L.ffnNorm, c.normEps, xn);
      matvecF32(L.wGate, c.hiddenDim, c.dim, xn, gate);
      matvecF32(L.wUp, c.hiddenDim, c.dim, xn, up);
      if (obs) {
        obs('gate', l, gate);
        obs('up', l, up);
      }
      for (let i = 0; i < c.hiddenDim; i++) gate[i] = silu(gate[i]!) * up[i]!;
      obs?.('hidden', l, gate);
      matvecF32(L.wDown, c.dim, c.hiddenDim, gate, proj);
      for (let i = 0; i < c.dim; i++) x[i] = x[i]! + proj[i]!;
    }
    if (obs) {
      obs('residFinal', -1, x);
      rmsNormF32(x, ones!, c.normEps, xn);
      obs('normFinal', -1, xn);
    }
    rmsNormF32(x, w.outputNorm, c.normEps, xn);
    matvecF32(w.output ?? w.tokenEmbedding, c.vocabSize, c.dim, xn, this.logits);
    obs?.('logits', -1, this.logits);
    return this.logits;
  }
}
