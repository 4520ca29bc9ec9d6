/**
 * Checking the shares a DKG member received against the dealers' commitments (whitepaper §2.2.1; docs/threshold.md §3.3).
 *
 * Member j received s_d from each dealer d with commitments C_{d,0..t−1} ∈ G2. Each share is right iff
 *   s_d·g2 = E_d,  E_d = Σ_k j^k·C_{d,k}   (Horner: t − 1 multiplications by the small integer j)
 * All are checked at once with random 64-bit weights r_d (a random linear combination):
 *   (Σ r_d·s_d)·g2 = Σ r_d·E_d
 * which fails with probability ≤ 2⁻⁶⁴ when any share is wrong, and costs one fixed-base multiplication instead of
 * n − 1. The point additions run natively in blst (see points.ts). Only when the batch fails is each share
 * checked alone, to name the dealers to complain about.
 */
import type { Random } from '../../common/clock.ts';
import { bytesToBigInt, bytesEqual } from '../../common/bytes.ts';
import { Fr, G2, nativeAdd, nativeMulSmall, toNativeG2, type NativeG2 } from '../bls/points.ts';

export interface ReceivedShare {
  readonly dealer: number;
  readonly share: bigint;
  /** The dealer's commitments as native points (already validated). */
  readonly commitments: readonly NativeG2[];
}

/** Σ_k x^k·C_k on native points (Horner). */
export function evaluateNative(commitments: readonly NativeG2[], x: number): NativeG2 {
  let acc = commitments[commitments.length - 1]!;
  for (let k = commitments.length - 2; k >= 0; k--) acc = nativeAdd(nativeMulSmall(acc, BigInt(x))!, commitments[k]!);
  return acc;
}

function sameNative(a: NativeG2 | undefined, b: NativeG2 | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return bytesEqual(a.toBytes(true), b.toBytes(true));
}

/** s·g2 = Σ_k j^k·C_k for one dealer. */
export function shareMatches(received: ReceivedShare, member: number): boolean {
  return sameNative(toNativeG2(G2.BASE.multiply(received.share)), evaluateNative(received.commitments, member));
}

/** The dealers whose shares are wrong (empty when all are right), checked in one batch first. */
export function badDealers(shares: readonly ReceivedShare[], member: number, random: Random): number[] {
  if (shares.length === 0) return [];
  let scalar = 0n;
  let sum: NativeG2 | undefined;
  for (const s of shares) {
    const weight = bytesToBigInt(random.bytes(8)) | 1n; // non-zero 64-bit weight
    scalar = Fr.add(scalar, Fr.mul(weight, s.share));
    const term = nativeMulSmall(evaluateNative(s.commitments, member), weight)!;
    sum = sum === undefined ? term : nativeAdd(sum, term);
  }
  const left = scalar === 0n ? undefined : toNativeG2(G2.BASE.multiply(scalar));
  if (sameNative(left, sum)) return [];
  return shares.filter((s) => !shareMatches(s, member)).map((s) => s.dealer);
}
