/**
 * XOR metric over 256-bit NodeAddresses (whitepaper §1.1.1, Kademlia §2.1).
 *
 * Addresses are plain 32-byte Uint8Arrays: the same object can be shared by every
 * routing table that knows a node (the simulator does this, so a contact costs a
 * pointer, not 32 bytes), and comparisons stop at the first differing byte, which
 * for random ids is almost always byte 0 or 1.
 */
import type { Random } from '../common/clock.ts';

/** keccak256 of an uncompressed public key (src/identity/node-address.ts); also the DHT key space. */
export type NodeAddress = Uint8Array;

export const ADDRESS_BYTES = 32;
export const ADDRESS_BITS = 256;

/** Number of leading bits `a` and `b` share (0..256). Equal ids give 256. */
export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ADDRESS_BYTES; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return ADDRESS_BITS;
}

/**
 * Sign of d(target, a) − d(target, b) under the XOR metric: negative when `a` is
 * closer to `target`. Total order on distinct ids (XOR is a bijection).
 */
export function compareDistance(target: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ADDRESS_BYTES; i++) {
    const t = target[i]!;
    const da = a[i]! ^ t;
    const db = b[i]! ^ t;
    if (da !== db) return da - db;
  }
  return 0;
}

/** XOR distance as 32 bytes (big-endian); for display and tests, the hot paths use compareDistance. */
export function xorDistance(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(ADDRESS_BYTES);
  for (let i = 0; i < ADDRESS_BYTES; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * A uniformly random id whose common prefix with `self` is exactly `cpl` bits:
 * the target of a refresh lookup for bucket `cpl`.
 */
export function randomIdInBucket(self: Uint8Array, cpl: number, random: Random): NodeAddress {
  const out = random.bytes(ADDRESS_BYTES);
  const fullBytes = cpl >>> 3;
  for (let i = 0; i < fullBytes; i++) out[i] = self[i]!;
  if (cpl < ADDRESS_BITS) {
    const bit = cpl & 7;
    const keep = (0xff00 >>> bit) & 0xff; // the `bit` high bits of byte `fullBytes` come from self
    const flip = 0x80 >>> bit; // bit number `cpl` differs from self
    const s = self[fullBytes]!;
    out[fullBytes] = (s & keep) | (~s & flip) | (out[fullBytes]! & ~keep & ~flip & 0xff);
  }
  return out;
}

export function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  for (let i = 0; i < ADDRESS_BYTES; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Short hex prefix for logs and error details. */
export function shortId(a: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += a[i]!.toString(16).padStart(2, '0');
  return s;
}
