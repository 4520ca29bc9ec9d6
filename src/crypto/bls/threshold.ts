/**
 * t-of-n BLS threshold signatures (whitepaper §2.2.1: tsign_i, tcombine, tverify; docs/threshold.md).
 *
 * Signatures live in G1 and keys in G2 (docs/decisions/0003: the cheaper on-chain check). Member i holds
 * the secret share x_i; its public share is PK_i = x_i·g2; the group key is PK = f(0)·g2.
 *
 *   tsign_i(m)        ρ_i = x_i · H(m)                               (G1, 128 bytes EIP-2537)
 *   verifyPartial     e(ρ_i, g2) = e(H(m), PK_i)                       identifies a bad partial before combining
 *   tcombine(m, ρ_S)  σ = Σ_{i∈S} λ_i·ρ_i over any t valid partials    (Lagrange at 0)
 *   tverify(m, σ)     e(σ, g2) = e(H(m), PK)
 *
 * Partials from many members are checked together with a random linear combination (blst draws the 64-bit
 * weights natively): Σ r_i·ρ_i against Σ r_i·PK_i costs one pairing check instead of |S|; only when the
 * batch fails is it split in halves to find the bad ones.
 */
import { pippenger } from '@noble/curves/abstract/curve.js';
import * as blst from '@chainsafe/blst';
import { decodeG1, encodeG1, G1, G2, type G1Point, type G2Point } from './points.ts';
import { hashToG1 } from './hash-to-g1.ts';
import { signatureHolds } from './pairing.ts';
import { lagrangeAtZero, MAX_MEMBERS } from './polynomial.ts';
import { BlsEncodingError, ThresholdError } from './errors.ts';

export interface KeyShare {
  /** Member index, 1..n. */
  readonly index: number;
  /** x_i = f(i) mod r. Secret. */
  readonly secret: bigint;
}

export interface PartialSignature {
  readonly index: number;
  /** ρ_i, 128-byte EIP-2537 G1 point. */
  readonly signature: Uint8Array;
}

/** ρ_i = x_i·H(m). */
export function tsign(share: KeyShare, message: Uint8Array): PartialSignature {
  return { index: share.index, signature: encodeG1(hashToG1(message).multiply(share.secret), 'partial signature') };
}

/** True when the partial is member `index`'s signature on `message` under its public share. Malformed bytes throw BlsEncodingError. */
export function verifyPartial(partial: PartialSignature, message: Uint8Array, publicShare: G2Point): boolean {
  return signatureHolds(decodeG1(partial.signature, 'partial signature'), hashToG1(message), publicShare);
}

/** Plain (non-threshold) verification: σ on m under pk. */
export function verifySignature(signature: G1Point, message: Uint8Array, publicKey: G2Point): boolean {
  return signatureHolds(signature, hashToG1(message), publicKey);
}

export interface PartialCheck {
  /** Partials that verified, sorted by index. */
  valid: PartialSignature[];
  /** Indices of partials refused, with why: `bad-partial` (wrong signature), `non-member`, `duplicate-signer`, or an encoding reason. */
  invalid: { index: number; reason: string }[];
}

/**
 * Sorts partials into valid and invalid. `publicShare(i)` returns PK_i, or undefined when i is not a
 * member. Structure first (index range, membership, duplicates — the first copy of an index is judged, later
 * copies refused), then encodings, then one batched pairing check, bisected only when it fails.
 */
export function checkPartials(
  partials: readonly PartialSignature[],
  message: Uint8Array,
  publicShare: (index: number) => G2Point | undefined,
): PartialCheck {
  const invalid: { index: number; reason: string }[] = [];
  const seen = new Set<number>();
  const candidates: { partial: PartialSignature; point: G1Point; share: G2Point }[] = [];
  for (const partial of partials) {
    const { index } = partial;
    if (!Number.isSafeInteger(index) || index < 1 || index > MAX_MEMBERS) {
      invalid.push({ index, reason: 'signer-out-of-range' });
      continue;
    }
    if (seen.has(index)) {
      invalid.push({ index, reason: 'duplicate-signer' });
      continue;
    }
    seen.add(index);
    const share = publicShare(index);
    if (share === undefined) {
      invalid.push({ index, reason: 'non-member' });
      continue;
    }
    try {
      candidates.push({ partial, point: decodeG1(partial.signature, 'partial signature'), share });
    } catch (error) {
      if (!(error instanceof BlsEncodingError)) throw error;
      invalid.push({ index, reason: error.details.reason });
    }
  }
  const hashed = hashToG1(message);
  const valid: PartialSignature[] = [];
  const judge = (group: typeof candidates): void => {
    if (group.length === 0) return;
    if (batchHolds(group, hashed)) {
      for (const c of group) valid.push(c.partial);
    } else if (group.length === 1) {
      invalid.push({ index: group[0]!.partial.index, reason: 'bad-partial' });
    } else {
      const half = group.length >> 1;
      judge(group.slice(0, half));
      judge(group.slice(half));
    }
  };
  judge(candidates);
  valid.sort((a, b) => a.index - b.index);
  return { valid, invalid };
}

/** e(Σ r_i·ρ_i, g2) = e(H(m), Σ r_i·PK_i) with blst's random 64-bit r_i (G1 points ride in blst's "public key" slot, G2 in its "signature" slot). */
function batchHolds(group: readonly { point: G1Point; share: G2Point }[], hashed: G1Point): boolean {
  if (group.length === 1) return signatureHolds(group[0]!.point, hashed, group[0]!.share);
  const sets = group.map(({ point, share }) => ({
    // noble's uncompressed toBytes is ZCash's serialisation, which blst reads.
    pk: blst.PublicKey.fromBytes(point.toBytes(false)),
    sig: share.toBytes(false),
  }));
  const { pk, sig } = blst.aggregateWithRandomness(sets);
  const sumPartials = G1.fromBytes(pk.toBytes(false));
  const sumShares = G2.fromBytes(sig.toBytes(false));
  return signatureHolds(sumPartials, hashed, sumShares);
}

/**
 * tcombine: σ = Σ λ_i·ρ_i over the first `threshold` partials by index. Partials must already be checked
 * (checkPartials); structure is re-checked here (duplicates, range, count) because a wrong set silently
 * gives a wrong signature.
 */
export function tcombine(partials: readonly PartialSignature[], threshold: number): G1Point {
  const sorted = [...partials].sort((a, b) => a.index - b.index);
  for (let k = 0; k < sorted.length; k++) {
    const index = sorted[k]!.index;
    if (!Number.isSafeInteger(index) || index < 1 || index > MAX_MEMBERS) throw new ThresholdError('signer-out-of-range', { index });
    if (k > 0 && sorted[k - 1]!.index === index) throw new ThresholdError('duplicate-signer', { index });
  }
  if (sorted.length < threshold) throw new ThresholdError('too-few-partials', { have: sorted.length, need: threshold });
  const chosen = sorted.slice(0, threshold);
  const lambdas = lagrangeAtZero(chosen.map((p) => p.index));
  const points = chosen.map((p) => decodeG1(p.signature, 'partial signature'));
  return pippenger(G1, points, lambdas);
}

/** tverify: σ (128-byte EIP-2537 G1) on m under the group key. Malformed σ throws BlsEncodingError. */
export function tverify(signature: Uint8Array, message: Uint8Array, groupKey: G2Point): boolean {
  return verifySignature(decodeG1(signature, 'signature'), message, groupKey);
}
