/**
 * The shape of one op definition (DESIGN.md §1.7): how it is validated at load time (`check`, which also proves
 * the output range by interval arithmetic), how it runs one step (`run`), and how one of its elements depends
 * on the trace, the weights and the query (`describe`, used by `model prove` and the dispute game).
 *
 * Every op family file (sources, linear, attention, reduce, elementwise) exports OpDefs; ops/index.ts lists them.
 */
import type { ElementDescription, GraphNode, ModelMeta, Range, Ref } from '../graph.ts';
import { GraphValidationError } from '../graph.ts';
import type { Int8MatrixHandle, Kernels } from '../kernels/kernels.ts';
import { INT32_MAX, INT32_MIN } from './arith.ts';

export type Usage = 'required' | 'optional' | 'none';

export interface OpUsage {
  a: Usage;
  b: Usage;
  c: Usage;
  w0: Usage;
  w1: Usage;
  /** Number of leading params the op reads; the rest must be 0. */
  params: number;
}

/** What `check` may look at: earlier nodes and their proven ranges, the metadata, the weights. */
export interface CheckEnv {
  id: number;
  node: GraphNode;
  nodes: readonly GraphNode[];
  ranges: readonly Range[];
  meta: ModelMeta;
  weights: Uint8Array;
}

/** Query data a run reads through source ops. */
export interface RunQuery {
  /** Prompt token ids (generate). */
  prompt: Int32Array;
  /** Input vector (classify). */
  vector: Int8Array;
  /** Sampling seed, or null for greedy runs. */
  seed: bigint | null;
}

export interface NodeViews {
  w0: Int8Array | Int32Array | null;
  w1: Int8Array | Int32Array | null;
  /** Resident in the kernels' memory: the weight matrix (matvec) or the KV cache (attn_scores, attn_mix). */
  matrix: Int8MatrixHandle | null;
}

export interface RunEnv {
  /** Step (= position) being computed. */
  t: number;
  /** Values of every node at step t (nodes before the current one are filled). */
  vals: Int32Array[];
  /** Values of every node at step t−1 (null at t = 0). */
  prev: Int32Array[] | null;
  /** KV history: for nodes read across steps, hist[n][s*size + i] is element i at step s ≤ t. */
  hist: (Int32Array | null)[];
  views: NodeViews[];
  query: RunQuery;
  kernels: Kernels;
  /** Int8 scratch of at least the largest node size, for kernel inputs. */
  scratch8: Int8Array;
}

export interface DescribeEnv {
  t: number;
  id: number;
  meta: ModelMeta;
  nodes: readonly GraphNode[];
  promptLength: number;
  /** Trace index of element `pos` of node `node` at step `step`. */
  traceIndex(step: number, node: number, pos: number): number;
  /** Value of trace element `index` (≤ the element described), for data-dependent refs (gather's row). */
  valueAt(index: number): number;
}

export interface OpDef {
  code: number;
  name: string;
  kind: 'source' | 'reduction' | 'elementwise';
  usage: OpUsage;
  /** Validates the node (beyond the generic usage rules) and returns its proven output range. */
  check(env: CheckEnv): Range;
  /** Computes the node's `size` elements at step env.t into `out`. */
  run(env: RunEnv, id: number, node: GraphNode, out: Int32Array): void;
  /** Dependencies of element `pos` at step env.t. */
  describe(env: DescribeEnv, node: GraphNode, pos: number): ElementDescription;
  /** Input nodes whose values at earlier steps this op reads (the KV cache). */
  history?(node: GraphNode): number[];
}

// ---------------------------------------------------------------------------------------------- check helpers

export function fail(env: CheckEnv, reason: string): never {
  throw new GraphValidationError(env.id, env.node.op, reason);
}

export function inputRange(env: CheckEnv, which: 'a' | 'b' | 'c'): Range {
  return env.ranges[env.node[which]]!;
}

export function inputSize(env: CheckEnv, which: 'a' | 'b' | 'c'): number {
  return env.nodes[env.node[which]]!.size;
}

export function requireInt8(env: CheckEnv, which: 'a' | 'b' | 'c'): void {
  const r = inputRange(env, which);
  if (r.lo < -128 || r.hi > 127) fail(env, `input ${which} must be int8 but its range is [${r.lo}, ${r.hi}]`);
}

export function requireParam(env: CheckEnv, index: number, lo: number, hi: number, what: string): number {
  const v = env.node.p[index]!;
  if (v < lo || v > hi) fail(env, `param p${index} (${what}) = ${v} not in [${lo}, ${hi}]`);
  return v;
}

export function requireSize(env: CheckEnv, expected: number, what: string): void {
  if (env.node.size !== expected) fail(env, `size ${env.node.size} must equal ${what} = ${expected}`);
}

/** A weight tensor view after checking alignment and bounds. */
export function tensorI8(env: CheckEnv, which: 'w0' | 'w1', length: number): Int8Array {
  const off = checkTensor(env, which, length);
  return new Int8Array(env.weights.buffer, env.weights.byteOffset + off, length);
}

export function tensorI32(env: CheckEnv, which: 'w0' | 'w1', length: number): Int32Array {
  const off = checkTensor(env, which, length * 4);
  return new Int32Array(env.weights.buffer, env.weights.byteOffset + off, length);
}

function checkTensor(env: CheckEnv, which: 'w0' | 'w1', bytes: number): number {
  const off = env.node[which];
  if (off % 32 !== 0) fail(env, `${which} offset ${off} is not 32-byte aligned`);
  if (off + bytes > env.weights.length) fail(env, `${which} tensor [${off}, ${off + bytes}) runs past the weights blob (${env.weights.length} bytes)`);
  return off;
}

export function minMax(values: ArrayLike<number>): Range {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, hi };
}

/** Range of x·y for x ∈ a, y ∈ b. */
export function mulRange(a: Range, b: Range): Range {
  const c = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
  return { lo: Math.min(...c), hi: Math.max(...c) };
}

/** Range of a sum of n terms each in r (n ≥ 0), plus an initial value in init. */
export function sumRange(r: Range, n: number, init: Range = { lo: 0, hi: 0 }): Range {
  return { lo: init.lo + Math.min(0, n * r.lo), hi: init.hi + Math.max(0, n * r.hi) };
}

export function clampRange(r: Range, lo: number, hi: number): Range {
  return { lo: Math.min(Math.max(r.lo, lo), hi), hi: Math.max(Math.min(r.hi, hi), lo) };
}

/** The proven range must fit int32 (every trace element is an int32). */
export function int32Range(env: CheckEnv, r: Range, what = 'output'): Range {
  if (r.lo < INT32_MIN || r.hi > INT32_MAX) fail(env, `${what} range [${r.lo}, ${r.hi}] may overflow int32`);
  return r;
}

/** Params p[lo], p[hi] as an int32 clamp window. */
export function clampParams(env: CheckEnv, loIndex: number, hiIndex: number): Range {
  const lo = env.node.p[loIndex]!;
  const hi = env.node.p[hiIndex]!;
  if (lo > hi) fail(env, `clamp window [${lo}, ${hi}] is empty`);
  return { lo, hi };
}

// ---------------------------------------------------------------------------------------------- describe helpers

export function traceRef(env: DescribeEnv, node: number, pos: number, step = env.t): Ref {
  return { trace: env.traceIndex(step, node, pos) };
}

/** Broadcast index of operand b: floor(i / bdiv) mod size(b). */
export function bIndex(i: number, bdiv: number, bsize: number): number {
  return Math.floor(i / bdiv) % bsize;
}
