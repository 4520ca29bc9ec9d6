/**
 * Keystore encryption (§2.1, Web3 Secret Storage v3): a 32-byte secp256k1 secret key sealed
 * under a password-derived key (keystore-kdf.ts):
 *
 *   ciphertext = AES-128-CTR(key = derivedKey[0..16], iv, secretKey)  (32 bytes)
 *   mac        = keccak256(derivedKey[16..32] ‖ ciphertext)
 *
 * Nothing here logs, and no error message or `details` ever carries the password, the derived
 * key or the secret key: only the path and a reason. Derived keys are zeroed after use, and the
 * secret key too when it is rejected.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { InvalidArgumentError } from '../common/errors.ts';
import { constantTimeEqual, concatBytes } from '../common/bytes.ts';
import { systemRandom, type Random } from '../common/clock.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { ethereumAddressOf, nodeAddressOf, publicKeyOf } from './node-address.ts';
import { CorruptKeystoreError, WrongPasswordError } from './keystore-errors.ts';
import {
  DEFAULTS,
  DKLEN,
  IV_BYTES,
  checkScryptCost,
  fromHexBody,
  parseKeystore,
  type HyperspaceKeystoreMeta,
  type KeystoreOptions,
  type KeystoreV3,
} from './keystore-format.ts';
import { deriveKey, passwordBytes, scryptKey } from './keystore-kdf.ts';

export interface DecryptedKeystore {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  nodeAddress: Uint8Array;
  /** EIP-55 checksummed. */
  address: `0x${string}`;
  meta: HyperspaceKeystoreMeta;
}

export interface EncryptOptions extends Partial<KeystoreOptions> {
  /** Source of salt, IV and UUID bytes; a SeededRandom makes golden vectors reproducible. */
  random?: Random;
  meta?: HyperspaceKeystoreMeta;
}

function aes128ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const cipher = encrypt ? createCipheriv('aes-128-ctr', key, iv) : createDecipheriv('aes-128-ctr', key, iv);
  return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
}

/** Encrypts a 32-byte secp256k1 secret key into a v3 keystore (scrypt, aes-128-ctr). */
export async function encryptKeystore(
  secretKey: Uint8Array,
  password: string | Uint8Array,
  options: EncryptOptions = {},
): Promise<KeystoreV3> {
  const o = { ...DEFAULTS, ...options };
  if (!(secretKey instanceof Uint8Array) || !secp256k1.utils.isValidSecretKey(secretKey)) {
    throw new InvalidArgumentError('secretKey', 'not a valid secp256k1 secret key');
  }
  checkScryptCost(o.scryptN, o.scryptR, o.scryptP, o);
  const random = options.random ?? systemRandom;
  const salt = random.bytes(32);
  const iv = random.bytes(IV_BYTES);
  const uuid = random.bytes(16);
  uuid[6] = (uuid[6]! & 0x0f) | 0x40; // version 4
  uuid[8] = (uuid[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const u = Buffer.from(uuid).toString('hex');
  const id = `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`;

  const derived = await scryptKey(passwordBytes(password), salt, o.scryptN, o.scryptR, o.scryptP);
  const ciphertext = aes128ctr(derived.subarray(0, 16), iv, secretKey, true);
  const mac = keccak256(concatBytes(derived.subarray(16, 32), ciphertext));
  derived.fill(0);
  const address = ethereumAddressOf(nodeAddressOf(publicKeyOf(secretKey))).slice(2).toLowerCase();
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const keystore: KeystoreV3 = {
    version: 3,
    id,
    address,
    crypto: {
      cipher: 'aes-128-ctr',
      cipherparams: { iv: hex(iv) },
      ciphertext: hex(ciphertext),
      kdf: 'scrypt',
      kdfparams: { dklen: DKLEN, n: o.scryptN, r: o.scryptR, p: o.scryptP, salt: hex(salt) },
      mac: hex(mac),
    },
  };
  if (options.meta) keystore['x-hyperspace'] = { ...options.meta };
  return keystore;
}

/**
 * Decrypts a keystore (validated first). Throws WrongPasswordError when the MAC
 * does not match, CorruptKeystoreError when the JSON is malformed or unsupported,
 * or when the decrypted key is not a valid secp256k1 key or does not match the
 * `address` field.
 */
export async function decryptKeystore(
  input: unknown,
  password: string | Uint8Array,
  options: Partial<KeystoreOptions> & { path?: string } = {},
): Promise<DecryptedKeystore> {
  const path = options.path;
  let keystore: KeystoreV3;
  try {
    keystore = parseKeystore(input, options);
  } catch (error) {
    if (error instanceof CorruptKeystoreError && path !== undefined) {
      throw new CorruptKeystoreError(error.details.reason, path, error.cause);
    }
    throw error;
  }
  const derived = await deriveKey(keystore, passwordBytes(password));
  const ciphertext = fromHexBody(keystore.crypto.ciphertext);
  const mac = keccak256(concatBytes(derived.subarray(16, 32), ciphertext));
  if (!constantTimeEqual(mac, fromHexBody(keystore.crypto.mac))) {
    derived.fill(0);
    throw new WrongPasswordError(path);
  }
  const secretKey = aes128ctr(derived.subarray(0, 16), fromHexBody(keystore.crypto.cipherparams.iv), ciphertext, false);
  derived.fill(0);
  if (!secp256k1.utils.isValidSecretKey(secretKey)) {
    secretKey.fill(0);
    throw new CorruptKeystoreError('decrypted key is not a valid secp256k1 secret key', path);
  }
  const publicKey = publicKeyOf(secretKey);
  const nodeAddress = nodeAddressOf(publicKey);
  const address = ethereumAddressOf(nodeAddress);
  if (keystore.address !== undefined && keystore.address !== address.slice(2).toLowerCase()) {
    secretKey.fill(0);
    throw new CorruptKeystoreError('address field does not match the decrypted key', path);
  }
  return { secretKey, publicKey, nodeAddress, address, meta: keystore['x-hyperspace'] ?? {} };
}
