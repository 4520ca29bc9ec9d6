/**
 * Linear ops: int8 × int8 → int32 multiply-accumulate reductions and the embedding gather (whitepaper §2.2.5
 * "the sum of incoming weights times the values of the neurons before"; engine.md §3.2).
 *
 *   matvec  out[r] = bias[r] + Σ_{c<cols} W[r·cols + c] · x[c]        W (size, cols) int8 @ x (cols) int8 -> int32
 *   dot     out[r] = Σ_{c<C} a[r·C + c] · b[r·C + c]                  a, b (R·C) int8 -> (R) int32   (e.g. Σ x²)
 *   gather  out[i] = E[idx · size + i]                                E (rows, size) int8, idx = a[0] ∈ [0, rows)
 */
import type { OpDef } from './op.ts';
import {
  fail,
  inputRange,
  inputSize,
  int32Range,
  minMax,
  mulRange,
  requireInt8,
  requireParam,
  requireSize,
  sumRange,
  tensorI32,
  tensorI8,
  traceRef,
} from './op.ts';
import { MAX_MATVEC_COLS } from '../kernels/matvec.ts';
import { tableIndex } from './arith.ts';

const INT8 = { lo: -128, hi: 127 };

export const matvecOp: OpDef = {
  code: 10,
  name: 'matvec',
  kind: 'reduction',
  usage: { a: 'required', b: 'none', c: 'none', w0: 'required', w1: 'optional', params: 0 },
  check(env) {
    requireInt8(env, 'a');
    const cols = inputSize(env, 'a');
    // engine.md §3.5: L ≤ 131071 keeps any int8 row exact; all-zero weights would otherwise pass the range proof.
    if (cols > MAX_MATVEC_COLS) fail(env, `input a has ${cols} elements, above the ${MAX_MATVEC_COLS} columns of a matvec row`);
    const w = tensorI8(env, 'w0', env.node.size * cols);
    let bias = { lo: 0, hi: 0 };
    if (env.node.w1 >= 0) bias = minMax(tensorI32(env, 'w1', env.node.size));
    return int32Range(env, sumRange(mulRange(inputRange(env, 'a'), minMax(w)), cols, bias));
  },
  run(env, id, node, out) {
    // x (int8-proven int32 values) narrowed, the resident weights, the bias: one kernel call (kernels.ts matvecI32).
    const v = env.views[id]!;
    env.kernels.matvecI32(v.matrix!, env.vals[node.a]!, v.w1 as Int32Array | null, out);
  },
  describe(env, node, pos) {
    const cols = env.nodes[node.a]!.size;
    const links = [];
    for (let c = 0; c < cols; c++) {
      links.push({ a: traceRef(env, node.a, c), b: { weight: node.w0 + pos * cols + c, dtype: 'i8' as const } });
    }
    const init = node.w1 >= 0 ? { weight: node.w1 + 4 * pos, dtype: 'i32' as const } : { constant: 0 };
    return { kind: 'reduction', combiner: 'mac', init, links };
  },
};

export const dotOp: OpDef = {
  code: 11,
  name: 'dot',
  kind: 'reduction',
  usage: { a: 'required', b: 'required', c: 'none', w0: 'none', w1: 'none', params: 1 },
  check(env) {
    requireInt8(env, 'a');
    requireInt8(env, 'b');
    const C = requireParam(env, 0, 1, 1 << 24, 'row length C');
    if (inputSize(env, 'a') !== inputSize(env, 'b')) fail(env, 'inputs a and b differ in size');
    requireSize(env, inputSize(env, 'a') / C, 'size(a) / C');
    return int32Range(env, sumRange(mulRange(inputRange(env, 'a'), inputRange(env, 'b')), C));
  },
  run(env, _id, node, out) {
    const a = env.vals[node.a]!;
    const b = env.vals[node.b]!;
    const C = node.p[0]!;
    for (let r = 0; r < node.size; r++) {
      let s = 0;
      for (let c = r * C; c < (r + 1) * C; c++) s += a[c]! * b[c]!;
      out[r] = s;
    }
  },
  describe(env, node, pos) {
    const C = node.p[0]!;
    const links = [];
    for (let c = pos * C; c < (pos + 1) * C; c++) links.push({ a: traceRef(env, node.a, c), b: traceRef(env, node.b, c) });
    return { kind: 'reduction', combiner: 'mac', init: { constant: 0 }, links };
  },
};

export const gatherOp: OpDef = {
  code: 12,
  name: 'gather',
  kind: 'elementwise',
  usage: { a: 'required', b: 'none', c: 'none', w0: 'required', w1: 'none', params: 1 },
  check(env) {
    if (inputSize(env, 'a') !== 1) fail(env, 'index input a must have size 1');
    const rows = requireParam(env, 0, 1, 1 << 24, 'rows');
    const idx = inputRange(env, 'a');
    if (idx.lo < 0 || idx.hi > rows - 1) fail(env, `index range [${idx.lo}, ${idx.hi}] not within [0, ${rows - 1}]`);
    const table = tensorI8(env, 'w0', rows * env.node.size);
    return rows * env.node.size > 0 ? minMax(table) : INT8;
  },
  run(env, id, node, out) {
    const table = env.views[id]!.w0!;
    // The row is proven within [0, rows) by the loader; refused otherwise rather than read off the table.
    const base = tableIndex('gather', env.vals[node.a]![0]!, node.p[0]!) * node.size;
    for (let i = 0; i < node.size; i++) out[i] = table[base + i]!;
  },
  describe(env, node, pos) {
    // The weight read depends on the value of input a: byte w0 + a[0]·size + pos.
    const idx = traceRef(env, node.a, 0) as { trace: number };
    const row = tableIndex('gather', env.valueAt(idx.trace), node.p[0]!);
    return { kind: 'elementwise', inputs: [idx, { weight: node.w0 + row * node.size + pos, dtype: 'i8' }] };
  },
};

export const LINEAR_OPS: OpDef[] = [matvecOp, dotOp, gatherOp];
