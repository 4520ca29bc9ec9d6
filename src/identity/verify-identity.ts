/**
 * Checking a peer's identity (§2.1, §1.1.2): a valid secp256k1 public key whose NodeAddress solves the
 * static puzzle c1 and, when an X is given, the dynamic puzzle c2. O(1): one point validation and at
 * most three keccak256 calls (about 30 µs here, docs/identity.md).
 *
 * The key and X are untrusted input: a bad one is an answer (`valid: false` with the reason), never a
 * throw. The difficulties are the caller's own settings: out of range is an InvalidArgumentError.
 */
import { InvalidArgumentError } from '../common/errors.ts';
import { toHex } from '../common/bytes.ts';
import { assertUncompressedPublicKey, ethereumAddressOf, nodeAddressOf, InvalidPublicKeyError } from './node-address.ts';
import { assertDifficulty, dynamicPuzzleBits, staticPuzzleBits, PUZZLE_X_LENGTH } from './puzzle.ts';

export interface IdentityCheck {
  valid: boolean;
  /** 'ok', or why the identity is not valid. */
  reason: string;
  /** 0x-hex, present once the key is a valid point. */
  nodeAddress?: string;
  /** EIP-55 checksummed Ethereum address (last 20 bytes of the NodeAddress). */
  address?: string;
  /** Uncompressed 0x04 ‖ X ‖ Y, 0x-hex. */
  publicKey?: string;
  staticBits?: number;
  dynamicBits?: number;
  c1: number;
  c2?: number;
}

export function verifyIdentity(args: { publicKey: Uint8Array; c1: number; x?: Uint8Array; c2?: number }): IdentityCheck {
  const { publicKey, c1, x, c2 } = args;
  assertDifficulty('c1', c1);
  if ((x === undefined) !== (c2 === undefined)) {
    throw new InvalidArgumentError('x, c2', 'the dynamic puzzle needs both x and c2, or neither');
  }
  if (c2 !== undefined) assertDifficulty('c2', c2);
  const base: IdentityCheck = c2 === undefined ? { valid: false, reason: '', c1 } : { valid: false, reason: '', c1, c2 };

  if (!(publicKey instanceof Uint8Array)) return { ...base, reason: 'public key is not a byte string' };
  try {
    assertUncompressedPublicKey(publicKey);
  } catch (error) {
    if (error instanceof InvalidPublicKeyError) return { ...base, reason: `invalid public key: ${error.details.reason}` };
    throw error;
  }
  const nodeAddress = nodeAddressOf(publicKey);
  const staticBits = staticPuzzleBits(nodeAddress);
  const known: IdentityCheck = {
    ...base,
    nodeAddress: toHex(nodeAddress),
    address: ethereumAddressOf(nodeAddress),
    publicKey: toHex(publicKey),
    staticBits,
  };
  if (staticBits < c1) {
    return { ...known, reason: `static puzzle too weak: ${staticBits} leading zero bits < c1 = ${c1}` };
  }
  if (x !== undefined && c2 !== undefined) {
    if (!(x instanceof Uint8Array) || x.length !== PUZZLE_X_LENGTH) {
      return { ...known, reason: `x must be ${PUZZLE_X_LENGTH} bytes` };
    }
    const dynamicBits = dynamicPuzzleBits(nodeAddress, x);
    if (dynamicBits < c2) {
      return { ...known, dynamicBits, reason: `dynamic puzzle too weak: ${dynamicBits} leading zero bits < c2 = ${c2}` };
    }
    return { ...known, dynamicBits, valid: true, reason: 'ok' };
  }
  return { ...known, valid: true, reason: 'ok' };
}
