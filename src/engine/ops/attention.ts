/**
 * Causal attention over the KV cache (engine.md §3.3). Static shapes: a row has one slot per position of the
 * context (C = meta.contextLength); slots after the current step t are masked, so every step has the same
 * number of elements and a trace index is step·stepElements + nodeOffset + pos.
 *
 *   attn_scores  q (H·dh) int8 at step t, k (H·dh) int8 at steps 0..t  ->  (H·C) int32
 *                out[h·C + j] = j ≤ t ? Σ_{d<dh} q@t[h·dh + d] · k@j[h·dh + d] : mask (p1)
 *   attn_mix     p (H·C) int8 at step t, v (H·dh) int8 at steps 0..t    ->  (H·dh) int32
 *                out[h·dh + d] = Σ_{j≤t} p@t[h·C + j] · v@j[h·dh + d]
 *
 * The k and v inputs are read at EARLIER steps: those elements are the KV cache, already in the trace.
 */
import type { OpDef } from './op.ts';
import { fail, inputRange, inputSize, int32Range, mulRange, requireInt8, requireParam, requireSize, sumRange, traceRef } from './op.ts';
import { INT32_MAX, INT32_MIN } from './arith.ts';

export const attnScoresOp: OpDef = {
  code: 20,
  name: 'attn_scores',
  kind: 'reduction',
  usage: { a: 'required', b: 'required', c: 'none', w0: 'none', w1: 'none', params: 2 },
  check(env) {
    requireInt8(env, 'a');
    requireInt8(env, 'b');
    const H = requireParam(env, 0, 1, 4096, 'heads H');
    const mask = requireParam(env, 1, INT32_MIN, INT32_MAX, 'mask value');
    const n = inputSize(env, 'a');
    if (inputSize(env, 'b') !== n) fail(env, 'q and k differ in size');
    if (n % H !== 0) fail(env, `q size ${n} is not a multiple of H = ${H}`);
    requireSize(env, H * env.meta.contextLength, 'H · contextLength');
    const r = sumRange(mulRange(inputRange(env, 'a'), inputRange(env, 'b')), n / H);
    return int32Range(env, { lo: Math.min(r.lo, mask), hi: Math.max(r.hi, mask) });
  },
  history(node) {
    return [node.b];
  },
  run(env, _id, node, out) {
    const q = env.vals[node.a]!;
    const kHist = env.hist[node.b]!;
    const H = node.p[0]!;
    const mask = node.p[1]!;
    const n = q.length;
    const dh = n / H;
    const C = node.size / H;
    const t = env.t;
    for (let h = 0; h < H; h++) {
      for (let j = 0; j < C; j++) {
        if (j > t) {
          out[h * C + j] = mask;
          continue;
        }
        let s = 0;
        const kb = j * n + h * dh;
        const qb = h * dh;
        for (let d = 0; d < dh; d++) s += q[qb + d]! * kHist[kb + d]!;
        out[h * C + j] = s;
      }
    }
  },
  describe(env, node, pos) {
    const H = node.p[0]!;
    const C = env.meta.contextLength;
    const n = env.nodes[node.a]!.size;
    const dh = n / H;
    const h = Math.floor(pos / C);
    const j = pos % C;
    if (j > env.t) return { kind: 'elementwise', inputs: [{ constant: node.p[1]! }] };
    const links = [];
    for (let d = 0; d < dh; d++) links.push({ a: traceRef(env, node.a, h * dh + d), b: traceRef(env, node.b, h * dh + d, j) });
    return { kind: 'reduction', combiner: 'mac', init: { constant: 0 }, links };
  },
};

export const attnMixOp: OpDef = {
  code: 21,
  name: 'attn_mix',
  kind: 'reduction',
  usage: { a: 'required', b: 'required', c: 'none', w0: 'none', w1: 'none', params: 1 },
  check(env) {
    requireInt8(env, 'a');
    requireInt8(env, 'b');
    const H = requireParam(env, 0, 1, 4096, 'heads H');
    const C = env.meta.contextLength;
    requireSize(env, inputSize(env, 'a') === H * C ? inputSize(env, 'b') : -1, 'size(v) with size(p) = H · contextLength');
    if (env.node.size % H !== 0) fail(env, `v size ${env.node.size} is not a multiple of H = ${H}`);
    return int32Range(env, sumRange(mulRange(inputRange(env, 'a'), inputRange(env, 'b')), C));
  },
  history(node) {
    return [node.b];
  },
  run(env, _id, node, out) {
    const p = env.vals[node.a]!;
    const vHist = env.hist[node.b]!;
    const H = node.p[0]!;
    const n = node.size;
    const dh = n / H;
    const C = p.length / H;
    const t = env.t;
    out.fill(0);
    for (let h = 0; h < H; h++) {
      for (let j = 0; j <= t; j++) {
        const w = p[h * C + j]!;
        if (w === 0) continue;
        const vb = j * n + h * dh;
        const ob = h * dh;
        for (let d = 0; d < dh; d++) out[ob + d] = out[ob + d]! + w * vHist[vb + d]!;
      }
    }
  },
  describe(env, node, pos) {
    const H = node.p[0]!;
    const C = env.meta.contextLength;
    const dh = node.size / H;
    const h = Math.floor(pos / dh);
    const links = [];
    for (let j = 0; j <= env.t; j++) links.push({ a: traceRef(env, node.a, h * C + j), b: traceRef(env, node.b, pos, j) });
    return { kind: 'reduction', combiner: 'mac', init: { constant: 0 }, links };
  },
};

export const ATTENTION_OPS: OpDef[] = [attnScoresOp, attnMixOp];
