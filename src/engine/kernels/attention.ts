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
import { KernelShapeError, checkDimension, checkLength } from './errors.ts';
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

/**
 * Validates a multi-head attention call: the cache has `cols` = H·dh columns (H = heads divides cols), n rows
 * are read (n ≤ rows), the per-head row length `stride` = len / heads of the scores or probabilities holds n.
 */
export function checkHeads(kernel: string, rows: number, cols: number, n: number, heads: number, vector: { readonly length: number }, perHead: { readonly length: number }, perHeadName: string): number {
  checkDimension(kernel, 'heads', heads, 1, Math.max(1, cols));
  if (cols % heads !== 0) throw new KernelShapeError({ kernel, argument: 'heads', expected: `a divisor of cols=${cols}`, actual: String(heads) });
  checkDimension(kernel, 'n', n, 0, rows);
  checkLength(kernel, perHeadName === 'scores' ? 'q' : 'out', vector, cols, 'cols');
  const stride = perHead.length / heads;
  if (!Number.isInteger(stride) || stride < n) {
    throw new KernelShapeError({ kernel, argument: perHeadName, expected: `length heads·stride with stride ≥ n = ${n}`, actual: `length ${perHead.length}` });
  }
  return stride;
}

/**
 * Multi-head attention scores over the first n rows of a KV cache K (rows, cols) int8, row-major; H = heads,
 * dh = cols / H, q (cols) int8, scores (H · stride) int32 with stride = scores.length / H ≥ n:
 *   scores[h·stride + j] = j < n ? Σ_{d<dh} q[h·dh + d] · K[j·cols + h·dh + d] : fill
 * Exact (dh ≤ MAX_HEAD_DIM). The engine's attn_scores op with n = t + 1, stride = C and fill = the mask.
 */
export function attnScoresInt8Reference(k: Int8Array, rows: number, cols: number, n: number, heads: number, q: Int8Array, scores: Int32Array, fill: number): void {
  checkLength('attnScores', 'k', k, rows * cols, 'rows*cols');
  const stride = checkHeads('attnScores', rows, cols, n, heads, q, scores, 'scores');
  const dh = cols / heads;
  for (let h = 0; h < heads; h++) {
    const qb = h * dh;
    const ob = h * stride;
    for (let j = 0; j < stride; j++) {
      if (j >= n) {
        scores[ob + j] = fill;
        continue;
      }
      const kb = j * cols + qb;
      let s = 0; // |s| ≤ 16384·dh < 2^31: exact double
      for (let d = 0; d < dh; d++) s += (q[qb + d] as number) * (k[kb + d] as number);
      scores[ob + j] = s;
    }
  }
}

/**
 * Multi-head attention mix with int8 probabilities over the first n rows of V (rows, cols) int8; H = heads,
 * dh = cols / H, p (H · stride) int8 with stride = p.length / H ≥ n, out (cols) int32, two's complement:
 *   out[h·dh + d] = Σ_{j<n} p[h·stride + j] · V[j·cols + h·dh + d]
 * Exact while n ≤ 131071 (each product ≤ 2^14). The engine's attn_mix op with n = t + 1, stride = C.
 */
export function attnMixInt8Reference(v: Int8Array, rows: number, cols: number, n: number, heads: number, p: Int8Array, out: Int32Array): void {
  checkLength('attnMix', 'v', v, rows * cols, 'rows*cols');
  const stride = checkHeads('attnMix', rows, cols, n, heads, out, p, 'p');
  const dh = cols / heads;
  out.fill(0);
  for (let h = 0; h < heads; h++) {
    const ob = h * dh;
    for (let j = 0; j < n; j++) {
      const w = p[h * stride + j] as number;
      const vb = j * cols + ob;
      for (let d = 0; d < dh; d++) out[ob + d] = ((out[ob + d] as number) + w * (v[vb + d] as number)) | 0;
    }
  }
}
