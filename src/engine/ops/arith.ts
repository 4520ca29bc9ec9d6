/**
 * Integer primitives shared by every op (whitepaper §2.2.6 "execution is deterministic"; DESIGN.md §1.7).
 *
 * Each function is the exact definition written in docs/spec/engine.md §2; the Solidity one-step verifier
 * re-implements these lines on int256. Arguments are JavaScript numbers holding integers; the model loader's
 * range analysis (graph-validate.ts) guarantees every value passed here is an exact safe integer
 * (|v| ≤ 2^53), so plain double arithmetic is exact: products are bounded before they are formed, and
 * division by a power of two is exact in binary floating point.
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const INT8_MIN = -128;
export const INT8_MAX = 127;

/** clamp(v, lo, hi) = min(max(v, lo), hi); callers guarantee lo ≤ hi. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Rounding right shift, round half AWAY FROM ZERO:
 *   s = 0:  v
 *   s > 0:  sign(v) · floor((|v| + 2^(s−1)) / 2^s)
 * e.g. roundShift(5, 1) = 3, roundShift(−5, 1) = −3, roundShift(−4, 1) = −2, roundShift(3, 2) = 1.
 */
export function roundShift(v: number, s: number): number {
  if (s === 0) return v;
  const p = 2 ** s;
  const half = p / 2;
  return v >= 0 ? Math.floor((v + half) / p) : 0 - Math.floor((-v + half) / p) || 0; // `|| 0`: never −0
}

/**
 * Rounding division, round half AWAY FROM ZERO; division by zero gives 0:
 *   d = 0:  0
 *   else:   sign(n)·sign(d) · floor((2·|n| + |d|) / (2·|d|))
 * e.g. roundDiv(7, 2) = 4, roundDiv(−7, 2) = −4, roundDiv(5, 3) = 2, roundDiv(4, 3) = 1, roundDiv(1, 0) = 0.
 * The caller bounds |n| ≤ 2^51 so 2·|n| + |d| stays exact.
 */
export function roundDiv(n: number, d: number): number {
  if (d === 0) return 0;
  const an = Math.abs(n);
  const ad = Math.abs(d);
  const q = Math.floor((2 * an + ad) / (2 * ad));
  // Math.floor of a double quotient can be off by one when the exact quotient is an integer minus a tiny bit:
  // correct it with exact integer checks (all operands < 2^53).
  let r = q;
  while (r * 2 * ad > 2 * an + ad) r--;
  while ((r + 1) * 2 * ad <= 2 * an + ad) r++;
  const neg = n < 0 !== d < 0;
  return neg && r !== 0 ? -r : r;
}

/** Euclidean modulus: m > 0 ? a − m·floor(a / m) ∈ [0, m) : 0. */
export function euclidMod(a: number, m: number): number {
  if (m <= 0) return 0;
  const r = a % m;
  return r < 0 ? r + m : r;
}

/** floor(√max(v, 0)) exactly, for 0 ≤ v < 2^53. */
export function isqrtFloor(v: number): number {
  if (v <= 0) return 0;
  let r = Math.floor(Math.sqrt(v));
  while (r * r > v) r--;
  while ((r + 1) * (r + 1) <= v) r++;
  return r;
}

/** Is `v` an integer within [lo, hi]? */
export function isIntIn(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}
