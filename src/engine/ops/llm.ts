/**
 * Element-wise ops of Llama-family decoders (engine.md §3.6; whitepaper §2.2.6): rotary position embedding and the
 * element-wise product of the SwiGLU MLP. RMSNorm, softmax, SiLU (a lut) and attention reuse the ops that exist.
 *
 *   rope  y[i] = clamp(roundShift(x[i]·T[t, j, 0] + x[i xor 1]·T[t, j, 1], s), lo, hi)     j = i mod p0 (head dim),
 *         T int32 (C, p0, 2) at w0, t = the step; s = p1, [lo, hi] = [p2, p3]. For rotary embeddings the table
 *         holds, for the pair (2k, 2k+1) at angle θ = t·base^(−2k/dh): (cos θ, −sin θ) at j = 2k and
 *         (cos θ, sin θ) at j = 2k+1, in fixed point — but the op is just this pairwise integer formula, the
 *         table is weights (hashed with the model, read with a Merkle proof), so no trigonometry is ever replayed.
 *   mul   y = clamp(roundShift(a · b̂, s), lo, hi)                                         [lo, hi] = [p0, p1], bdiv = p2, s = p3
 * Inputs in the order a one-step replay reads them: rope (x[i], x[i xor 1], T[t, j, 0], T[t, j, 1]); mul (a[i], b̂).
 * The loader proves |every product sum| < 2^53 (exact in the TypeScript doubles and in int256 on chain).
 */
import type { Range } from '../graph.ts';
import { clamp, roundShift } from './arith.ts';
import { MAX_SHIFT } from './elementwise.ts';
import { bIndex, clampParams, clampRange, fail, inputRange, inputSize, minMax, mulRange, requireParam, requireSize, tensorI32, traceRef, type OpDef } from './op.ts';

/** Products must stay exact in float64 (TypeScript reference) — |Σ| < 2^53. */
const MAX_EXACT = 2 ** 53 - 1;

function absMax(r: Range): number {
  return Math.max(Math.abs(r.lo), Math.abs(r.hi));
}

function shiftedRange(r: Range, s: number): Range {
  return { lo: roundShift(r.lo, s), hi: roundShift(r.hi, s) };
}

export const ropeOp: OpDef = {
  code: 50,
  name: 'rope',
  kind: 'elementwise',
  usage: { a: 'required', b: 'none', c: 'none', w0: 'required', w1: 'none', params: 4 },
  check(env) {
    requireSize(env, inputSize(env, 'a'), 'size(a)');
    const dh = requireParam(env, 0, 2, env.node.size, 'head dimension');
    if (dh % 2 !== 0 || env.node.size % dh !== 0) fail(env, `head dimension ${dh} must be even and divide size ${env.node.size}`);
    const s = requireParam(env, 1, 0, MAX_SHIFT, 'shift');
    const w = clampParams(env, 2, 3);
    const table = tensorI32(env, 'w0', env.meta.contextLength * dh * 2);
    const x = absMax(inputRange(env, 'a'));
    let c = 0;
    let sn = 0;
    for (let k = 0; k < table.length; k += 2) {
      c = Math.max(c, Math.abs(table[k]!));
      sn = Math.max(sn, Math.abs(table[k + 1]!));
    }
    const bound = x * c + x * sn;
    if (bound > MAX_EXACT) fail(env, `|x·cos + x·sin| may reach ${bound} ≥ 2^53`);
    return clampRange(shiftedRange({ lo: -bound, hi: bound }, s), w.lo, w.hi);
  },
  run(env, id, node, out) {
    const x = env.vals[node.a]!;
    const table = env.views[id]!.w0 as Int32Array;
    const [dh, s, lo, hi] = node.p as [number, number, number, number];
    const row = env.t * dh * 2;
    for (let i = 0; i < node.size; i++) {
      const j = row + 2 * (i % dh);
      out[i] = clamp(roundShift(x[i]! * table[j]! + x[i ^ 1]! * table[j + 1]!, s), lo, hi);
    }
  },
  describe(env, node, pos) {
    const j = 4 * 2 * (env.t * node.p[0]! + (pos % node.p[0]!));
    return {
      kind: 'elementwise',
      inputs: [traceRef(env, node.a, pos), traceRef(env, node.a, pos ^ 1), { weight: node.w0 + j, dtype: 'i32' }, { weight: node.w0 + j + 4, dtype: 'i32' }],
    };
  },
};

export const mulOp: OpDef = {
  code: 51,
  name: 'mul',
  kind: 'elementwise',
  usage: { a: 'required', b: 'required', c: 'none', w0: 'none', w1: 'none', params: 4 },
  check(env) {
    requireSize(env, inputSize(env, 'a'), 'size(a)');
    requireParam(env, 2, 1, env.node.size, 'bdiv');
    const w = clampParams(env, 0, 1);
    const s = requireParam(env, 3, 0, MAX_SHIFT, 'shift');
    const prod = mulRange(inputRange(env, 'a'), inputRange(env, 'b'));
    if (absMax(prod) > MAX_EXACT) fail(env, `|a·b| may reach ${absMax(prod)} ≥ 2^53`);
    return clampRange(shiftedRange(prod, s), w.lo, w.hi);
  },
  run(env, _id, node, out) {
    const a = env.vals[node.a]!;
    const b = env.vals[node.b]!;
    const [lo, hi, bdiv, s] = node.p as [number, number, number, number];
    for (let i = 0; i < node.size; i++) out[i] = clamp(roundShift(a[i]! * b[bIndex(i, bdiv, b.length)]!, s), lo, hi);
  },
  describe(env, node, pos) {
    const bs = env.nodes[node.b]!.size;
    return { kind: 'elementwise', inputs: [traceRef(env, node.a, pos), traceRef(env, node.b, bIndex(pos, node.p[2]!, bs))] };
  },
};

export const LLM_OPS: OpDef[] = [ropeOp, mulOp];

/** The one-step rule of the LLM ops on their input values (element.ts `elementwiseStep` delegates here). */
export function llmElementwiseStep(op: string, p: readonly number[], v: readonly number[]): number | undefined {
  // `+ 0` turns a −0 (0 · negative) into 0: trace elements are int32
  if (op === 'rope') return clamp(roundShift(v[0]! * v[2]! + v[1]! * v[3]!, p[1]!), p[2]!, p[3]!) + 0;
  if (op === 'mul') return clamp(roundShift(v[0]! * v[1]!, p[3]!), p[0]!, p[1]!) + 0;
  return undefined;
}

/**
 * The rotary table of `rope` for head dimension dh, context C and base θ: int32 (C, dh, 2), one = 2^bits:
 * (cos, −sin) at j = 2k and (cos, sin) at j = 2k+1 for angle t·θ^(−2k/dh) (llama.cpp's LLAMA_ROPE_TYPE_NORM pairs).
 * Built once at import from Math.cos/sin; the engine never recomputes it (it is weights).
 */
export function ropeTable(dh: number, contextLength: number, theta: number, bits: number): Int32Array {
  const t = new Int32Array(contextLength * dh * 2);
  const one = 2 ** bits;
  for (let pos = 0; pos < contextLength; pos++) {
    for (let k = 0; k < dh / 2; k++) {
      const angle = pos * Math.pow(theta, (-2 * k) / dh);
      const c = Math.round(Math.cos(angle) * one);
      const s = Math.round(Math.sin(angle) * one);
      const o = (pos * dh + 2 * k) * 2;
      t[o] = c;
      t[o + 1] = -s;
      t[o + 2] = c;
      t[o + 3] = s;
    }
  }
  return t;
}
