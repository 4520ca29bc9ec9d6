/**
 * Keystore (§2.1, DESIGN.md §3 identity/): a node's secp256k1 secret key kept on
 * disk as Web3 Secret Storage v3 JSON, the format geth, ethers and MetaMask read.
 *
 *   derivedKey = scrypt(password, salt, n, r, p, dklen = 32)        (or PBKDF2-HMAC-SHA256, read only)
 *   ciphertext = AES-128-CTR(key = derivedKey[0..16], iv, secretKey)  (32 bytes)
 *   mac        = keccak256(derivedKey[16..32] ‖ ciphertext)
 *
 * A keystore file is untrusted input: `parseKeystore` checks every field's type
 * and length and bounds the KDF cost (memory and work), so a hostile file cannot
 * make us allocate gigabytes or spin for hours. The password is UTF-8 encoded
 * without normalisation, as geth and MetaMask do (ethers applies NFKC first, which
 * only matters for non-ASCII passwords that have several Unicode spellings).
 *
 * Nothing here logs, and no error message or `details` ever carries the password,
 * the derived key or the secret key: only the path and a reason.
 */
import { createCipheriv, createDecipheriv, pbkdf2 as pbkdf2Callback, scrypt as scryptCallback, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, link, rename, unlink, lstat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { scryptAsync as nobleScryptAsync } from '@noble/hashes/scrypt.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { BaseError, InvalidArgumentError } from '../common/errors.ts';
import { constantTimeEqual, concatBytes } from '../common/bytes.ts';
import { systemRandom, type Random } from '../common/clock.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { ethereumAddressOf, nodeAddressOf, publicKeyOf } from './node-address.ts';

export interface KeystoreOptions {
  /** scrypt cost parameter N for new keystores (power of two). */
  scryptN: number;
  /** scrypt block size r for new keystores. */
  scryptR: number;
  /** scrypt parallelisation p for new keystores. */
  scryptP: number;
  /** Largest keystore file `readKeystoreFile` accepts, bytes. */
  maxFileBytes: number;
  /** Upper bound on scrypt memory, 128·r·(n + p) bytes, accepted when reading. */
  maxScryptMemoryBytes: number;
  /** Upper bound on scrypt work n·r·p (BlockMix calls ∝ time) accepted when reading. */
  maxScryptWork: number;
  /** Upper bound on PBKDF2 iterations accepted when reading. */
  maxPbkdf2Iterations: number;
}

export const DEFAULTS: KeystoreOptions = {
  // geth's "standard" scrypt N (keystore.StandardScryptN = 1 << 18): 256 MiB and
  // about 1.2 s on this machine (measured), the cost an offline guesser pays per guess.
  scryptN: 262_144,
  // geth/ethers r = 8: 1 KiB blocks, the value every Ethereum tool writes.
  scryptR: 8,
  // geth/ethers p = 1: we parallelise nothing, the cost goes into N.
  scryptP: 1,
  // 64 KiB: a v3 keystore is ~0.5 KiB; ethers adds an `x-ethers` block of a few hundred bytes.
  maxFileBytes: 64 * 1024,
  // 512 MiB for scrypt's V array (2 × geth standard's 256 MiB, i.e. n = 2^19 at r = 8) plus 1 MiB
  // for the p blocks: room for a stronger-than-default file, far below exhausting the machine.
  maxScryptMemoryBytes: 512 * 1024 * 1024 + 1024 * 1024,
  // 2^23 = 4 × geth standard (n·r·p = 2^21): at most ~5 s of scrypt on this machine.
  maxScryptWork: 2 ** 23,
  // 2^24 PBKDF2-SHA256 iterations = 64 × the spec's test vector (262,144, ~40 ms here):
  // at most ~3 s here.
  maxPbkdf2Iterations: 2 ** 24,
};

/** The `x-hyperspace` block we add (tools ignore unknown top-level keys). Not authenticated: informative only. */
export interface HyperspaceKeystoreMeta {
  /** The static-puzzle difficulty c1 the key was ground for. */
  c1?: number;
}

export interface ScryptParams {
  dklen: number;
  n: number;
  r: number;
  p: number;
  salt: string;
}

export interface Pbkdf2Params {
  dklen: number;
  c: number;
  prf: 'hmac-sha256';
  salt: string;
}

/** A parsed, validated Web3 Secret Storage v3 keystore (hex fields without 0x). */
export interface KeystoreV3 {
  version: 3;
  id: string;
  /** 40 lower-case hex digits, no 0x; optional in the spec (its test vectors omit it). */
  address?: string;
  crypto: {
    cipher: 'aes-128-ctr';
    cipherparams: { iv: string };
    ciphertext: string;
    kdf: 'scrypt' | 'pbkdf2';
    kdfparams: ScryptParams | Pbkdf2Params;
    mac: string;
  };
  'x-hyperspace'?: HyperspaceKeystoreMeta;
}

export interface DecryptedKeystore {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  nodeAddress: Uint8Array;
  /** EIP-55 checksummed. */
  address: `0x${string}`;
  meta: HyperspaceKeystoreMeta;
}

// ---------------------------------------------------------------------------------------------
// Errors. Details carry a path and a reason, never key material.

/** The MAC did not match: the password is wrong (or the ciphertext/MAC was altered). */
export class WrongPasswordError extends BaseError<{ path?: string }> {
  constructor(path?: string) {
    super('KEYSTORE_WRONG_PASSWORD', `wrong password for keystore${path ? ` ${path}` : ''}`, {
      details: path === undefined ? {} : { path },
    });
  }
}

/** The file is not a keystore we can read: malformed, unsupported, over a limit, or inconsistent. */
export class CorruptKeystoreError extends BaseError<{ path?: string; reason: string }> {
  constructor(reason: string, path?: string, cause?: unknown) {
    super('KEYSTORE_CORRUPT', `corrupt or unsupported keystore${path ? ` ${path}` : ''}: ${reason}`, {
      cause,
      details: path === undefined ? { reason } : { path, reason },
    });
  }
}

export class KeystoreNotFoundError extends BaseError<{ path: string }> {
  constructor(path: string) {
    super('KEYSTORE_NOT_FOUND', `keystore not found: ${path}`, { details: { path } });
  }
}

export class KeystoreExistsError extends BaseError<{ path: string }> {
  constructor(path: string) {
    super('KEYSTORE_EXISTS', `keystore already exists: ${path}`, { details: { path } });
  }
}

/** A filesystem failure other than "not found" / "exists" (permissions, missing directory, …). */
export class KeystoreIoError extends BaseError<{ path: string; reason: string }> {
  constructor(path: string, reason: string, cause?: unknown) {
    super('KEYSTORE_IO', `cannot access keystore ${path}: ${reason}`, { cause, details: { path, reason } });
  }
}

// ---------------------------------------------------------------------------------------------
// Validation of untrusted JSON.

const HEX_RE = /^(0x)?[0-9a-fA-F]*$/;
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const IV_BYTES = 16; // AES block
const SECRET_BYTES = 32; // secp256k1 secret key
const MAC_BYTES = 32; // keccak256
const DKLEN = 32; // 16 bytes AES key + 16 bytes MAC key; every tool writes 32
const MAX_SALT_BYTES = 128; // tools write 32

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Hex field of `min..max` bytes, returned lower-case without 0x. */
function hexField(value: unknown, name: string, min: number, max = min): string {
  if (typeof value !== 'string' || !HEX_RE.test(value)) throw new CorruptKeystoreError(`${name} is not a hex string`);
  const body = (value.startsWith('0x') ? value.slice(2) : value).toLowerCase();
  if (body.length % 2 !== 0) throw new CorruptKeystoreError(`${name} has an odd number of hex digits`);
  const bytes = body.length / 2;
  if (bytes < min || bytes > max) {
    throw new CorruptKeystoreError(`${name} must be ${min === max ? min : `${min}..${max}`} bytes, got ${bytes}`);
  }
  return body;
}

function intField(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CorruptKeystoreError(`${name} must be an integer in ${min}..${max}`);
  }
  return value;
}

/** Checks scrypt parameters against the cost limits; shared by reading and writing. */
export function checkScryptCost(n: number, r: number, p: number, options: Partial<KeystoreOptions> = {}): void {
  const o = { ...DEFAULTS, ...options };
  if (!Number.isSafeInteger(n) || n < 2 || (n & (n - 1)) !== 0 || n > 2 ** 30) {
    throw new CorruptKeystoreError('kdfparams.n must be a power of two ≥ 2');
  }
  if (!Number.isSafeInteger(r) || r < 1) throw new CorruptKeystoreError('kdfparams.r must be a positive integer');
  if (!Number.isSafeInteger(p) || p < 1) throw new CorruptKeystoreError('kdfparams.p must be a positive integer');
  const memory = 128 * r * (n + p);
  if (memory > o.maxScryptMemoryBytes) {
    throw new CorruptKeystoreError(
      `scrypt would need ${memory} bytes of memory (128·r·(n+p)), over the limit of ${o.maxScryptMemoryBytes}`,
    );
  }
  if (n * r * p > o.maxScryptWork) {
    throw new CorruptKeystoreError(`scrypt work n·r·p = ${n * r * p} is over the limit of ${o.maxScryptWork}`);
  }
}

/**
 * Validates untrusted keystore JSON (a parsed value or its text) and returns a
 * normalised copy. Unknown top-level keys are tolerated (ethers writes `x-ethers`);
 * geth's legacy capitalised `Crypto` key is accepted.
 */
export function parseKeystore(input: unknown, options: Partial<KeystoreOptions> = {}): KeystoreV3 {
  const o = { ...DEFAULTS, ...options };
  let value = input;
  if (typeof input === 'string') {
    if (input.length > o.maxFileBytes) throw new CorruptKeystoreError(`larger than ${o.maxFileBytes} bytes`);
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new CorruptKeystoreError('not valid JSON', undefined, cause);
    }
  }
  if (!isObject(value)) throw new CorruptKeystoreError('not a JSON object');
  if (value.version !== 3) throw new CorruptKeystoreError('version must be the number 3');
  if (typeof value.id !== 'string' || !UUID_RE.test(value.id)) throw new CorruptKeystoreError('id must be a UUID');
  let address: string | undefined;
  if (value.address !== undefined) address = hexField(value.address, 'address', 20);
  const crypto = value.crypto ?? value.Crypto;
  if (!isObject(crypto)) throw new CorruptKeystoreError('crypto must be an object');
  if (crypto.cipher !== 'aes-128-ctr') throw new CorruptKeystoreError('cipher must be aes-128-ctr');
  if (!isObject(crypto.cipherparams)) throw new CorruptKeystoreError('cipherparams must be an object');
  const iv = hexField(crypto.cipherparams.iv, 'cipherparams.iv', IV_BYTES);
  const ciphertext = hexField(crypto.ciphertext, 'ciphertext', SECRET_BYTES);
  const mac = hexField(crypto.mac, 'mac', MAC_BYTES);
  const kp = crypto.kdfparams;
  if (!isObject(kp)) throw new CorruptKeystoreError('kdfparams must be an object');
  if (kp.dklen !== DKLEN) throw new CorruptKeystoreError(`kdfparams.dklen must be ${DKLEN}`);
  const salt = hexField(kp.salt, 'kdfparams.salt', 1, MAX_SALT_BYTES);
  let kdf: 'scrypt' | 'pbkdf2';
  let kdfparams: ScryptParams | Pbkdf2Params;
  if (crypto.kdf === 'scrypt') {
    kdf = 'scrypt';
    if (typeof kp.n !== 'number' || typeof kp.r !== 'number' || typeof kp.p !== 'number') {
      throw new CorruptKeystoreError('kdfparams n, r and p must be numbers');
    }
    checkScryptCost(kp.n, kp.r, kp.p, o);
    kdfparams = { dklen: DKLEN, n: kp.n, r: kp.r, p: kp.p, salt };
  } else if (crypto.kdf === 'pbkdf2') {
    kdf = 'pbkdf2';
    if (kp.prf !== 'hmac-sha256') throw new CorruptKeystoreError('kdfparams.prf must be hmac-sha256');
    const c = intField(kp.c, 'kdfparams.c', 1, o.maxPbkdf2Iterations);
    kdfparams = { dklen: DKLEN, c, prf: 'hmac-sha256', salt };
  } else {
    throw new CorruptKeystoreError('kdf must be scrypt or pbkdf2');
  }
  const out: KeystoreV3 = {
    version: 3,
    id: value.id.toLowerCase(),
    ...(address === undefined ? {} : { address }),
    crypto: { cipher: 'aes-128-ctr', cipherparams: { iv }, ciphertext, kdf, kdfparams, mac },
  };
  const meta = value['x-hyperspace'];
  if (meta !== undefined) {
    if (!isObject(meta)) throw new CorruptKeystoreError('x-hyperspace must be an object');
    out['x-hyperspace'] = meta.c1 === undefined ? {} : { c1: intField(meta.c1, 'x-hyperspace.c1', 0, 256) };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Key derivation.

const fromHexBody = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

function passwordBytes(password: string | Uint8Array): Uint8Array {
  return typeof password === 'string' ? new TextEncoder().encode(password) : password;
}

/**
 * scrypt through node:crypto (native, off the main thread) when OpenSSL accepts
 * the parameters; OpenSSL enforces RFC 7914's N < 2^(16·r), which the spec's own
 * test vector (n = 2^18, r = 1) breaks, so those fall back to @noble/hashes.
 */
async function scryptKey(password: Uint8Array, salt: Uint8Array, n: number, r: number, p: number): Promise<Uint8Array> {
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

async function deriveKey(keystore: KeystoreV3, password: Uint8Array): Promise<Uint8Array> {
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

function aes128ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const cipher = encrypt ? createCipheriv('aes-128-ctr', key, iv) : createDecipheriv('aes-128-ctr', key, iv);
  return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
}

// ---------------------------------------------------------------------------------------------
// Encrypt / decrypt.

export interface EncryptOptions extends Partial<KeystoreOptions> {
  /** Source of salt, IV and UUID bytes; a SeededRandom makes golden vectors reproducible. */
  random?: Random;
  meta?: HyperspaceKeystoreMeta;
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

// ---------------------------------------------------------------------------------------------
// Files.

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Reads and validates a keystore file, refusing files over `maxFileBytes` before reading them. */
export async function readKeystoreFile(path: string, options: Partial<KeystoreOptions> = {}): Promise<KeystoreV3> {
  const o = { ...DEFAULTS, ...options };
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO (or a device) for reading would otherwise block until a writer
    // appears, i.e. forever; without it `--keystore some-fifo` hangs. No effect on regular files.
    handle = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new KeystoreNotFoundError(path);
    throw new KeystoreIoError(path, errnoCode(error) ?? 'open failed', error);
  }
  let text: string;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new CorruptKeystoreError('not a regular file', path);
    if (stat.size > o.maxFileBytes) throw new CorruptKeystoreError(`file is larger than ${o.maxFileBytes} bytes`, path);
    // Read at most maxFileBytes + 1 even if the file grows between stat and read.
    const buffer = Buffer.alloc(o.maxFileBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > o.maxFileBytes) throw new CorruptKeystoreError(`file is larger than ${o.maxFileBytes} bytes`, path);
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead));
  } catch (error) {
    if (error instanceof BaseError) throw error;
    if (error instanceof TypeError) throw new CorruptKeystoreError('not UTF-8 text', path, error);
    throw new KeystoreIoError(path, errnoCode(error) ?? 'read failed', error);
  } finally {
    await handle.close();
  }
  try {
    return parseKeystore(text, o);
  } catch (error) {
    if (error instanceof CorruptKeystoreError) throw new CorruptKeystoreError(error.details.reason, path, error.cause);
    throw error;
  }
}

/** Reads, validates and decrypts a keystore file. Never writes. */
export async function unlockKeystoreFile(
  path: string,
  password: string | Uint8Array,
  options: Partial<KeystoreOptions> = {},
): Promise<DecryptedKeystore> {
  const keystore = await readKeystoreFile(path, options);
  return decryptKeystore(keystore, password, { ...options, path });
}

export interface WriteKeystoreOptions {
  /** Replace an existing file (atomically). Default false: an existing file is an error. */
  force?: boolean;
}

/**
 * Writes a keystore atomically with mode 0600: a temporary file in the same
 * directory is written and fsynced, then linked (refusing to replace an existing
 * file) or, with `force`, renamed over the target. A crash leaves either the old
 * state or the complete new file, never a partial keystore.
 */
export async function writeKeystoreFile(path: string, keystore: KeystoreV3, options: WriteKeystoreOptions = {}): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const data = JSON.stringify(keystore, null, 2) + '\n';
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // in case the umask or filesystem widened it
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw new KeystoreIoError(path, errnoCode(error) ?? 'write failed', error);
  }
  try {
    if (options.force) {
      await rename(temp, target);
    } else {
      try {
        await link(temp, target); // atomic create-if-absent
      } catch (error) {
        if (errnoCode(error) === 'EEXIST') throw new KeystoreExistsError(path);
        // Filesystems without hard links: check, then rename (a small race, only there).
        if (await lstat(target).then(() => true, () => false)) throw new KeystoreExistsError(path);
        await rename(temp, target);
      }
      await unlink(temp).catch(() => {});
    }
  } catch (error) {
    await unlink(temp).catch(() => {});
    if (error instanceof BaseError) throw error;
    throw new KeystoreIoError(path, errnoCode(error) ?? 'rename failed', error);
  }
  // Persist the directory entry too (best effort: not every platform can fsync a directory).
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* ignored */
  }
}
