/**
 * Pairing checks for signatures in G1 and keys in G2 (whitepaper §2.2.1; docs/decisions/0003).
 *
 *   verify(σ, m, PK)  ⇔  e(σ, g2) = e(H(m), PK)  ⇔  e(σ, −g2) · e(H(m), PK) = 1
 *
 * One product of two Miller loops and one final exponentiation (noble). The line functions of a G2 point
 * depend only on that point, so they are cached per point object (a WeakMap: a caller that keeps a group
 * key's decoded point — the certificate verifier does — pays their computation once).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { G2, type G1Point, type G2Point } from './points.ts';

type Precompute = ReturnType<typeof bls12_381.utils.calcPairingPrecomputes>;

const NEG_G2 = G2.BASE.negate();
const lineCache = new WeakMap<G2Point, Precompute>();

function lines(q: G2Point): Precompute {
  let pre = lineCache.get(q);
  if (pre === undefined) {
    pre = bls12_381.utils.calcPairingPrecomputes(q as never);
    lineCache.set(q, pre);
  }
  return pre;
}

/** True when Π e(p_i, q_i) = 1. Points must already be validated (decodeG1/decodeG2) and not infinity. */
export function pairingProductIsOne(pairs: ReadonlyArray<readonly [G1Point, G2Point]>): boolean {
  const batch = pairs.map(([p, q]) => {
    const { x, y } = p.toAffine();
    return [lines(q), x, y] as [Precompute, bigint, bigint];
  });
  const f = bls12_381.fields.Fp12.finalExponentiate(bls12_381.millerLoopBatch(batch));
  return bls12_381.fields.Fp12.eql(f, bls12_381.fields.Fp12.ONE);
}

/** e(σ, g2) = e(h, pk): a BLS signature σ ∈ G1 on a hashed message h ∈ G1 under pk ∈ G2. */
export function signatureHolds(signature: G1Point, hashed: G1Point, publicKey: G2Point): boolean {
  return pairingProductIsOne([
    [signature, NEG_G2],
    [hashed, publicKey],
  ]);
}
