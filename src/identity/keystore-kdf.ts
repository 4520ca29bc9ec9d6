/**
 * Keystore key derivation (§2.1, Web3 Secret Storage v3): the password becomes a 32-byte derived
 * key through scrypt (what we write) or PBKDF2-HMAC-SHA256 (read only):
 *
 *   derivedKey = scrypt(password, salt, n, r, p, dklen = 32)   or   PBKDF2-HMAC-SHA256(password, salt, c, 32)
 *
 * derivedKey[0..16] is the AES-128 key, derivedKey[16..32] the MAC key (keystore-cipher.ts). The
 * password is UTF-8 encoded without normalisation, as geth and MetaMask do (ethers applies NFKC
 * first, which only matters for non-ASCII passwords that have several Unicode spellings).
 * Parameters are not checked here: callers pass a keystore `parseKeystore` validated, or cost
 * parameters `checkScryptCost` accepted.
 */
import { pbkdf2 as pbkdf2Callback, scrypt as scryptCallback } from 'node:crypto';
import { scryptAsync as nobleScryptAsync } from '@noble/hashes/scrypt.js';
import { DKLEN, fromHexBody, type KeystoreV3, type Pbkdf2Params, type ScryptParams } from './keystore-format.ts';

/** The password's bytes: UTF-8 without Unicode normalisation; bytes are used as given. */
export function passwordBytes(password: string | Uint8Array): Uint8Array {
  return typeof password === 'string' ? new TextEncoder().encode(password) : password;
}

/**
 * scrypt through node:crypto (native, off the main thread) when OpenSSL accepts
 * the parameters; OpenSSL enforces RFC 7914's N < 2^(16·r), which the spec's own
 * test vector (n = 2^18, r = 1) breaks, so those fall back to @noble/hashes.
 */
export async function scryptKey(password: Uint8Array, salt: Uint8Array, n: number, r: number, p: number): Promise<Uint8Array> {
  const maxmem = 128 * r * (n + p + 2) + 1024 * 1024; // OpenSSL's own accounting plus slack
  if (16 * r >= 53 || n < 2 ** (16 * r)) {
    return new Promise((resolveKey, reject) => {
      scryptCallback(password, salt, DKLEN, { N: n, r, p, maxmem }, (error, key) =>
        error ? reject(error) : resolveKey(new Uint8Array(key)),
      );
    });
  }
  return nobleScryptAsync(password, salt, { N: n, r, p, dkLen: DKLEN, maxmem });
}

/** The DKLEN-byte derived key of a validated keystore, by its own KDF and parameters. */
export async function deriveKey(keystore: KeystoreV3, password: Uint8Array): Promise<Uint8Array> {
  const params = keystore.crypto.kdfparams;
  const salt = fromHexBody(params.salt);
  if (keystore.crypto.kdf === 'scrypt') {
    const { n, r, p } = params as ScryptParams;
    return scryptKey(password, salt, n, r, p);
  }
  const { c } = params as Pbkdf2Params;
  return new Promise((resolveKey, reject) => {
    pbkdf2Callback(password, salt, c, DKLEN, 'sha256', (error, key) => (error ? reject(error) : resolveKey(new Uint8Array(key))));
  });
}
