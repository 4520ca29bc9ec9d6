/**
 * Keystore (§2.1, DESIGN.md §3 identity/): a node's secp256k1 secret key kept on
 * disk as Web3 Secret Storage v3 JSON, the format geth, ethers and MetaMask read.
 *
 *   derivedKey = scrypt(password, salt, n, r, p, dklen = 32)        (or PBKDF2-HMAC-SHA256, read only)
 *   ciphertext = AES-128-CTR(key = derivedKey[0..16], iv, secretKey)  (32 bytes)
 *   mac        = keccak256(derivedKey[16..32] ‖ ciphertext)
 *
 * This module is the public face; the parts live beside it, one concept each:
 *   keystore-errors.ts  the five typed errors (KEYSTORE_WRONG_PASSWORD, _CORRUPT, _NOT_FOUND, _EXISTS, _IO)
 *   keystore-format.ts  the v3 JSON shape, DEFAULTS and cost limits, parseKeystore (untrusted-input validation)
 *   keystore-kdf.ts     password → derived key (scrypt via node:crypto or @noble/hashes; PBKDF2)
 *   keystore-cipher.ts  encryptKeystore / decryptKeystore (AES-128-CTR and the keccak MAC)
 *   keystore-file.ts    bounded reading and atomic 0600 writing of keystore files
 *
 * Nothing here logs, and no error message or `details` ever carries the password,
 * the derived key or the secret key: only the path and a reason.
 */
import { decryptKeystore, type DecryptedKeystore } from './keystore-cipher.ts';
import { readKeystoreFile } from './keystore-file.ts';
import type { KeystoreOptions } from './keystore-format.ts';

export {
  DEFAULTS,
  checkScryptCost,
  parseKeystore,
  type HyperspaceKeystoreMeta,
  type KeystoreOptions,
  type KeystoreV3,
  type Pbkdf2Params,
  type ScryptParams,
} from './keystore-format.ts';
export {
  CorruptKeystoreError,
  KeystoreExistsError,
  KeystoreIoError,
  KeystoreNotFoundError,
  WrongPasswordError,
} from './keystore-errors.ts';
export { decryptKeystore, encryptKeystore, type DecryptedKeystore, type EncryptOptions } from './keystore-cipher.ts';
export { readKeystoreFile, writeKeystoreFile, type WriteKeystoreOptions } from './keystore-file.ts';

/** Reads, validates and decrypts a keystore file. Never writes. */
export async function unlockKeystoreFile(
  path: string,
  password: string | Uint8Array,
  options: Partial<KeystoreOptions> = {},
): Promise<DecryptedKeystore> {
  const keystore = await readKeystoreFile(path, options);
  return decryptKeystore(keystore, password, { ...options, path });
}
