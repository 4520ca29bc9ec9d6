import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { scrypt as nobleScrypt } from '@noble/hashes/scrypt.js';
import { pbkdf2 as noblePbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { SeededRandom } from '../common/clock.ts';
import { deriveKey, passwordBytes, scryptKey } from './keystore-kdf.ts';
import type { KeystoreV3 } from './keystore-format.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const random = new SeededRandom(7);
const PASSWORD = passwordBytes('correct horse');

/** A keystore shell around the given KDF; only `crypto.kdf` and `crypto.kdfparams` are read by deriveKey. */
function shell(kdf: KeystoreV3['crypto']['kdf'], kdfparams: KeystoreV3['crypto']['kdfparams']): KeystoreV3 {
  const zeros = (n: number) => '00'.repeat(n);
  return {
    version: 3,
    id: '00000000-0000-4000-8000-000000000000',
    crypto: { cipher: 'aes-128-ctr', cipherparams: { iv: zeros(16) }, ciphertext: zeros(32), kdf, kdfparams, mac: zeros(32) },
  };
}

test('scryptKey on the native path (r = 8) equals the @noble/hashes reference', async () => {
  const salt = random.bytes(32);
  const key = await scryptKey(PASSWORD, salt, 1024, 8, 1);
  assert.equal(key.length, 32);
  assert.equal(hex(key), hex(nobleScrypt(PASSWORD, salt, { N: 1024, r: 8, p: 1, dkLen: 32 })));
});

test('scryptKey at r = 1 works on both sides of OpenSSL\'s N < 2^(16·r) rule and matches the reference', async () => {
  const salt = random.bytes(32);
  // OpenSSL refuses N = 2^16 at r = 1, which is why scryptKey falls back to @noble/hashes there.
  assert.throws(() => scryptSync(PASSWORD, salt, 32, { N: 2 ** 16, r: 1, p: 1 }));
  for (const n of [2 ** 15, 2 ** 16]) {
    const key = await scryptKey(PASSWORD, salt, n, 1, 1);
    assert.equal(hex(key), hex(nobleScrypt(PASSWORD, salt, { N: n, r: 1, p: 1, dkLen: 32 })), `n = ${n}`);
  }
});

test('scryptKey depends on every input', async () => {
  const salt = random.bytes(32);
  const base = hex(await scryptKey(PASSWORD, salt, 1024, 8, 1));
  const other = new Uint8Array(salt);
  other[0]! ^= 1;
  const variants = [
    await scryptKey(passwordBytes('correct horsf'), salt, 1024, 8, 1),
    await scryptKey(PASSWORD, other, 1024, 8, 1),
    await scryptKey(PASSWORD, salt, 2048, 8, 1),
    await scryptKey(PASSWORD, salt, 1024, 4, 1),
    await scryptKey(PASSWORD, salt, 1024, 8, 2),
  ];
  for (const v of variants) assert.notEqual(hex(v), base);
});

test('scryptKey rejects (does not throw synchronously or hang) on parameters no scrypt accepts', async () => {
  const salt = random.bytes(32);
  const calls = [
    () => scryptKey(PASSWORD, salt, 1000, 8, 1), // not a power of two, native path
    () => scryptKey(PASSWORD, salt, 2 ** 16 + 1, 1, 1), // not a power of two, @noble/hashes path
    () => scryptKey(PASSWORD, salt, 0, 8, 1),
  ];
  for (const call of calls) {
    let promise: Promise<Uint8Array> | undefined;
    assert.doesNotThrow(() => {
      promise = call();
    });
    await assert.rejects(promise!);
  }
});

test('deriveKey follows the keystore: scrypt parameters and salt, or PBKDF2-HMAC-SHA256 iterations', async () => {
  const salt = random.bytes(32);
  const scrypt = shell('scrypt', { dklen: 32, n: 1024, r: 8, p: 1, salt: hex(salt) });
  assert.equal(hex(await deriveKey(scrypt, PASSWORD)), hex(nobleScrypt(PASSWORD, salt, { N: 1024, r: 8, p: 1, dkLen: 32 })));
  const pbkdf2 = shell('pbkdf2', { dklen: 32, c: 1000, prf: 'hmac-sha256', salt: hex(salt) });
  const key = await deriveKey(pbkdf2, PASSWORD);
  assert.equal(hex(key), hex(noblePbkdf2(sha256, PASSWORD, salt, { c: 1000, dkLen: 32 })));
  const fewer = shell('pbkdf2', { dklen: 32, c: 999, prf: 'hmac-sha256', salt: hex(salt) });
  assert.notEqual(hex(await deriveKey(fewer, PASSWORD)), hex(key));
});

test('passwordBytes: UTF-8 without Unicode normalisation; bytes pass through untouched', () => {
  assert.deepEqual([...passwordBytes('pa€')], [0x70, 0x61, 0xe2, 0x82, 0xac]);
  // "é" precomposed (NFC) and decomposed (NFD) are different passwords, as in geth and MetaMask.
  assert.equal(hex(passwordBytes('\u00e9')), 'c3a9');
  assert.equal(hex(passwordBytes('e\u0301')), '65cc81');
  assert.equal(passwordBytes('').length, 0);
  const raw = new Uint8Array([0xff, 0x00, 0x80]); // not UTF-8: used as given
  assert.equal(passwordBytes(raw), raw);
});
