/**
 * Keystore format (§2.1, DESIGN.md §3 identity/): the Web3 Secret Storage v3 JSON shape, the
 * cost limits, and `parseKeystore`, the validation of untrusted keystore JSON.
 *
 * A keystore file is untrusted input: `parseKeystore` checks every field's type and length and
 * bounds the KDF cost (memory and work), so a hostile file cannot make us allocate gigabytes or
 * spin for hours. Errors carry only a reason (the callers add the path), never key material.
 */
import { CorruptKeystoreError } from './keystore-errors.ts';

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

const HEX_RE = /^(0x)?[0-9a-fA-F]*$/;
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** AES block, bytes: the CTR IV. */
export const IV_BYTES = 16;
const SECRET_BYTES = 32; // secp256k1 secret key
const MAC_BYTES = 32; // keccak256
/** Derived key, bytes: 16 bytes AES key + 16 bytes MAC key; every tool writes 32. */
export const DKLEN = 32;
const MAX_SALT_BYTES = 128; // tools write 32

/** Bytes of a hex field `parseKeystore` normalised (lower-case, no 0x, even length). */
export const fromHexBody = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

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
