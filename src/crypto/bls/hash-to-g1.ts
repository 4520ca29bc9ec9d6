/**
 * Hashing a message to G1 (whitepaper §2.2.1; RFC 9380 §8.8.1, suite BLS12381G1_XMD:SHA-256_SSWU_RO_).
 *
 *   u0, u1 = hash_to_field(msg, 2)  via expand_message_xmd(SHA-256, DST, 128 bytes), each 64 bytes mod p
 *   H(msg) = clear_cofactor(map_to_curve(u0) + map_to_curve(u1))
 *
 * contracts/lib/BLS12381.sol computes the same point with SHA-256 (precompile 0x02), MODEXP (0x05) for the
 * reductions mod p and EIP-2537's MAP_FP_TO_G1 (which maps and clears the cofactor) plus G1ADD; the golden
 * vectors in test/vectors/threshold.json hold both sides to one answer.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { G1Point } from './points.ts';

/**
 * Domain separation tag, RFC 9380 §3.1 style: application id, then the suite. Distinct from Ethereum's
 * consensus DST (G2, proof of possession), so no Hyperspace signature is ever a valid beacon-chain one.
 */
export const HASH_TO_G1_DST = 'HYPERSPACE-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';

/** H(msg) ∈ G1 under our DST. */
export function hashToG1(message: Uint8Array): G1Point {
  return bls12_381.G1.hashToCurve(message, { DST: HASH_TO_G1_DST }) as unknown as G1Point;
}
