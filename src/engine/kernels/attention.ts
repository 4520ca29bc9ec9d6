/**
 * Attention helpers, TypeScript reference (whitepaper §2.2.6; DESIGN.md §1.7).
 *
 *   scores (n)  = K (n, d) @ q (d)           dotInt8RowsReference
 *   out (d)     = Σ_i p_i · V[i, :]           weightedSumInt8ColsReference
 *
 * K and V are int8 KV-cache rows (row-major, one row per position), q is int8,
 * p is int32 (integer softmax weights, fixed point as the engine defines).
 * The wasm kernels (assembly/kernels.ts) match these bit for bit.
 */
import { checkDimension, checkLength } from './errors.ts';
import { MAX_MATVEC_COLS, MAX_MATVEC_ROWS, matvecInt8Reference } from './matvec.ts';

/**
 * Largest head dimension d for the q·K scores: the same bound as a matvec's
 * cols (each score is a sum of d int8·int8 products; see MAX_MATVEC_COLS).
 */
export const MAX_HEAD_DIM = MAX_MATVEC_COLS;

/**
 * weightedSumInt8Cols is exact (no int32 wrap) whenever Σ_i |p_i| ≤ this:
 * |Σ_i p_i·v| ≤ 128 · Σ|p_i| ≤ 128 · (2^24 − 1) = 2^31 − 128. A softmax whose
 * probabilities sum to 2^k with k ≤ 23 (e.g. Q16) is always inside. Beyond it
 * the result is still deterministic (int32 two's complement, wrap modulo 2^32,
 * identical in every summation order) but no longer the true integer.
 */
export const WEIGHTED_SUM_MAX_ABS_P_SUM = 2 ** 24 - 1;

/** scores[i] = Σ_j k[i*d + j] · q[j], i < n: K (n, d) @ q (d) -> (n), exact int32. */
export function dotInt8RowsReference(k: Int8Array, n: number, d: number, q: Int8Array, scores: Int32Array): void {
  checkDimension('dotInt8Rows', 'n', n, 0, MAX_MATVEC_ROWS);
  checkDimension('dotInt8Rows', 'd', d, 0, MAX_HEAD_DIM);
  if (k.length < n * d) checkLength('dotInt8Rows', 'k', k, n * d, 'at least n*d');
  checkLength('dotInt8Rows', 'q', q, d, 'd');
  checkLength('dotInt8Rows', 'scores', scores, n, 'n');
  matvecInt8Reference(k.length === n * d ? k : k.subarray(0, n * d), n, d, q, scores);
}

/** Validates weightedSumInt8Cols arguments (the V length is checked by the caller). */
export function checkWeightedSumArgs(n: number, d: number, p: Int32Array, out: Int32Array): void {
  checkDimension('weightedSumInt8Cols', 'n', n, 0, MAX_MATVEC_ROWS);
  checkDimension('weightedSumInt8Cols', 'd', d, 0, MAX_MATVEC_ROWS);
  checkDimension('weightedSumInt8Cols', 'n*d', n * d, 0, 2 ** 31);
  checkLength('weightedSumInt8Cols', 'p', p, n, 'n');
  checkLength('weightedSumInt8Cols', 'out', out, d, 'd');
}

/**
 * out[j] = Σ_{i<n} p[i] · v[i*d + j], j < d: p (n) @ V (n, d) -> (d).
 * int32 two's complement arithmetic (wraps modulo 2^32; exact under
 * WEIGHTED_SUM_MAX_ABS_P_SUM). `v` may hold more than n rows (a KV cache with
 * spare capacity): only the first n are read.
 */
export function weightedSumInt8ColsReference(v: Int8Array, n: number, d: number, p: Int32Array, out: Int32Array): void {
  checkWeightedSumArgs(n, d, p, out);
  if (v.length < n * d) checkLength('weightedSumInt8Cols', 'v', v, n * d, 'at least n*d');
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const pi = p[i] as number;
    const base = i * d;
    for (let j = 0; j < d; j++) out[j] = ((out[j] as number) + Math.imul(pi, v[base + j] as number)) | 0;
  }
}
