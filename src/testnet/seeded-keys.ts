/**
 * Test scaffolding: reproducible secp256k1 secret keys from a seeded Random (tests and test children only; never for
 * real keys — SeededRandom is not a CSPRNG).
 */
import type { Random } from '../common/clock.ts';
import { bigIntToBytes, bytesToBigInt } from '../common/bytes.ts';
import { nodeAddressOf, publicKeyOf } from '../identity/node-address.ts';

/** secp256k1 group order n. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A valid secret key (an integer in [1, n)) drawn from `random`. */
export function seededSecretKey(random: Random): Uint8Array {
  return bigIntToBytes((bytesToBigInt(random.bytes(32)) % (N - 1n)) + 1n, 32);
}

/** The 20-byte Ethereum address of a secret key (what Query.client and Receipt.node hold). */
export function ethereumAddressOfSecret(secretKey: Uint8Array): Uint8Array {
  return nodeAddressOf(publicKeyOf(secretKey)).slice(12);
}
