/**
 * Encrypting a DKG share to its recipient's node key (whitepaper §2.2.1; docs/threshold.md §3.2): deals are
 * broadcast (every member, and the community server relaying them, sees every deal), so each share travels
 * sealed to the one member who may read it.
 *
 *   e ← random secp256k1 key;  E = e·G (33 bytes compressed)
 *   k = HKDF-SHA256(ikm = x(e·P_recipient), salt = session id, info = "hyperspace/v1/dkg/share" ‖ E ‖ dealer ‖ recipient)
 *   box = E ‖ ChaCha20-Poly1305_k(nonce = 0¹², plaintext = share (32), aad = session ‖ dealer ‖ recipient)
 *
 * ECDH runs in OpenSSL (node:crypto), ~4× noble's constant-time multiplication here: a member seals n boxes and
 * opens n − 1 per DKG. The key is fresh per box (a new e each time), so the all-zero nonce never repeats under one key. Binding the
 * session, dealer and recipient into the key and the associated data stops a box being replayed into another
 * session or to another slot; binding E stops its sign byte being flipped (x(e·P) is the same for ±E).
 */
import { createCipheriv, createDecipheriv, createECDH } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Random } from '../../common/clock.ts';
import { concatBytes } from '../../common/bytes.ts';

export const SHARE_BOX_BYTES = 33 + 32 + 16;
const INFO = new TextEncoder().encode('hyperspace/v1/dkg/share');
const NONCE = new Uint8Array(12);

function context(session: Uint8Array, dealer: number, recipient: number): Uint8Array {
  return concatBytes(session, Uint8Array.of(dealer >> 8, dealer & 0xff, recipient >> 8, recipient & 0xff));
}

function boxKey(sharedX: Uint8Array, ephemeral: Uint8Array, session: Uint8Array, ctx: Uint8Array): Uint8Array {
  return hkdf(sha256, sharedX, session, concatBytes(INFO, ephemeral, ctx), 32);
}

/** Seals a 32-byte share to `recipientPublicKey` (secp256k1, 33 or 65 bytes). */
export function sealShare(share: Uint8Array, recipientPublicKey: Uint8Array, session: Uint8Array, dealer: number, recipient: number, random: Random): Uint8Array {
  let ephemeral: Uint8Array;
  do ephemeral = random.bytes(32);
  while (!secp256k1.utils.isValidSecretKey(ephemeral));
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(ephemeral);
  const ephemeralPublic = new Uint8Array(ecdh.getPublicKey(null, 'compressed'));
  const shared = new Uint8Array(ecdh.computeSecret(recipientPublicKey));
  const ctx = context(session, dealer, recipient);
  const cipher = createCipheriv('chacha20-poly1305', boxKey(shared, ephemeralPublic, session, ctx), NONCE, { authTagLength: 16 });
  cipher.setAAD(ctx, { plaintextLength: share.length });
  const body = concatBytes(new Uint8Array(cipher.update(share)), new Uint8Array(cipher.final()));
  return concatBytes(ephemeralPublic, body, new Uint8Array(cipher.getAuthTag()));
}

/** Opens a box sealed to `secretKey`; undefined when it does not open (wrong key, tampered, wrong slot). */
export function openShare(box: Uint8Array, secretKey: Uint8Array, session: Uint8Array, dealer: number, recipient: number): Uint8Array | undefined {
  if (box.length !== SHARE_BOX_BYTES) return undefined;
  try {
    const ecdh = createECDH('secp256k1');
    ecdh.setPrivateKey(secretKey);
    const shared = new Uint8Array(ecdh.computeSecret(box.subarray(0, 33)));
    const ctx = context(session, dealer, recipient);
    const decipher = createDecipheriv('chacha20-poly1305', boxKey(shared, box.subarray(0, 33), session, ctx), NONCE, { authTagLength: 16 });
    decipher.setAAD(ctx, { plaintextLength: 32 });
    decipher.setAuthTag(box.subarray(65, 81));
    return concatBytes(new Uint8Array(decipher.update(box.subarray(33, 65))), new Uint8Array(decipher.final()));
  } catch {
    return undefined;
  }
}
