/**
 * Secret polynomials over the scalar field and their public commitments in G2 (whitepaper §2.2.1; Feldman VSS).
 *
 *   f(x) = a_0 + a_1·x + … + a_{t−1}·x^{t−1}  (mod r)       share of member i (1-based):  x_i = f(i)
 *   C_k  = a_k · g2                                          public share: PK_i = Σ_k i^k · C_k = x_i · g2
 *
 * Member indices are 1..n (0 is the secret's own evaluation point). Every helper here is pure; randomness
 * comes from the caller's `Random`.
 */
import type { Random } from '../../common/clock.ts';
import { bytesToBigInt } from '../../common/bytes.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { CURVE_ORDER, Fr, G2, type G2Point } from './points.ts';

/** Members per committee, at most: signer sets travel as a 256-bit bitmap (bit i−1 for member i). */
export const MAX_MEMBERS = 256;

/** A uniform scalar in [1, r): 64 random bytes reduced mod r (bias < 2⁻²⁵⁶), zero redrawn. */
export function randomScalar(random: Random): bigint {
  for (;;) {
    const value = bytesToBigInt(random.bytes(64)) % CURVE_ORDER;
    if (value !== 0n) return value;
  }
}

/** t random coefficients; `secret` fixes a_0 (resharing deals an existing share). */
export function randomPolynomial(threshold: number, random: Random, secret?: bigint): bigint[] {
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > MAX_MEMBERS) throw new InvalidArgumentError('threshold', `must be 1..${MAX_MEMBERS}`);
  const coefficients = Array.from({ length: threshold }, () => randomScalar(random));
  if (secret !== undefined) coefficients[0] = Fr.create(secret);
  return coefficients;
}

/** f(x) by Horner's rule, mod r. */
export function evaluatePolynomial(coefficients: readonly bigint[], x: number | bigint): bigint {
  const at = BigInt(x);
  let acc = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = Fr.add(Fr.mul(acc, at), coefficients[k]!);
  return acc;
}

/** C_k = a_k·g2 for every coefficient. */
export function commitPolynomial(coefficients: readonly bigint[]): G2Point[] {
  return coefficients.map((a) => G2.BASE.multiply(a));
}

/**
 * Σ_k x^k·C_k by Horner's rule: t − 1 multiplications by the small integer x (≤ 256, so each is a few
 * doublings and additions) instead of t full scalar multiplications.
 */
export function evaluateCommitments(commitments: readonly G2Point[], x: number): G2Point {
  if (!Number.isSafeInteger(x) || x < 0 || x > MAX_MEMBERS) throw new InvalidArgumentError('index', `must be 0..${MAX_MEMBERS}`);
  let acc = G2.ZERO;
  const at = BigInt(x);
  for (let k = commitments.length - 1; k >= 0; k--) {
    acc = k === commitments.length - 1 ? commitments[k]! : acc.multiplyUnsafe(at).add(commitments[k]!);
  }
  return acc;
}

/**
 * Lagrange coefficients at 0 for the index set S: λ_i = Π_{j∈S, j≠i} j / (j − i) mod r, so that
 * f(0) = Σ_{i∈S} λ_i·f(i) for every polynomial of degree < |S|. Indices must be distinct and non-zero.
 */
export function lagrangeAtZero(indices: readonly number[]): bigint[] {
  return indices.map((i) => {
    let num = 1n;
    let den = 1n;
    for (const j of indices) {
      if (j === i) continue;
      num = Fr.mul(num, BigInt(j));
      den = Fr.mul(den, Fr.sub(BigInt(j), BigInt(i)));
    }
    return Fr.div(num, den);
  });
}
