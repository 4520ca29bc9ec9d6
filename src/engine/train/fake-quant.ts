/**
 * Quantisation-aware training helpers (whitepaper §2.2.6: the shipped models run on int8 weights). During the
 * last part of training the forward and backward passes use weights rounded to a symmetric per-row int8 grid
 * (straight-through estimator: the gradient computed at the rounded weights updates the float master copy), so
 * the network settles where rounding costs it nothing.
 */

/** Symmetric per-row int8 scale of a (rows, cols) matrix: max |w| / 127 (1 for an all-zero row). */
export function rowScales(w: Float64Array, rows: number, cols: number): Float64Array {
  const s = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let i = 0; i < cols; i++) m = Math.max(m, Math.abs(w[r * cols + i]!));
    s[r] = m > 0 ? m / 127 : 1;
  }
  return s;
}

/** Round half away from zero, the engine's rounding (ops/arith.ts roundShift). */
export function roundHalfAway(v: number): number {
  return v >= 0 ? Math.floor(v + 0.5) : -Math.floor(-v + 0.5);
}

/** int8 codes of a (rows, cols) matrix at the given per-row scales. */
export function quantizeRows(w: Float64Array, rows: number, cols: number, scales: Float64Array): Int8Array {
  const q = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) {
      const v = roundHalfAway(w[r * cols + i]! / scales[r]!);
      q[r * cols + i] = v > 127 ? 127 : v < -127 ? -127 : v;
    }
  }
  return q;
}

/** Writes into `out` the per-row int8 rounding of `w` (rows, cols), as floats. */
export function fakeQuantRows(w: Float64Array, rows: number, cols: number, out: Float64Array): void {
  const s = rowScales(w, rows, cols);
  const q = quantizeRows(w, rows, cols, s);
  for (let r = 0; r < rows; r++) for (let i = 0; i < cols; i++) out[r * cols + i] = q[r * cols + i]! * s[r]!;
}
