/**
 * Whole-step programs (whitepaper §2.2.6; docs/kernels.md "Whole-step programs"): a model's non-source nodes
 * encoded once as fixed 64-byte records in the wasm kernels' memory, so that `runProgram` (assembly/kernels.ts)
 * executes a whole step of the engine in one JS → wasm call instead of one call per node. The record layout here
 * and the reader in assembly/kernels.ts must agree word for word.
 *
 *   header (16 int32 words): 0 magic · 1 node record count · 2 source record count · 3 int8 scratch offset (set by
 *     the kernels); the source records follow the node records
 *   record (32 int32 words): 0 op code · 1 size · 2 out · 3 a · 4 b · 5 c (byte offsets of the nodes' int32 values,
 *     0 = absent) · 6 w0 · 7 w1 (byte offsets of resident weights, 0 = absent) · 8 size(a) · 9 size(b) ·
 *     10..15 p0..p5 (the node's params; p6, p7 are unused by every program op) · 16 flags · 17 requant pre-shift
 *     (requantPreShift) · 18..31 reserved (0)
 *
 * Flags select exact fast paths that the loader's proven ranges (validate.ts, engine.md §4.3) allow; they never
 * change a result, only skip work that is provably the identity (programFlags).
 *
 * Every op of engine.md §3 except the sources (token, vector, position, random, seeded: values from the query,
 * written by the runner before the call) runs in wasm, bit-identical to its TypeScript definition
 * (step-program.test.ts); `PROGRAM_OP_CODES` lists them, and the runner keeps any other op on its per-node path.
 */
import { KernelShapeError } from './errors.ts';
import { roundShift } from '../ops/arith.ts';

export const PROGRAM_MAGIC = 0x48535031; // 'HSP1'
export const PROGRAM_HEADER_WORDS = 16;
export const PROGRAM_RECORD_WORDS = 32;

/** Op codes (engine.md §3) that `runProgram` executes. */
export const PROGRAM_OP_CODES: ReadonlySet<number> = new Set([10, 11, 12, 20, 21, 30, 31, 32, 33, 34, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);

/** The matmul op codes: matvec, attn_scores, attn_mix (the benchmark's "matmul" group). */
export const MATMUL_OP_CODES: readonly number[] = [10, 20, 21];

/** One record: resolved byte offsets (0 = absent) and the node's params. */
export interface ProgramRecord {
  code: number;
  size: number;
  out: number;
  a: number;
  b: number;
  c: number;
  w0: number;
  w1: number;
  sizeA: number;
  sizeB: number;
  /** p0..p5. */
  p: readonly number[];
  /** PROGRAM_FLAG_* bits (programFlags); 0 = the general path. */
  flags: number;
  /** requant with PROGRAM_FLAG_MULHI: the pre-shift of x (requantPreShift); else 0. */
  ex?: number;
}

/** The unclamped result of the op always lies in its clamp window [lo, hi] (requant, add, sub): skip the clamp. */
export const PROGRAM_FLAG_NO_CLAMP = 1;
/** add / sub: a ± b always lies in int32, so wrapping int32 arithmetic gives the exact sum; requant: the unclamped
 *  result always lies in int32, so it is converted to int32 before the clamp. */
export const PROGRAM_FLAG_I32 = 2;

/** muldiv: |a·g·m| ≤ 2^31 − 1, |den| ≤ 2^30, 2|a·g·m| + |den| < 2^32 and no gain or one per element: the
 *  quotient in 32-bit integers by multiplication (assembly/kernels.ts muldivU32). */
export const PROGRAM_FLAG_U32_DIV = 4;

/** requant: s ≥ 1, 2^max(0, 32−s) splits between m and x keeping both int32 (requantPreShift), and the unclamped
 *  result fits int32: computed from the high half of an exact 64-bit product (assembly/kernels.ts requantHi). */
export const PROGRAM_FLAG_MULHI = 8;

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/**
 * requant's integer path: e = max(0, 32 − s) is split into em (scales m) + ex (scales x) so that both stay int32;
 * returns the smallest such ex (record word 17), or −1 if there is none.
 */
export function requantPreShift(ra: { lo: number; hi: number }, m: { lo: number; hi: number }, s: number): number {
  const e = Math.max(0, 32 - s);
  const mm = Math.max(Math.abs(m.lo), Math.abs(m.hi));
  const xm = Math.max(Math.abs(ra.lo), Math.abs(ra.hi));
  for (let ex = 0; ex <= e; ex++) if (mm * 2 ** (e - ex) <= I32_MAX && xm * 2 ** ex <= I32_MAX) return ex;
  return -1;
}

/**
 * Fast-path flags of one node from the loader's proven input ranges (ra, rb: ranges of inputs a and b; m: range
 * of the requant multiplier, constant or tensor, or of the muldiv gain tensor; size: the node's size). Sound because every value the node can ever see lies in those
 * ranges (the loader proves them for any query), and the unclamped results are monotonic in each input.
 */
export function programFlags(op: string, p: readonly number[], ra: { lo: number; hi: number }, rb: { lo: number; hi: number } | null, m: { lo: number; hi: number } | null, size = 0): number {
  const within = (lo: number, hi: number, wlo: number, whi: number) => lo >= wlo && hi <= whi;
  const mag = (r: { lo: number; hi: number }) => Math.max(Math.abs(r.lo), Math.abs(r.hi));
  if (op === 'muldiv') {
    // m = the gain range (null without a gain tensor); p3 = multiplier, p4 = gain length, p5 = constant den.
    if (m !== null && p[4] !== size) return 0;
    const num = mag(ra) * (m === null ? 1 : mag(m)) * Math.abs(p[3]!);
    const den = rb !== null ? mag(rb) : Math.abs(p[5]!);
    return num <= I32_MAX && den <= 2 ** 30 && 2 * num + den < 2 ** 32 ? PROGRAM_FLAG_U32_DIV : 0;
  }
  if (op === 'requant' && m !== null) {
    const prods = [ra.lo * m.lo, ra.lo * m.hi, ra.hi * m.lo, ra.hi * m.hi];
    const s = p[1]!;
    const lo = roundShift(Math.min(...prods), s);
    const hi = roundShift(Math.max(...prods), s);
    const mulhi = s >= 1 && requantPreShift(ra, m, s) >= 0 && within(lo, hi, I32_MIN, I32_MAX) ? PROGRAM_FLAG_MULHI : 0;
    if (within(lo, hi, p[2]!, p[3]!)) return PROGRAM_FLAG_NO_CLAMP | mulhi;
    return within(lo, hi, I32_MIN, I32_MAX) ? PROGRAM_FLAG_I32 | mulhi : 0;
  }
  if ((op === 'add' || op === 'sub') && rb !== null) {
    const lo = op === 'add' ? ra.lo + rb.lo : ra.lo - rb.hi;
    const hi = op === 'add' ? ra.hi + rb.hi : ra.hi - rb.lo;
    if (!within(lo, hi, I32_MIN, I32_MAX)) return 0;
    return PROGRAM_FLAG_I32 | (within(lo, hi, p[0]!, p[1]!) ? PROGRAM_FLAG_NO_CLAMP : 0);
  }
  return 0;
}

/** Source op codes `runGenerate` sets itself (token, position, random, seeded), as records after the nodes'. */
export const PROGRAM_SOURCE_CODES: ReadonlySet<number> = new Set([1, 3, 4, 5]);

/**
 * The program's words (header + node records + source records). The scratch offset (word 3) is filled in by
 * `createProgram`. Source records (token: out, a = the output node's values, w0 = the prompt buffer; position,
 * random, seeded: out) are used only by the whole-generation call (StepProgram.generate).
 */
export function encodeProgram(records: readonly ProgramRecord[], sources: readonly ProgramRecord[] = []): Int32Array {
  const words = new Int32Array(PROGRAM_HEADER_WORDS + PROGRAM_RECORD_WORDS * (records.length + sources.length));
  words[0] = PROGRAM_MAGIC;
  words[1] = records.length;
  words[2] = sources.length;
  [...records, ...sources].forEach((r, k) => {
    const codes = k < records.length ? PROGRAM_OP_CODES : PROGRAM_SOURCE_CODES;
    if (!codes.has(r.code)) throw new KernelShapeError({ kernel: 'encodeProgram', argument: `record ${k} op code`, expected: k < records.length ? 'a program op code' : 'a source op code (1, 3, 4, 5)', actual: String(r.code) });
    const o = PROGRAM_HEADER_WORDS + PROGRAM_RECORD_WORDS * k;
    words.set([r.code, r.size, r.out, r.a, r.b, r.c, r.w0, r.w1, r.sizeA, r.sizeB], o);
    for (let i = 0; i < 6; i++) words[o + 10 + i] = r.p[i] ?? 0;
    words[o + 16] = r.flags;
    words[o + 17] = r.ex ?? 0;
  });
  return words;
}

/** [maskLo, maskHi] selecting the given op codes (all < 64); `null` = every op. */
export function opMask(codes: Iterable<number> | null): [number, number] {
  if (codes === null) return [-1, -1];
  let lo = 0;
  let hi = 0;
  for (const c of codes) {
    if (c < 32) lo |= 1 << c;
    else hi |= 1 << (c - 32);
  }
  return [lo, hi];
}
