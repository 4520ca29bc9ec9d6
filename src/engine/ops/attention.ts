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
 *
 * Execution: each attention node owns a resident int8 KV matrix (C rows, size(b) cols) in the runner's kernels
 * (NodeViews.matrix, made by the Runner). At step t the op writes row t from b@t, then calls the kernels'
 * multi-head `attnScores` / `attnMix` on rows 0..t — the TypeScript reference or the wasm SIMD kernels
 * (bit-identical; src/engine/kernels/attention.test.ts). Every step of a run is executed in order, so rows
 * 0..t−1 always hold this run's earlier steps; rows > t (from an earlier run) are never read.
 */
import type { Int8MatrixHandle } from '../kernels/kernels.ts';
import type { CheckEnv, OpDef, RunEnv } from './op.ts';
import { fail, inputRange, inputSize, int32Range, mulRange, requireInt8, requireParam, requireSize, sumRange, traceRef } from './op.ts';
import { INT32_MAX, INT32_MIN } from './arith.ts';
import { MAX_MATVEC_COLS } from '../kernels/matvec.ts';

/** A KV cache row is one position of input b: at most the kernels' row width (engine.md §3.3). */
function requireKvWidth(env: CheckEnv): void {
  const width = inputSize(env, 'b');
  if (width > MAX_MATVEC_COLS) fail(env, `input b has ${width} elements, above the ${MAX_MATVEC_COLS}-element KV cache row`);
}

/** The int32 values of an int8-proven node as an Int8Array view of `scratch` (no range check: the loader proved it). */
function toInt8(values: Int32Array, scratch: Int8Array): Int8Array {
  const v = scratch.subarray(0, values.length);
  for (let i = 0; i < values.length; i++) v[i] = values[i]!;
  return v;
}

/** Writes the cached node's values at step t as row t of the op's resident KV matrix (C rows, size(b) cols). */
function appendKvRow(env: RunEnv, kv: Int8MatrixHandle, values: Int32Array): void {
  kv.writeRows(env.t, toInt8(values, env.scratch8));
}

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
    requireKvWidth(env);
    if (n % H !== 0) fail(env, `q size ${n} is not a multiple of H = ${H}`);
    requireSize(env, H * env.meta.contextLength, 'H · contextLength');
    const r = sumRange(mulRange(inputRange(env, 'a'), inputRange(env, 'b')), n / H);
    return int32Range(env, { lo: Math.min(r.lo, mask), hi: Math.max(r.hi, mask) });
  },
  history(node) {
    return [node.b];
  },
  run(env, id, node, out) {
    // Row t of the resident KV matrix gets k@t; rows 0..t−1 were written at earlier steps of this run.
    const kv = env.views[id]!.matrix!;
    appendKvRow(env, kv, env.vals[node.b]!);
    env.kernels.attnScores(kv, env.t + 1, node.p[0]!, toInt8(env.vals[node.a]!, env.scratch8), out, node.p[1]!);
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
    requireKvWidth(env);
    if (env.node.size % H !== 0) fail(env, `v size ${env.node.size} is not a multiple of H = ${H}`);
    return int32Range(env, sumRange(mulRange(inputRange(env, 'a'), inputRange(env, 'b')), C));
  },
  history(node) {
    return [node.b];
  },
  run(env, id, node, out) {
    const kv = env.views[id]!.matrix!;
    appendKvRow(env, kv, env.vals[node.b]!);
    env.kernels.attnMix(kv, env.t + 1, node.p[0]!, toInt8(env.vals[node.a]!, env.scratch8), out);
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
