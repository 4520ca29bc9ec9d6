/**
 * Points an attacker would send (tests and golden vectors only): on the curve but outside the r-order
 * subgroup, off the curve, non-canonical coordinates, dirty padding, infinity, wrong lengths.
 */
import { Fp, Fp2, FP_BYTES, G1_BYTES, G2_BYTES, rawG1Bytes, type Fp2 as Fp2Value } from '../crypto/bls/points.ts';
import { bigIntToBytes } from '../common/bytes.ts';

/** The first x ≥ start with x³ + 4 a square: (x, √(x³+4)) is on G1's curve; its order is almost surely not r. */
export function g1OffSubgroup(start = 1n): Uint8Array {
  for (let x = start; ; x++) {
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 4n);
    try {
      return rawG1Bytes(x, Fp.sqrt(rhs));
    } catch { /* not a square: next x */ }
  }
}

/** (x, x) for x = 1: not on the curve. */
export function g1OffCurve(): Uint8Array {
  return rawG1Bytes(1n, 1n);
}

function rawG2(x: Fp2Value, y: Fp2Value): Uint8Array {
  const out = new Uint8Array(G2_BYTES);
  const parts = [x.c0, x.c1, y.c0, y.c1];
  parts.forEach((v, i) => out.set(bigIntToBytes(v, 48), i * FP_BYTES + 16));
  return out;
}

/** A point on G2's twist outside the subgroup. */
export function g2OffSubgroup(start = 1n): Uint8Array {
  for (let a = start; ; a++) {
    const x = { c0: a, c1: 1n };
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), { c0: 4n, c1: 4n });
    try {
      const y = Fp2.sqrt(rhs);
      return rawG2(x, y);
    } catch { /* not a square */ }
  }
}

export function g2OffCurve(): Uint8Array {
  return rawG2({ c0: 1n, c1: 1n }, { c0: 1n, c1: 1n });
}

/** A valid encoding with one of the 16 padding bytes of its first coordinate set. */
export function withDirtyPadding(encoded: Uint8Array): Uint8Array {
  const out = encoded.slice();
  out[3] = 1;
  return out;
}

/** The first coordinate replaced by x + p (same residue, not canonical). */
export function withNonCanonicalX(encoded: Uint8Array): Uint8Array {
  const out = encoded.slice();
  let x = 0n;
  for (let i = 16; i < 64; i++) x = (x << 8n) | BigInt(out[i]!);
  const big = x + Fp.ORDER;
  if (big >= 1n << 384n) return out.fill(0xff, 16, 64); // still ≥ p, so still non-canonical
  out.set(bigIntToBytes(big, 48), 16);
  return out;
}

export const G1_INFINITY = new Uint8Array(G1_BYTES);
export const G2_INFINITY = new Uint8Array(G2_BYTES);
