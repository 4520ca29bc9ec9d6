/**
 * Element-wise integer functions of at most three inputs (engine.md §3.5). Operand b of a binary op is
 * broadcast: element i reads b[floor(i / bdiv) mod size(b)] (bdiv = 1 and size(b) = size(a): same position;
 * bdiv = C: one b per row of C; size(b) = 1: a scalar).
 *
 *   requant  y = clamp(roundShift(x · m, s), lo, hi)              m = p0 or W[i] (int32 tensor), s = p1, [lo, hi] = [p2, p3]
 *   relu     y = max(x, 0)
 *   lut      y = T[x + 128]                                       x int8, T 256 int32 entries
 *   add      y = clamp(a + b, lo, hi)                             [lo, hi] = [p0, p1], bdiv = p2
 *   sub      y = clamp(a − b, lo, hi)
 *   max2     y = clamp(max(a, b), lo, hi)
 *   muldiv   y = clamp(roundDiv(a · g · m, d), lo, hi)            g = G[i mod p4] (int8 tensor) or 1, m = p3,
 *                                                                 d = b (bdiv = p2) or the constant p5
 *   isqrt    y = floor(√max(x + ε, 0))                            ε = p0
 *   mod      y = b > 0 ? a mod b (Euclidean, in [0, b)) : 0        bdiv = p0
 *   select   y = c[0] ≠ 0 ? a : b
 * roundShift and roundDiv round half away from zero (ops/arith.ts); division by zero gives 0.
 */
import type { OpDef, CheckEnv } from './op.ts';
import type { Range } from '../graph.ts';
import {
  bIndex,
  clampParams,
  clampRange,
  fail,
  inputRange,
  inputSize,
  minMax,
  mulRange,
  requireInt8,
  requireParam,
  requireSize,
  tensorI32,
  tensorI8,
  traceRef,
} from './op.ts';
import { INT32_MAX, clamp, euclidMod, isqrtFloor, roundShift, tableIndex } from './arith.ts';

/** Largest |multiplier| of requant and muldiv: keeps |x·m| < 2^53 for any int32 x (2^31 · 2^22 = 2^53). */
export const MAX_MULTIPLIER = 2 ** 22 - 1;
/** Largest requant shift. */
export const MAX_SHIFT = 52;
/** Largest |numerator| muldiv may form (2·|n| + |d| must stay below 2^53). */
export const MAX_NUMERATOR = 2 ** 51;

const UNARY = { b: 'none', c: 'none', w0: 'none', w1: 'none' } as const;

function sameSize(env: CheckEnv): void {
  requireSize(env, inputSize(env, 'a'), 'size(a)');
}

/** Checks bdiv (param index k) against the node size; returns it. */
function checkBroadcast(env: CheckEnv, k: number): number {
  return requireParam(env, k, 1, env.node.size, 'bdiv');
}

export const requantOp: OpDef = {
  code: 40,
  name: 'requant',
  kind: 'elementwise',
  usage: { a: 'required', ...UNARY, w0: 'optional', params: 4 },
  check(env) {
    sameSize(env);
    let m: Range;
    if (env.node.w0 >= 0) {
      requireParam(env, 0, 0, 0, 'multiplier (must be 0 with a multiplier tensor)');
      m = minMax(tensorI32(env, 'w0', env.node.size));
      if (m.lo < -MAX_MULTIPLIER || m.hi > MAX_MULTIPLIER) fail(env, `multiplier tensor range [${m.lo}, ${m.hi}] exceeds ±${MAX_MULTIPLIER}`);
    } else {
      const v = requireParam(env, 0, -MAX_MULTIPLIER, MAX_MULTIPLIER, 'multiplier');
      m = { lo: v, hi: v };
    }
    const s = requireParam(env, 1, 0, MAX_SHIFT, 'shift');
    const w = clampParams(env, 2, 3);
    const prod = mulRange(inputRange(env, 'a'), m);
    return clampRange({ lo: roundShift(prod.lo, s), hi: roundShift(prod.hi, s) }, w.lo, w.hi);
  },
  run(env, id, node, out) {
    // The kernels' requant (TS reference or wasm, bit-identical; src/engine/kernels/elementwise.ts).
    const [m, shift, lo, hi] = node.p as [number, number, number, number];
    env.kernels.requant(env.vals[node.a]!, env.views[id]!.w0 as Int32Array | null, { m, shift, lo, hi }, out);
  },
  describe(env, node, pos) {
    const inputs = [traceRef(env, node.a, pos)];
    if (node.w0 >= 0) inputs.push({ weight: node.w0 + 4 * pos, dtype: 'i32' });
    return { kind: 'elementwise', inputs };
  },
};

export const reluOp: OpDef = {
  code: 41,
  name: 'relu',
  kind: 'elementwise',
  usage: { a: 'required', ...UNARY, params: 0 },
  check(env) {
    sameSize(env);
    const r = inputRange(env, 'a');
    return { lo: Math.max(0, r.lo), hi: Math.max(0, r.hi) };
  },
  run(env, _id, node, out) {
    const x = env.vals[node.a]!;
    for (let i = 0; i < node.size; i++) out[i] = x[i]! > 0 ? x[i]! : 0;
  },
  describe(env, node, pos) {
    return { kind: 'elementwise', inputs: [traceRef(env, node.a, pos)] };
  },
};

export const lutOp: OpDef = {
  code: 42,
  name: 'lut',
  kind: 'elementwise',
  usage: { a: 'required', ...UNARY, w0: 'required', params: 0 },
  check(env) {
    sameSize(env);
    requireInt8(env, 'a');
    return minMax(tensorI32(env, 'w0', 256));
  },
  run(env, id, node, out) {
    const x = env.vals[node.a]!;
    const table = env.views[id]!.w0!;
    for (let i = 0; i < node.size; i++) {
      const v = table[x[i]! + 128];
      // x is proven int8 by the loader; an index off the table is refused, never stored as 0 (tableIndex).
      out[i] = v !== undefined ? v : tableIndex('lut', x[i]! + 128, 256);
    }
  },
  describe(env, node, pos) {
    // The table entry read depends on the value of x: byte w0 + 4·(x + 128).
    const x = traceRef(env, node.a, pos) as { trace: number };
    return { kind: 'elementwise', inputs: [x, { weight: node.w0 + 4 * tableIndex('lut', env.valueAt(x.trace) + 128, 256), dtype: 'i32' }] };
  },
};

function binaryOp(code: number, name: string, f: (a: number, b: number) => number, range: (a: Range, b: Range) => Range): OpDef {
  return {
    code,
    name,
    kind: 'elementwise',
    usage: { a: 'required', b: 'required', c: 'none', w0: 'none', w1: 'none', params: 3 },
    check(env) {
      sameSize(env);
      checkBroadcast(env, 2);
      const w = clampParams(env, 0, 1);
      const r = range(inputRange(env, 'a'), inputRange(env, 'b'));
      return clampRange(r, w.lo, w.hi);
    },
    run(env, _id, node, out) {
      const a = env.vals[node.a]!;
      const b = env.vals[node.b]!;
      const [lo, hi, bdiv] = node.p as [number, number, number];
      const bs = b.length;
      if (bdiv === 1 && bs === node.size) {
        for (let i = 0; i < node.size; i++) out[i] = clamp(f(a[i]!, b[i]!), lo, hi);
      } else {
        for (let i = 0; i < node.size; i++) out[i] = clamp(f(a[i]!, b[bIndex(i, bdiv, bs)]!), lo, hi);
      }
    },
    describe(env, node, pos) {
      const bs = env.nodes[node.b]!.size;
      return { kind: 'elementwise', inputs: [traceRef(env, node.a, pos), traceRef(env, node.b, bIndex(pos, node.p[2]!, bs))] };
    },
  };
}

export const addOp = binaryOp(43, 'add', (a, b) => a + b, (a, b) => ({ lo: a.lo + b.lo, hi: a.hi + b.hi }));
export const subOp = binaryOp(44, 'sub', (a, b) => a - b, (a, b) => ({ lo: a.lo - b.hi, hi: a.hi - b.lo }));
export const max2Op = binaryOp(45, 'max2', (a, b) => (a > b ? a : b), (a, b) => ({ lo: Math.max(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }));

export const muldivOp: OpDef = {
  code: 46,
  name: 'muldiv',
  kind: 'elementwise',
  usage: { a: 'required', b: 'optional', c: 'none', w0: 'optional', w1: 'none', params: 6 },
  check(env) {
    sameSize(env);
    const w = clampParams(env, 0, 1);
    const n = env.node;
    if (n.b >= 0) {
      checkBroadcast(env, 2);
      requireParam(env, 5, 0, 0, 'constant denominator (must be 0 when b is given)');
    } else {
      requireParam(env, 2, 0, 0, 'bdiv (must be 0 without b)');
      if (n.p[5] === 0) fail(env, 'constant denominator p5 must not be 0 when b is absent');
    }
    const m = requireParam(env, 3, -MAX_MULTIPLIER, MAX_MULTIPLIER, 'multiplier');
    let g: Range = { lo: 1, hi: 1 };
    if (n.w0 >= 0) {
      const glen = requireParam(env, 4, 1, n.size, 'gain length');
      g = minMax(tensorI8(env, 'w0', glen));
    } else {
      requireParam(env, 4, 0, 0, 'gain length (must be 0 without a gain tensor)');
    }
    const num = mulRange(mulRange(inputRange(env, 'a'), g), { lo: m, hi: m });
    if (Math.max(-num.lo, num.hi) > MAX_NUMERATOR) fail(env, `numerator range [${num.lo}, ${num.hi}] exceeds ±2^51`);
    // The quotient lies within the numerator's range (|d| ≥ 1) or is 0 (d = 0).
    return clampRange({ lo: Math.min(0, num.lo), hi: Math.max(0, num.hi) }, w.lo, w.hi);
  },
  run(env, id, node, out) {
    // The kernels' muldiv (TS reference or wasm, bit-identical; src/engine/kernels/elementwise.ts). The gain view
    // has exactly p4 entries (resident-model.ts), so g[i mod p4] is g[i mod g.length].
    const [lo, hi, bdiv, m, , d] = node.p as [number, number, number, number, number, number];
    const b = node.b >= 0 ? env.vals[node.b]! : null;
    env.kernels.muldiv(env.vals[node.a]!, b, env.views[id]!.w0 as Int8Array | null, { lo, hi, bdiv: b ? bdiv : 1, m, d }, out);
  },
  describe(env, node, pos) {
    const inputs = [traceRef(env, node.a, pos)];
    if (node.b >= 0) inputs.push(traceRef(env, node.b, bIndex(pos, node.p[2]!, env.nodes[node.b]!.size)));
    else inputs.push({ constant: node.p[5]! });
    if (node.w0 >= 0) inputs.push({ weight: node.w0 + (pos % node.p[4]!), dtype: 'i8' });
    return { kind: 'elementwise', inputs };
  },
};

export const isqrtOp: OpDef = {
  code: 47,
  name: 'isqrt',
  kind: 'elementwise',
  usage: { a: 'required', ...UNARY, params: 1 },
  check(env) {
    sameSize(env);
    const eps = requireParam(env, 0, 0, INT32_MAX, 'epsilon');
    const r = inputRange(env, 'a');
    return { lo: isqrtFloor(r.lo + eps), hi: isqrtFloor(r.hi + eps) };
  },
  run(env, _id, node, out) {
    const x = env.vals[node.a]!;
    const eps = node.p[0]!;
    for (let i = 0; i < node.size; i++) out[i] = isqrtFloor(x[i]! + eps);
  },
  describe(env, node, pos) {
    return { kind: 'elementwise', inputs: [traceRef(env, node.a, pos)] };
  },
};

export const modOp: OpDef = {
  code: 48,
  name: 'mod',
  kind: 'elementwise',
  usage: { a: 'required', b: 'required', c: 'none', w0: 'none', w1: 'none', params: 1 },
  check(env) {
    sameSize(env);
    checkBroadcast(env, 0);
    return { lo: 0, hi: Math.max(0, inputRange(env, 'b').hi - 1) };
  },
  run(env, _id, node, out) {
    const a = env.vals[node.a]!;
    const b = env.vals[node.b]!;
    for (let i = 0; i < node.size; i++) out[i] = euclidMod(a[i]!, b[bIndex(i, node.p[0]!, b.length)]!);
  },
  describe(env, node, pos) {
    return { kind: 'elementwise', inputs: [traceRef(env, node.a, pos), traceRef(env, node.b, bIndex(pos, node.p[0]!, env.nodes[node.b]!.size))] };
  },
};

export const selectOp: OpDef = {
  code: 49,
  name: 'select',
  kind: 'elementwise',
  usage: { a: 'required', b: 'required', c: 'required', w0: 'none', w1: 'none', params: 0 },
  check(env) {
    sameSize(env);
    if (inputSize(env, 'b') !== env.node.size) fail(env, 'inputs a and b differ in size');
    if (inputSize(env, 'c') !== 1) fail(env, 'condition c must have size 1');
    const a = inputRange(env, 'a');
    const b = inputRange(env, 'b');
    return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
  },
  run(env, _id, node, out) {
    const src = env.vals[node.c]![0] !== 0 ? env.vals[node.a]! : env.vals[node.b]!;
    out.set(src.subarray(0, node.size));
  },
  describe(env, node, pos) {
    return { kind: 'elementwise', inputs: [traceRef(env, node.a, pos), traceRef(env, node.b, pos), traceRef(env, node.c, 0)] };
  },
};

export const ELEMENTWISE_OPS: OpDef[] = [requantOp, reluOp, lutOp, addOp, subOp, max2Op, muldivOp, isqrtOp, modOp, selectOp];
