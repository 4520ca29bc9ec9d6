/**
 * Element-wise integer kernels over whole vectors: requant and muldiv (whitepaper §2.2.6; engine.md §3.5). These
 * TypeScript loops are the references (moved here verbatim from ops/elementwise.ts, where they ran before); the
 * wasm kernels (assembly/kernels.ts `requantI32`, `muldivI32`) must match them bit for bit, and
 * elementwise.test.ts checks it on random and extreme inputs.
 *
 *   requant  out[i] = clamp(roundShift(x[i] · m_i, s), lo, hi)            m_i = mt ? mt[i] : m
 *   muldiv   out[i] = clamp(roundDiv(a[i] · g_i · m, d_i), lo, hi)        g_i = g ? g[i mod g.length] : 1,
 *                                                                         d_i = b ? b[floor(i / bdiv) mod b.length] : d
 *
 * Domain (what the model loader proves, engine.md §3.5): |m| ≤ 2^22 − 1 and s ∈ [0, 52] for requant, so
 * |x · m| < 2^53; |a · g · m| ≤ 2^51 for muldiv. Inside it both implementations compute the exact integers of
 * the spec (docs/kernels.md "Element-wise kernels" gives the argument for the doubles used here).
 */
import { KernelShapeError, checkDimension } from './errors.ts';
import { clamp, roundDiv } from '../ops/arith.ts';

/** Largest |multiplier| (engine.md §3.5): |int32 · m| < 2^53. */
export const MAX_ELEMENTWISE_MULTIPLIER = 2 ** 22 - 1;
/** Largest requant shift (engine.md §3.5). */
export const MAX_REQUANT_SHIFT = 52;

/** Parameters of one requant call (a requant node's p0..p3). */
export interface RequantParams {
  /** Constant multiplier (used when no multiplier tensor is given). */
  m: number;
  /** Right shift, rounding half away from zero, in [0, 52]. */
  shift: number;
  lo: number;
  hi: number;
}

/** Parameters of one muldiv call (a muldiv node's p0, p1, p2, p3, p5). */
export interface MuldivParams {
  lo: number;
  hi: number;
  /** Broadcast divisor of b (≥ 1) when b is given. */
  bdiv: number;
  /** Multiplier. */
  m: number;
  /** Constant denominator when b is absent. */
  d: number;
}

function checkInt32(kernel: string, argument: string, v: number): void {
  checkDimension(kernel, argument, v, -2147483648, 2147483647);
}

/** Argument checks shared by both implementations; returns n = out.length. */
export function checkRequantArgs(x: Int32Array, mt: Int32Array | null, p: RequantParams, out: Int32Array): number {
  const n = out.length;
  // Fast path (once per node and step in the engine): v | 0 === v holds exactly for the integers of int32.
  const { m, shift, lo, hi } = p;
  if (x.length >= n && (mt === null || mt.length >= n) && (m | 0) === m && m >= -MAX_ELEMENTWISE_MULTIPLIER && m <= MAX_ELEMENTWISE_MULTIPLIER && (shift | 0) === shift && shift >= 0 && shift <= MAX_REQUANT_SHIFT && (lo | 0) === lo && (hi | 0) === hi && lo <= hi) return n;
  if (x.length < n) throw new KernelShapeError({ kernel: 'requant', argument: 'x', expected: `at least ${n} elements (out.length)`, actual: `length ${x.length}` });
  if (mt !== null && mt.length < n) throw new KernelShapeError({ kernel: 'requant', argument: 'mt', expected: `at least ${n} elements (out.length)`, actual: `length ${mt.length}` });
  checkDimension('requant', 'm', p.m, -MAX_ELEMENTWISE_MULTIPLIER, MAX_ELEMENTWISE_MULTIPLIER);
  checkDimension('requant', 'shift', p.shift, 0, MAX_REQUANT_SHIFT);
  checkInt32('requant', 'lo', p.lo);
  checkDimension('requant', 'hi', p.hi, p.lo, 2147483647);
  return n;
}

export function checkMuldivArgs(a: Int32Array, b: Int32Array | null, g: Int8Array | null, p: MuldivParams, out: Int32Array): number {
  const n = out.length;
  const { m, d, lo, hi, bdiv } = p;
  if (a.length >= n && (b === null || (b.length >= 1 && (bdiv | 0) === bdiv && bdiv >= 1)) && (g === null || g.length >= 1) && (m | 0) === m && m >= -MAX_ELEMENTWISE_MULTIPLIER && m <= MAX_ELEMENTWISE_MULTIPLIER && (d | 0) === d && (lo | 0) === lo && (hi | 0) === hi && lo <= hi) return n;
  if (a.length < n) throw new KernelShapeError({ kernel: 'muldiv', argument: 'a', expected: `at least ${n} elements (out.length)`, actual: `length ${a.length}` });
  if (b !== null) {
    if (b.length < 1) throw new KernelShapeError({ kernel: 'muldiv', argument: 'b', expected: 'at least 1 element', actual: 'length 0' });
    checkDimension('muldiv', 'bdiv', p.bdiv, 1, 2 ** 31 - 1);
  }
  if (g !== null && g.length < 1) throw new KernelShapeError({ kernel: 'muldiv', argument: 'g', expected: 'at least 1 element', actual: 'length 0' });
  checkDimension('muldiv', 'm', p.m, -MAX_ELEMENTWISE_MULTIPLIER, MAX_ELEMENTWISE_MULTIPLIER);
  checkInt32('muldiv', 'd', p.d);
  checkInt32('muldiv', 'lo', p.lo);
  checkDimension('muldiv', 'hi', p.hi, p.lo, 2147483647);
  return n;
}

/** requant over out.length elements (engine.md §3.5). */
export function requantReference(x: Int32Array, mt: Int32Array | null, p: RequantParams, out: Int32Array): void {
  const n = checkRequantArgs(x, mt, p, out);
  const { m: m0, shift: s, lo, hi } = p;
  if (s === 0) {
    for (let i = 0; i < n; i++) out[i] = clamp(x[i]! * (mt ? mt[i]! : m0), lo, hi);
    return;
  }
  // roundShift (arith.ts) with 2^s hoisted out of the loop: v / 2^s and v · 2^−s are the same correctly rounded
  // double (a power of two, s ≤ 52, |v| < 2^53: no subnormals), so every element equals the reference's.
  const half = 2 ** (s - 1);
  const inv = 2 ** -s;
  for (let i = 0; i < n; i++) {
    const v = x[i]! * (mt ? mt[i]! : m0);
    const r = v >= 0 ? Math.floor((v + half) * inv) : 0 - Math.floor((half - v) * inv);
    out[i] = r < lo ? lo : r > hi ? hi : r; // Int32Array stores −0 as 0, as roundShift's `|| 0` does
  }
}

/** muldiv over out.length elements (engine.md §3.5); division by zero gives 0 before the clamp. */
export function muldivReference(a: Int32Array, b: Int32Array | null, g: Int8Array | null, p: MuldivParams, out: Int32Array): void {
  const n = checkMuldivArgs(a, b, g, p, out);
  const { lo, hi, bdiv, m, d: cden } = p;
  // Same element formula as the spec; the broadcast indices floor(i / bdiv) mod size(b) and i mod glen are
  // stepped incrementally instead of divided per element.
  const bs = b ? b.length : 1;
  const glen = g ? g.length : 1;
  let bi = 0; // floor(i / bdiv) mod bs
  let bk = 0; // i mod bdiv
  let gk = 0; // i mod glen
  for (let i = 0; i < n; i++) {
    const gi = g ? g[gk]! : 1;
    const d = b ? b[bi]! : cden;
    out[i] = clamp(roundDiv(a[i]! * gi * m, d), lo, hi);
    if (g && ++gk === glen) gk = 0;
    if (b && ++bk === bdiv) {
      bk = 0;
      if (++bi === bs) bi = 0;
    }
  }
}
