/**
 * Composite layers built from GraphBuilder ops (whitepaper §2.2.6; engine.md §6): integer RMSNorm, integer
 * softmax, causal self-attention with a KV cache, the MLP, and the greedy / seeded token sampler — plus the
 * fixed-point helpers a quantiser needs (`quantizeMultiplier`, lookup tables for exp, GELU, SiLU).
 *
 * Shapes are in comments as (elements); "int8" / "int32" name the proven element ranges.
 */
import type { GraphBuilder } from './builder.ts';
import { INT32_MIN } from './ops/arith.ts';
import { MAX_MULTIPLIER, MAX_SHIFT } from './ops/elementwise.ts';
import { InvalidArgumentError } from '../common/errors.ts';

/** (mul, shift) with mul / 2^shift ≈ real, |mul| < 2^21 (≈ 6 significant digits), for requant. */
export function quantizeMultiplier(real: number): { mul: number; shift: number } {
  if (!Number.isFinite(real) || real <= 0) throw new InvalidArgumentError('real multiplier', `must be a positive finite number, got ${real}`);
  let shift = 20 - Math.floor(Math.log2(real));
  shift = Math.max(0, Math.min(MAX_SHIFT, shift));
  let mul = Math.round(real * 2 ** shift);
  while (mul > MAX_MULTIPLIER && shift > 0) {
    shift--;
    mul = Math.round(real * 2 ** shift);
  }
  if (mul > MAX_MULTIPLIER) throw new InvalidArgumentError('real multiplier', `${real} is too large to represent`);
  return { mul, shift };
}

/**
 * 256-entry int32 table of f over int8 inputs: T[x + 128] = clamp(round(f(x · inScale) / outScale)) into
 * [lo, hi]. Tables are weights, so the dispute contract reads one entry with a Merkle proof.
 */
export function makeTable(f: (x: number) => number, inScale: number, outScale: number, lo = -128, hi = 127): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    const y = Math.round(f((i - 128) * inScale) / outScale);
    t[i] = Math.min(hi, Math.max(lo, y));
  }
  return t;
}

/**
 * exp table for integer softmax: input d ∈ [−128, 0] (score minus row max, in units of `inScale`), output
 * round(exp(d · inScale) · 2^bits) ≥ 0; entry d = −128 is forced to 0 so masked slots weigh nothing; d > 0
 * never occurs (clamped) and maps to 2^bits.
 */
export function expTable(inScale: number, bits = 15): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    const d = Math.min(0, i - 128);
    t[i] = Math.round(Math.exp(d * inScale) * 2 ** bits);
  }
  t[0] = 0;
  return t;
}

export const gelu = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
export const silu = (x: number): number => x / (1 + Math.exp(-x));

/**
 * RMSNorm of an int8 vector x8 (D):
 *   ss = Σ x²  (dot, int32) ; ms = roundDiv(ss · 256, D) ; r = isqrt(ms + eps) ≈ 16·rms(x8)
 *   y[i] = clamp(roundDiv(x8[i] · g[i] · mul, r), −128, 127)
 * i.e. y ≈ 16 · mul · g[i] · x[i] / rms(x): choose int8 gains g and mul so that is the wanted int8 scale.
 */
export function rmsNorm(g: GraphBuilder, x8: number, gain: Int8Array, mul: number, eps = 1, name = 'rmsnorm'): number {
  const D = g.size(x8);
  const ss = g.dot(x8, x8, D, `${name}.ss`);
  const ms = g.muldiv(ss, { mul: 256, constDen: D, lo: 0 }, `${name}.ms`);
  const r = g.isqrt(ms, eps, `${name}.r`);
  return g.muldiv(x8, { den: r, bdiv: D, mul, gain, lo: -128, hi: 127 }, name);
}

export interface SoftmaxOptions {
  /** Requantisation of the int32 scores to int8 logits (score · mul / 2^shift). */
  mul: number;
  shift: number;
  /** exp table for (logit − row max) ∈ [−128, 0] (see expTable). */
  exp: Int32Array;
}

/**
 * Integer softmax over rows of C (R·C int32 scores) -> (R·C) int8 probabilities in [0, 127], each row summing to
 * about 127:  s8 = requant(s) ; m = max_row s8 ; d = clamp(s8 − m, −128, 0) ; e = T[d] ; p = roundDiv(e·127, Σ_row e).
 */
export function softmaxRows(g: GraphBuilder, scores: number, C: number, o: SoftmaxOptions, name = 'softmax'): number {
  const s8 = g.requant(scores, { mul: o.mul, shift: o.shift }, `${name}.s8`);
  const m = g.reduceMax(s8, C, `${name}.max`);
  const d = g.sub(s8, m, { bdiv: C, lo: -128, hi: 0 }, `${name}.d`);
  const e = g.lut(d, o.exp, `${name}.exp`);
  const sum = g.reduceSum(e, C, `${name}.sum`);
  return g.muldiv(e, { den: sum, bdiv: C, mul: 127, lo: 0, hi: 127 }, name);
}

export interface Requant {
  mul: number;
  shift: number;
}

export interface AttentionWeights {
  heads: number;
  /** (D, D) int8 each, row-major: q = Wq x etc. */
  wq: Int8Array;
  wk: Int8Array;
  wv: Int8Array;
  wo: Int8Array;
  /** int32 -> int8 requantisations of q, k, v and of the mixed values. */
  q: Requant;
  k: Requant;
  v: Requant;
  mix: Requant;
  /** Score requantisation and exp table of the softmax. */
  softmax: SoftmaxOptions;
}

/** Causal multi-head self-attention on int8 x (D) -> (D) int32 (Wo · heads' mixed values). */
export function attention(g: GraphBuilder, x8: number, w: AttentionWeights, name = 'attn'): number {
  const D = g.size(x8);
  const q = g.requant(g.matvec(x8, w.wq, D, undefined, `${name}.q32`), w.q, `${name}.q`);
  const k = g.requant(g.matvec(x8, w.wk, D, undefined, `${name}.k32`), w.k, `${name}.k`);
  const v = g.requant(g.matvec(x8, w.wv, D, undefined, `${name}.v32`), w.v, `${name}.v`);
  const scores = g.attnScores(q, k, w.heads, INT32_MIN, `${name}.scores`);
  const p = softmaxRows(g, scores, g.meta.contextLength, w.softmax, `${name}.p`);
  const mixed = g.attnMix(p, v, w.heads, `${name}.mix32`);
  const mixed8 = g.requant(mixed, w.mix, `${name}.mix`);
  return g.matvec(mixed8, w.wo, D, undefined, `${name}.out`);
}

export interface MlpWeights {
  /** (F, D) int8 and (F) int32 bias; (D, F) int8 and (D) int32 bias. */
  w1: Int8Array;
  b1?: Int32Array;
  w2: Int8Array;
  b2?: Int32Array;
  hidden: number;
  /** int32 hidden -> int8 before the activation. */
  h: Requant;
  /** Activation table over the int8 hidden (GELU, SiLU…); absent = ReLU folded into the requant clamp. */
  act?: Int32Array;
}

/** MLP on int8 x (D) -> (D) int32: W2 · act(requant(W1 x + b1)) + b2. */
export function mlp(g: GraphBuilder, x8: number, w: MlpWeights, name = 'mlp'): number {
  const D = g.size(x8);
  const h = g.matvec(x8, w.w1, w.hidden, w.b1, `${name}.h32`);
  const a = w.act ? g.lut(g.requant(h, w.h, `${name}.h`), w.act, `${name}.act`) : g.requant(h, { ...w.h, lo: 0 }, `${name}.relu`);
  return g.matvec(a, w.w2, D, w.b2, `${name}.out`);
}

export interface SamplerOptions {
  /** Temperature: int32 logits -> int8 (logit · mul / 2^shift). */
  mul: number;
  shift: number;
  /** exp table (see expTable): unnormalised weights of (logit − max). */
  exp: Int32Array;
}

/**
 * The next token from int32 logits (V): greedy = argmax (lowest index on ties) when the query has no seed;
 * with a seed: w = T[clamp(l8 − max l8, −128, 0)], cum = running Σ w, target = prng(seed, t) mod Σ w,
 * token = #{j : cum[j] ≤ target} (the first j with cum[j] > target), clamped to [0, V−1].
 */
export function sampler(g: GraphBuilder, logits: number, o: SamplerOptions, name = 'sample'): number {
  const V = g.size(logits);
  const greedy = g.argmax(logits, V, `${name}.greedy`);
  const l8 = g.requant(logits, { mul: o.mul, shift: o.shift }, `${name}.l8`);
  const m = g.reduceMax(l8, V, `${name}.max`);
  const d = g.sub(l8, m, { bdiv: V, lo: -128, hi: 0 }, `${name}.d`);
  const w = g.lut(d, o.exp, `${name}.w`);
  const cum = g.scanAdd(w, V, `${name}.cum`);
  const total = g.reduceSum(w, V, `${name}.total`);
  const rnd = g.random(`${name}.random`);
  const target = g.mod(rnd, total, 1, `${name}.target`);
  const count = g.countLe(cum, target, V, `${name}.count`);
  const sampled = g.requant(count, { mul: 1, shift: 0, lo: 0, hi: V - 1 }, `${name}.sampled`);
  const seeded = g.seeded(`${name}.seeded`);
  return g.select(seeded, sampled, greedy, name);
}
