/**
 * NodeAddress (§2.1, DESIGN.md §1.1): keccak256 of the uncompressed secp256k1
 * public key without its 0x04 prefix. Its last 20 bytes are the node's
 * Ethereum address, so one key signs wire messages, EIP-712 receipts a
 * contract can `ecrecover`, and staking transactions.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak256 } from '../crypto/keccak.ts';
import { BaseError } from '../common/errors.ts';
import { toHex, type Hex } from '../common/bytes.ts';

/** Uncompressed SEC1 public key length: 0x04 ‖ X (32) ‖ Y (32). */
export const PUBLIC_KEY_LENGTH = 65;
export const NODE_ADDRESS_LENGTH = 32;

export class InvalidPublicKeyError extends BaseError<{ publicKey: string; reason: string }> {
  constructor(publicKey: Uint8Array, reason: string) {
    super('IDENTITY_INVALID_PUBLIC_KEY', `invalid public key: ${reason}`, {
      details: { publicKey: toHex(publicKey), reason },
    });
  }
}

/**
 * Checks that `publicKey` is a 65-byte uncompressed point on secp256k1 (not the
 * identity). Throws InvalidPublicKeyError otherwise: it is untrusted input.
 */
export function assertUncompressedPublicKey(publicKey: Uint8Array): void {
  if (publicKey.length !== PUBLIC_KEY_LENGTH || publicKey[0] !== 0x04) {
    throw new InvalidPublicKeyError(publicKey, 'expected 65 bytes starting with 0x04');
  }
  try {
    secp256k1.Point.fromBytes(publicKey).assertValidity();
  } catch (cause) {
    throw new InvalidPublicKeyError(publicKey, 'not a point on secp256k1');
  }
}

/** NodeAddress = keccak256(X ‖ Y), 32 bytes. Does not validate the point. */
export function nodeAddressOf(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey.subarray(1));
}

/** Ethereum address: the last 20 bytes of the NodeAddress, EIP-55 checksummed. */
export function ethereumAddressOf(nodeAddress: Uint8Array): Hex {
  return checksumAddress(nodeAddress.subarray(12));
}

/** Uncompressed public key of a 32-byte secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(secretKey, false);
}

/** EIP-55 mixed-case checksum of a 20-byte address. */
export function checksumAddress(address20: Uint8Array): Hex {
  const lower = Buffer.from(address20).toString('hex');
  const hash = keccak256(new TextEncoder().encode(lower));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? lower[i]!.toUpperCase() : lower[i];
  }
  return out as Hex;
}
