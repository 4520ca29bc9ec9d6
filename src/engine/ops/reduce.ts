/**
 * Row reductions over the last axis and the running sum (engine.md §3.4). Input a is viewed as R rows of C = p0
 * elements (size(a) = R·C); each output element reduces one row with an explicit, ordered list of links c = 0..C−1.
 *
 *   reduce_sum  out[r] = Σ_c a[r·C + c]                                     acc₀ = 0,      acc += a
 *   reduce_max  out[r] = max_c a[r·C + c]                                   acc₀ = −2^31,  acc = max(acc, a)
 *   argmax      out[r] = smallest c with a[r·C + c] = max of the row        acc₀ = 0,      acc = a[c] > a[acc] ? c : acc
 *   count_le    out[r] = #{c : a[r·C + c] ≤ b[r]}                            acc₀ = 0,      acc += (a ≤ b)
 *   scan_add    out[i] = (i mod C = 0 ? 0 : out[i−1]) + a[i]                 element-wise on (out[i−1], a[i])
 */
import type { OpDef } from './op.ts';
import type { Link } from '../graph.ts';
import { fail, inputRange, inputSize, int32Range, requireParam, requireSize, sumRange, traceRef } from './op.ts';
import { INT32_MIN } from './arith.ts';

const ROW_USAGE = { a: 'required', b: 'none', c: 'none', w0: 'none', w1: 'none', params: 1 } as const;

function rowCheck(env: Parameters<OpDef['check']>[0]): number {
  const C = requireParam(env, 0, 1, 1 << 24, 'row length C');
  const n = inputSize(env, 'a');
  if (n % C !== 0) fail(env, `input size ${n} is not a multiple of C = ${C}`);
  requireSize(env, n / C, 'size(a) / C');
  return C;
}

function rowLinks(env: Parameters<OpDef['describe']>[0], node: { a: number; p: number[] }, pos: number): Link[] {
  const C = node.p[0]!;
  const links: Link[] = [];
  for (let c = 0; c < C; c++) links.push({ a: traceRef(env, node.a, pos * C + c) });
  return links;
}

export const reduceSumOp: OpDef = {
  code: 30,
  name: 'reduce_sum',
  kind: 'reduction',
  usage: ROW_USAGE,
  check(env) {
    const C = rowCheck(env);
    return int32Range(env, sumRange(inputRange(env, 'a'), C));
  },
  run(env, _id, node, out) {
    const a = env.vals[node.a]!;
    const C = node.p[0]!;
    for (let r = 0; r < node.size; r++) {
      let s = 0;
      for (let c = r * C; c < (r + 1) * C; c++) s += a[c]!;
      out[r] = s;
    }
  },
  describe(env, node, pos) {
    return { kind: 'reduction', combiner: 'add', init: { constant: 0 }, links: rowLinks(env, node, pos) };
  },
};

export const reduceMaxOp: OpDef = {
  code: 31,
  name: 'reduce_max',
  kind: 'reduction',
  usage: ROW_USAGE,
  check(env) {
    rowCheck(env);
    return inputRange(env, 'a');
  },
  run(env, _id, node, out) {
    const a = env.vals[node.a]!;
    const C = node.p[0]!;
    for (let r = 0; r < node.size; r++) {
      let m = INT32_MIN;
      for (let c = r * C; c < (r + 1) * C; c++) if (a[c]! > m) m = a[c]!;
      out[r] = m;
    }
  },
  describe(env, node, pos) {
    return { kind: 'reduction', combiner: 'max', init: { constant: INT32_MIN }, links: rowLinks(env, node, pos) };
  },
};

export const argmaxOp: OpDef = {
  code: 32,
  name: 'argmax',
  kind: 'reduction',
  usage: ROW_USAGE,
  check(env) {
    const C = rowCheck(env);
    return { lo: 0, hi: C - 1 };
  },
  run(env, _id, node, out) {
    const a = env.vals[node.a]!;
    const C = node.p[0]!;
    for (let r = 0; r < node.size; r++) {
      const base = r * C;
      let best = 0;
      for (let c = 0; c < C; c++) if (a[base + c]! > a[base + best]!) best = c;
      out[r] = best;
    }
  },
  describe(env, node, pos) {
    // Link c compares a[r·C + c] with a[r·C + acc]; the second operand's index is the running partial value.
    return { kind: 'reduction', combiner: 'argmax', init: { constant: 0 }, links: rowLinks(env, node, pos) };
  },
};

export const countLeOp: OpDef = {
  code: 33,
  name: 'count_le',
  kind: 'reduction',
  usage: { a: 'required', b: 'required', c: 'none', w0: 'none', w1: 'none', params: 1 },
  check(env) {
    const C = rowCheck(env);
    if (inputSize(env, 'b') !== env.node.size) fail(env, 'threshold b must have one element per row');
    return { lo: 0, hi: C };
  },
  run(env, _id, node, out) {
    const a = env.vals[node.a]!;
    const b = env.vals[node.b]!;
    const C = node.p[0]!;
    for (let r = 0; r < node.size; r++) {
      let n = 0;
      const th = b[r]!;
      for (let c = r * C; c < (r + 1) * C; c++) if (a[c]! <= th) n++;
      out[r] = n;
    }
  },
  describe(env, node, pos) {
    const links = rowLinks(env, node, pos).map((l) => ({ a: l.a, b: traceRef(env, node.b, pos) }));
    return { kind: 'reduction', combiner: 'countle', init: { constant: 0 }, links };
  },
};

export const scanAddOp: OpDef = {
  code: 34,
  name: 'scan_add',
  kind: 'elementwise',
  usage: ROW_USAGE,
  check(env) {
    const C = requireParam(env, 0, 1, 1 << 24, 'row length C');
    const n = inputSize(env, 'a');
    if (n % C !== 0) fail(env, `input size ${n} is not a multiple of C = ${C}`);
    requireSize(env, n, 'size(a)');
    const r = inputRange(env, 'a');
    const s = sumRange(r, C);
    return int32Range(env, { lo: Math.min(r.lo, s.lo), hi: Math.max(r.hi, s.hi) });
  },
  run(env, _id, node, out) {
    const a = env.vals[node.a]!;
    const C = node.p[0]!;
    for (let i = 0; i < node.size; i++) out[i] = (i % C === 0 ? 0 : out[i - 1]!) + a[i]!;
  },
  describe(env, node, pos) {
    const C = node.p[0]!;
    const prev = pos % C === 0 ? { constant: 0 } : { trace: env.traceIndex(env.t, env.id, pos - 1) };
    return { kind: 'elementwise', inputs: [prev, traceRef(env, node.a, pos)] };
  },
};

export const REDUCE_OPS: OpDef[] = [reduceSumOp, reduceMaxOp, argmaxOp, countLeOp, scanAddOp];
