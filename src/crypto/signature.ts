/**
 * secp256k1 signatures over a 32-byte digest, Ethereum style (§2.1.2, DESIGN.md §1.1).
 *
 * One key signs wire envelopes, EIP-712 receipts and transactions, so the signature
 * format is the one a Solidity contract hands to `ecrecover`:
 *
 *   signature (65 bytes) = r (32, big-endian) ‖ s (32, big-endian) ‖ v (1)   with v ∈ {27, 28}
 *
 * Rules (checked when signing and when reading a signature):
 * - 0 < r < n and 0 < s ≤ n/2 ("low s", EIP-2): exactly one valid signature per (key, digest, k),
 *   so a signature cannot be mutated into a second valid one;
 * - v = 27 + recovery bit (parity of R.y); recovery ids 2 and 3 (R.x ≥ n, probability ≈ 2⁻¹²⁸)
 *   are not representable in Ethereum's v and are refused.
 *
 * The digest is signed as-is (`prehash: false`); callers hash with a domain tag first
 * (see `domains.ts`) or with EIP-712 (`wire/eip712.ts`). Signing is deterministic (RFC 6979).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { BaseError } from '../common/errors.ts';
import { bytesEqual, toHex } from '../common/bytes.ts';

export const DIGEST_LENGTH = 32;
export const SIGNATURE_LENGTH = 65;

/** secp256k1 group order n, and n/2 (the largest allowed s). */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_ORDER = CURVE_ORDER >> 1n;

export type SignatureErrorReason =
  | 'bad-length'
  | 'bad-digest'
  | 'bad-v'
  | 'r-out-of-range'
  | 's-out-of-range'
  | 'high-s'
  | 'unrecoverable';

/** A signature that is malformed or does not recover to a point: never a valid signature. */
export class SignatureError extends BaseError<{ reason: SignatureErrorReason; signature?: string }> {
  constructor(reason: SignatureErrorReason, signature?: Uint8Array, cause?: unknown) {
    super('CRYPTO_BAD_SIGNATURE', `bad signature: ${reason}`, {
      cause,
      details: signature === undefined ? { reason } : { reason, signature: toHex(signature) },
    });
  }
}

export function assertDigest(digest: Uint8Array): void {
  if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_LENGTH) throw new SignatureError('bad-digest');
}

function readBigEndian(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}

/** A signature that passed every format rule above: its recovery bit and compact r ‖ s (64 bytes). */
export interface ParsedSignature {
  readonly recovery: 0 | 1;
  readonly compact: Uint8Array;
}

/**
 * Parses and checks the 65-byte r ‖ s ‖ v form against the rules in this module's header (the one place they are
 * written; fast-verify.ts applies the same parse before its native backend). Throws SignatureError for anything
 * that is not canonical.
 */
export function parseSignature(signature: Uint8Array): ParsedSignature {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) {
    throw new SignatureError('bad-length', signature instanceof Uint8Array ? signature : undefined);
  }
  const v = signature[64]!;
  if (v !== 27 && v !== 28) throw new SignatureError('bad-v', signature);
  const r = readBigEndian(signature.subarray(0, 32));
  const s = readBigEndian(signature.subarray(32, 64));
  if (r === 0n || r >= CURVE_ORDER) throw new SignatureError('r-out-of-range', signature);
  if (s === 0n || s >= CURVE_ORDER) throw new SignatureError('s-out-of-range', signature);
  if (s > HALF_ORDER) throw new SignatureError('high-s', signature);
  return { recovery: v === 27 ? 0 : 1, compact: signature.subarray(0, 64) };
}

/** noble's "recovered" layout (recovery ‖ r ‖ s) of a checked signature. */
function toNobleRecovered(signature: Uint8Array): Uint8Array {
  const { recovery, compact } = parseSignature(signature);
  const out = new Uint8Array(SIGNATURE_LENGTH);
  out[0] = recovery;
  out.set(compact, 1);
  return out;
}

/** Signs a 32-byte digest: 65 bytes r ‖ s ‖ v, low s, v ∈ {27, 28}. Deterministic (RFC 6979). */
export function signDigest(digest: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertDigest(digest);
  const recovered = secp256k1.sign(digest, secretKey, { prehash: false, lowS: true, format: 'recovered' });
  const recovery = recovered[0]!;
  // Recovery ids 2/3 mean R.x ≥ n: astronomically rare, and ecrecover cannot express them.
  if (recovery > 1) throw new SignatureError('unrecoverable');
  const out = new Uint8Array(SIGNATURE_LENGTH);
  out.set(recovered.subarray(1, 65), 0);
  out[64] = 27 + recovery;
  return out;
}

/**
 * Recovers the signer's uncompressed public key (65 bytes, 0x04 ‖ X ‖ Y), as `ecrecover`
 * does. Throws SignatureError for a malformed signature or one that recovers to no point.
 * A well-formed signature over another digest recovers to some other key: compare keys.
 */
export function recoverPublicKey(digest: Uint8Array, signature: Uint8Array): Uint8Array {
  assertDigest(digest);
  const recovered = toNobleRecovered(signature);
  try {
    const point = secp256k1.Signature.fromBytes(recovered, 'recovered').recoverPublicKey(digest);
    return point.toBytes(false);
  } catch (cause) {
    throw new SignatureError('unrecoverable', signature, cause);
  }
}

/**
 * True when `signature` is a canonical signature of `digest` by `publicKey` (uncompressed).
 * Malformed signatures throw SignatureError (callers at a trust boundary want the reason);
 * a well-formed signature by another key returns false. `recover` is the backend (fast-verify.ts passes its own).
 */
export function verifyDigest(
  digest: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
  recover: (digest: Uint8Array, signature: Uint8Array) => Uint8Array = recoverPublicKey,
): boolean {
  let recovered: Uint8Array;
  try {
    recovered = recover(digest, signature);
  } catch (error) {
    if (error instanceof SignatureError && error.details.reason === 'unrecoverable') return false;
    throw error;
  }
  return bytesEqual(recovered, publicKey);
}
