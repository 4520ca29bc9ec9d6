/**
 * Integer primitives shared by every op (whitepaper §2.2.6 "execution is deterministic"; DESIGN.md §1.7).
 *
 * Each function is the exact definition written in docs/spec/engine.md §2; the Solidity one-step verifier
 * (contracts/lib/EngineOps.sol) re-implements these lines on int256. Arguments are JavaScript numbers holding
 * integers. The model loader's range analysis (validate.ts) keeps an honest model's values far inside the domain
 * (|v| ≤ 2^53, shifts ≤ 52), but the primitives do not rely on it: each one refuses, with `PrimitiveDomainError`,
 * any argument it cannot compute exactly or that the contract refuses, so no future caller can hang a node
 * (roundDiv's correction loop never ends once r + 1 === r in doubles) or get an answer the chain would not give.
 *
 * Domain, checked on every call:
 * - every integer argument is a safe integer, |v| ≤ 2^53 − 1 (beyond it a double is not an exact integer; the
 *   contract's int256 domain is wider, so inside ours both compute the same integers);
 * - roundShift's shift s ∈ [0, 255], exactly the contract's: there `uint256(1) << s` is 0 for s ≥ 256 and for a
 *   negative s (cast to a huge uint256), and the division by it reverts.
 */
import { BaseError } from '../../common/errors.ts';

/** An argument outside a primitive's domain (see the module header): a bug or a malformed model, never rounded. */
export class PrimitiveDomainError extends BaseError<{ primitive: string; argument: string; value: string; domain: string }> {
  constructor(primitive: string, argument: string, value: unknown, domain: string) {
    const shown = String(value).slice(0, 40);
    super('ENGINE_PRIMITIVE_DOMAIN', `${primitive}: ${argument} = ${shown} is outside its domain ${domain}`, { details: { primitive, argument, value: shown, domain } });
  }
}

/** Largest |integer| a primitive accepts: Number.MAX_SAFE_INTEGER = 2^53 − 1. */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Largest roundShift shift: the contract reverts from 256 on (EngineOps.roundShift). */
export const MAX_ROUND_SHIFT = 255;
const SAFE_DOMAIN = `integers in [−(2^53 − 1), 2^53 − 1]`;

function requireSafe(primitive: string, argument: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new PrimitiveDomainError(primitive, argument, v, SAFE_DOMAIN);
}

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
 * Domain: v a safe integer, s an integer in [0, 255] (PrimitiveDomainError otherwise).
 */
export function roundShift(v: number, s: number): number {
  if ((v | 0) !== v) requireSafe('roundShift', 'v', v); // int32 passes with one cheap test (see euclidMod)
  if (!Number.isInteger(s) || s < 0 || s > MAX_ROUND_SHIFT) throw new PrimitiveDomainError('roundShift', 's', s, `integers in [0, ${MAX_ROUND_SHIFT}]`);
  if (s === 0) return v;
  // |v| < 2^53 ≤ 2^(s−1): the quotient is below ½, so 0. Needed, not a shortcut: from s = 54 on, |v| + 2^(s−1)
  // is no longer exact in doubles and can round up to 2^s (roundShift(2^53 − 1, 54) would give 1).
  if (s >= 54) return 0;
  const p = 2 ** s;
  const half = p / 2;
  return v >= 0 ? Math.floor((v + half) / p) : 0 - Math.floor((-v + half) / p) || 0; // `|| 0`: never −0
}

/** Below this, 2·|n| + |d| and the correction products in roundDiv stay under 2^53: exact in doubles. */
const FAST_DIV_LIMIT = 2 ** 51;

/**
 * Rounding division, round half AWAY FROM ZERO; division by zero gives 0:
 *   d = 0:  0
 *   else:   sign(n)·sign(d) · floor((2·|n| + |d|) / (2·|d|))
 * e.g. roundDiv(7, 2) = 4, roundDiv(−7, 2) = −4, roundDiv(5, 3) = 2, roundDiv(4, 3) = 1, roundDiv(1, 0) = 0.
 * Domain: n, d safe integers (PrimitiveDomainError otherwise). |n|, |d| ≤ 2^51 (every honest model: the loader
 * bounds muldiv's numerator there) take the double path; larger safe integers are computed exactly in BigInt.
 */
export function roundDiv(n: number, d: number): number {
  const an = Math.abs(n);
  const ad = Math.abs(d);
  // One comparison pair admits the common case; NaN and ±Infinity fail it and reach the checks below.
  if (an <= FAST_DIV_LIMIT && ad <= FAST_DIV_LIMIT && Math.floor(n) === n && Math.floor(d) === d) {
    if (d === 0) return 0;
    const q = Math.floor((2 * an + ad) / (2 * ad));
    // Math.floor of a double quotient can be off by one when the exact quotient is an integer minus a tiny bit:
    // correct it with integer checks: 2·|n| + |d| < 2^53 is exact, and each product is either exact or, rounded
    // monotonically, at least 2^53 — above 2·|n| + |d| either way, so every comparison decides as in integers.
    let r = q;
    while (r * 2 * ad > 2 * an + ad) r--;
    while ((r + 1) * 2 * ad <= 2 * an + ad) r++;
    const neg = n < 0 !== d < 0;
    return neg && r !== 0 ? -r : r;
  }
  requireSafe('roundDiv', 'n', n);
  requireSafe('roundDiv', 'd', d);
  if (d === 0) return 0;
  const bn = BigInt(an);
  const bd = BigInt(ad);
  const q = Number((2n * bn + bd) / (2n * bd)); // ≤ |n|: a safe integer
  return n < 0 !== d < 0 && q !== 0 ? -q : q;
}

/** Euclidean modulus: m > 0 ? a − m·floor(a / m) ∈ [0, m) : 0. Domain: a, m safe integers. */
export function euclidMod(a: number, m: number): number {
  // (x | 0) === x admits int32 (every value an op sees) with one cheap test; the rest get the full check.
  if ((a | 0) !== a) requireSafe('euclidMod', 'a', a);
  if ((m | 0) !== m) requireSafe('euclidMod', 'm', m);
  if (m <= 0) return 0;
  const r = a % m; // exact for safe integers (fmod is exact)
  return r < 0 ? r + m : r;
}

/** floor(√max(v, 0)) exactly. Domain: v a safe integer. */
export function isqrtFloor(v: number): number {
  if ((v | 0) !== v) requireSafe('isqrtFloor', 'v', v); // int32 passes with one cheap test (see euclidMod)
  if (v <= 0) return 0;
  let r = Math.floor(Math.sqrt(v));
  // Math.sqrt is correctly rounded, so r is off by at most one; (r + 1)² > 2^53 only when it exceeds v anyway.
  while (r * r > v) r--;
  while ((r + 1) * (r + 1) <= v) r++;
  return r;
}

/**
 * A table lookup's index (lut: x + 128 into 256 entries; gather: a row of `rows`), refused outside [0, size):
 * reading past a table would answer with a neighbouring weight (the contract's proof would then name another
 * byte) or with `undefined` stored as 0. The loader proves honest models' indices in range; this guards the rest.
 */
export function tableIndex(primitive: string, index: number, size: number): number {
  if (!(Number.isInteger(index) && index >= 0 && index < size)) throw new PrimitiveDomainError(primitive, 'index', index, `integers in [0, ${size - 1}]`);
  return index;
}

/** Is `v` an integer within [lo, hi]? */
export function isIntIn(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}
