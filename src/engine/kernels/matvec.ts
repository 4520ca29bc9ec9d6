/**
 * int8 matrix-vector product, TypeScript reference (whitepaper §2.2.6: int8
 * weights, int32 accumulation; DESIGN.md §1.7).
 *
 *   W (rows, cols) row-major int8  @  x (cols) int8  ->  out (rows) int32
 *   out[r] = Σ_c W[r*cols + c] · x[c]
 *
 * This is the specification the wasm SIMD kernel (assembly/kernels.ts) must
 * match bit for bit. Integer addition is associative, so any summation order
 * (SIMD lanes, blocks, threads) gives the same int32 as long as no partial sum
 * overflows; MAX_MATVEC_COLS guarantees that none can.
 */
import { checkDimension, checkLength } from './errors.ts';

/**
 * Largest `cols` for which no int32 sum (and no partial sum, in any order) can
 * overflow. One product lies in [−128·127, (−128)·(−128)] = [−16256, 16384], so
 * a sum of n products lies in [−16256·n, 16384·n]; 16384·n ≤ 2^31 − 1 gives
 * n ≤ 131071 (16384 · 131071 = 2,147,467,264).
 */
export const MAX_MATVEC_COLS = 131071;

/**
 * Largest `rows`: not an overflow bound (rows are independent) but a sanity
 * limit so rows*cols stays an exact safe integer and a 32-bit wasm memory
 * offset: 2^24 rows.
 */
export const MAX_MATVEC_ROWS = 1 << 24;

/**
 * Largest element count rows*cols of one matrix: 2^31 bytes, half of the 4 GiB
 * a 32-bit wasm memory can address, leaving room for vectors.
 */
export const MAX_MATRIX_ELEMENTS = 2 ** 31;

/** Validates the arguments of a matvec; throws KernelShapeError. */
export function checkMatvecArgs(
  kernel: string,
  w: { readonly length: number } | null,
  rows: number,
  cols: number,
  x: Int8Array,
  out: Int32Array,
): void {
  checkDimension(kernel, 'rows', rows, 0, MAX_MATVEC_ROWS);
  checkDimension(kernel, 'cols', cols, 0, MAX_MATVEC_COLS);
  checkDimension(kernel, 'rows*cols', rows * cols, 0, MAX_MATRIX_ELEMENTS);
  if (w !== null) checkLength(kernel, 'w', w, rows * cols, 'rows*cols');
  checkLength(kernel, 'x', x, cols, 'cols');
  checkLength(kernel, 'out', out, rows, 'rows');
}

/**
 * out[r] = Σ_c w[r*cols+c] · x[c], exact int32 (see MAX_MATVEC_COLS).
 * W (rows, cols) @ x (cols) -> out (rows). Overwrites `out`.
 */
export function matvecInt8Reference(w: Int8Array, rows: number, cols: number, x: Int8Array, out: Int32Array): void {
  checkMatvecArgs('matvecInt8Reference', w, rows, cols, x, out);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    // |sum| < 2^31 ≤ 2^53: every intermediate is an exact double.
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += (w[base + c] as number) * (x[c] as number);
    out[r] = sum;
  }
}
