/**
 * The secp256k1 hot path of serving (§2.1.2 strong signatures, §2.2 receipts; issue 13's last paragraph;
 * docs/decisions/0004-native-secp256k1-hot-path.md).
 *
 * A query crosses four or more signatures (the client's envelope and EIP-712 Query, k receipts), so recovery cost
 * is the protocol's cost. Two backends give bit-identical answers:
 * - `native`: libsecp256k1 through the `secp256k1` package's N-API binding (prebuilt for linux-x64 inside the npm
 *   package; 20–25× faster than noble here, bench/signatures.ts);
 * - `noble`: `@noble/curves`, pure JavaScript, the reference (signature.ts), used wherever the binding does not load.
 *
 * Both run after the SAME parse (signature.ts `parseSignature`: 65 bytes r ‖ s ‖ v, 0 < r < n, 0 < s ≤ n/2,
 * v ∈ {27, 28}), so a high-s or malformed signature is refused identically before any curve code runs; only a
 * well-formed signature reaches a backend, which then either recovers a key or finds none (`unrecoverable`).
 * Tests (fast-verify.test.ts) compare the backends on random, edge-case and invalid signatures.
 *
 * "Verify each signature once": `verifySignature` returns a `VerifiedSignature`, an object only this module can
 * make (a private brand checked at run time by `isVerifiedSignature`). Code past the trust boundary takes
 * `VerifiedSignature` (or a message-level wrapper holding one, wire/verified-messages.ts) instead of the raw
 * signature, so the type says the work is done and nothing downstream recovers the key again.
 */
import { createRequire } from 'node:module';
import { InvalidArgumentError } from '../common/errors.ts';
import {
  assertDigest,
  parseSignature,
  recoverPublicKey as nobleRecover,
  signDigest as nobleSign,
  verifyDigest,
  SignatureError,
  SIGNATURE_LENGTH,
} from './signature.ts';
import { bigIntToBytes, bytesToBigInt, fromHex } from '../common/bytes.ts';

export type Secp256k1BackendName = 'native' | 'noble';

/** One implementation of the three operations, with signature.ts's rules and errors. */
export interface Secp256k1Backend {
  readonly name: Secp256k1BackendName;
  /** Uncompressed key (65 bytes) that signed `digest`; SignatureError when malformed or unrecoverable. */
  recoverPublicKey(digest: Uint8Array, signature: Uint8Array): Uint8Array;
  /** 65-byte r ‖ s ‖ v, low s, RFC 6979: the same bytes from both backends. */
  signDigest(digest: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

/** The part of the `secp256k1` package's API used here (it ships no types). */
interface NativeBinding {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
  privateKeyVerify(seckey: Uint8Array): boolean;
}

export const nobleBackend: Secp256k1Backend = Object.freeze({
  name: 'noble' as const,
  recoverPublicKey: nobleRecover,
  signDigest: nobleSign,
});

function assertSecretKey(secretKey: Uint8Array, binding: NativeBinding): void {
  // noble refuses the same keys (0, ≥ n, not 32 bytes); the native binding would throw an untyped Error.
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32 || !binding.privateKeyVerify(secretKey)) {
    throw new InvalidArgumentError('secretKey', 'must be 32 bytes encoding an integer in [1, n)');
  }
}

/** secp256k1 group order n, big-endian. */
const ORDER_BYTES = fromHex('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 32);

/** `digest mod n` as 32 bytes (a 256-bit value is < 2n, so one subtraction). */
function reduceModN(digest: Uint8Array): Uint8Array {
  if (compareBytes(digest, ORDER_BYTES) < 0) return digest;
  return bigIntToBytes(bytesToBigInt(digest) - bytesToBigInt(ORDER_BYTES), 32);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function makeNativeBackend(binding: NativeBinding): Secp256k1Backend {
  return Object.freeze({
    name: 'native' as const,
    recoverPublicKey(digest: Uint8Array, signature: Uint8Array): Uint8Array {
      assertDigest(digest);
      const { recovery, compact } = parseSignature(signature);
      try {
        return binding.ecdsaRecover(compact, recovery, digest, false);
      } catch (cause) {
        // libsecp256k1 finds no point: r is not an x-coordinate, or the key would be the point at infinity.
        throw new SignatureError('unrecoverable', signature, cause);
      }
    },
    signDigest(digest: Uint8Array, secretKey: Uint8Array): Uint8Array {
      assertDigest(digest);
      assertSecretKey(secretKey, binding);
      // libsecp256k1's default nonce is RFC 6979 (HMAC-SHA256) and it always normalises to low s, as noble does. It
      // feeds the digest to the nonce HMAC unreduced where RFC 6979 (and noble) feed `digest mod n`: reduce first so a
      // digest ≥ n (probability ≈ 2⁻¹²⁸ for a hash, but a caller may pass any 32 bytes) signs to the same bytes.
      const { signature, recid } = binding.ecdsaSign(reduceModN(digest), secretKey);
      if (recid > 1) throw new SignatureError('unrecoverable'); // R.x ≥ n: not expressible in v (signature.ts)
      const out = new Uint8Array(SIGNATURE_LENGTH);
      out.set(signature, 0);
      out[64] = 27 + recid;
      return out;
    },
  });
}

/** Loads the N-API binding itself (not the package's index, which silently falls back to the slow `elliptic`). */
function loadNative(): Secp256k1Backend | null {
  try {
    const binding = createRequire(import.meta.url)('secp256k1/bindings.js') as NativeBinding;
    return makeNativeBackend(binding);
  } catch {
    return null;
  }
}

/** The native backend, or null where the binding does not load (another platform, a missing prebuild). */
export const nativeBackend: Secp256k1Backend | null = loadNative();

/** What the hot path uses: native when it loads, noble otherwise. */
export const fastBackend: Secp256k1Backend = nativeBackend ?? nobleBackend;

export function recoverPublicKeyFast(digest: Uint8Array, signature: Uint8Array): Uint8Array {
  return fastBackend.recoverPublicKey(digest, signature);
}

export function signDigestFast(digest: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return fastBackend.signDigest(digest, secretKey);
}

/** signature.ts `verifyDigest` on the fast backend: malformed throws SignatureError, another key is false. */
export function verifyDigestFast(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  return verifyDigest(digest, signature, publicKey, recoverPublicKeyFast);
}

/** Held only by this module: the constructor of VerifiedSignature refuses any other value. */
const MINT: unique symbol = Symbol('VerifiedSignature.mint');

/**
 * A signature whose signer has been recovered, once. Only `verifySignature` makes one (the constructor wants a
 * module-private token, and the `#brand` field that `isVerifiedSignature` checks cannot be faked by an object
 * literal), so a function that takes a `VerifiedSignature` knows the recovery happened and reads `publicKey`
 * instead of doing it again.
 */
export class VerifiedSignature {
  readonly #brand = true;
  /** The 32-byte digest that was signed. */
  readonly digest: Uint8Array;
  /** The 65-byte signature as received. */
  readonly signature: Uint8Array;
  /** The signer's uncompressed key, 65 bytes (0x04 ‖ X ‖ Y). */
  readonly publicKey: Uint8Array;

  constructor(mint: typeof MINT, digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) {
    if (mint !== MINT) throw new InvalidArgumentError('mint', 'a VerifiedSignature is made by verifySignature only');
    this.digest = digest.slice();
    this.signature = signature.slice();
    this.publicKey = publicKey;
    Object.freeze(this);
  }

  static isBranded(value: unknown): value is VerifiedSignature {
    return typeof value === 'object' && value !== null && #brand in value;
  }
}

/**
 * Recovers the signer once on the fast backend and carries it; SignatureError when malformed or unrecoverable. (No
 * backend parameter: a caller-supplied backend could mint a VerifiedSignature for any key.)
 */
export function verifySignature(digest: Uint8Array, signature: Uint8Array): VerifiedSignature {
  const publicKey = fastBackend.recoverPublicKey(digest, signature);
  return new VerifiedSignature(MINT, digest, signature, publicKey);
}

export function isVerifiedSignature(value: unknown): value is VerifiedSignature {
  return VerifiedSignature.isBranded(value);
}
