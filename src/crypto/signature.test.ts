import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sign, privateKeyToAccount } from 'viem/accounts';
import { recoverAddress, serializeSignature } from 'viem';
import { recoverPublicKey, signDigest, SignatureError, verifyDigest } from './signature.ts';
import { publicKeyOf } from '../identity/node-address.ts';
import { bytesToBigInt, bigIntToBytes, fromHex, toHex } from '../common/bytes.ts';
import { SeededRandom } from '../common/clock.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const rng = new SeededRandom(0x5161);

function secretKey(): Uint8Array {
  // Any 32 bytes below n are a valid key; the seeded generator never yields 0 or ≥ n in practice.
  return rng.bytes(32);
}

test('signDigest produces the same 65-byte signature as viem, and viem recovers our address', async () => {
  for (let i = 0; i < 12; i++) {
    const key = secretKey();
    const digest = rng.bytes(32);
    const ours = signDigest(digest, key);
    const theirs = await sign({ hash: toHex(digest), privateKey: toHex(key), to: 'object' });
    assert.equal(toHex(ours), serializeSignature(theirs));
    assert.ok(ours[64] === 27 || ours[64] === 28);
    const address = await recoverAddress({ hash: toHex(digest), signature: toHex(ours) });
    assert.equal(address, privateKeyToAccount(toHex(key)).address);
  }
});

test('recoverPublicKey returns the uncompressed signer key and verifyDigest accepts only that key', () => {
  const key = secretKey();
  const other = secretKey();
  const digest = rng.bytes(32);
  const sig = signDigest(digest, key);
  assert.deepEqual(recoverPublicKey(digest, sig), publicKeyOf(key));
  assert.equal(verifyDigest(digest, sig, publicKeyOf(key)), true);
  assert.equal(verifyDigest(digest, sig, publicKeyOf(other)), false);
  const otherDigest = digest.slice();
  otherDigest[0]! ^= 1;
  assert.equal(verifyDigest(otherDigest, sig, publicKeyOf(key)), false);
});

test('a high-s twin of a valid signature is refused with SignatureError (no malleability)', () => {
  const key = secretKey();
  const digest = rng.bytes(32);
  const sig = signDigest(digest, key);
  const s = bytesToBigInt(sig.subarray(32, 64));
  const twin = sig.slice();
  twin.set(bigIntToBytes(N - s, 32), 32);
  twin[64] = sig[64] === 27 ? 28 : 27; // the mathematically valid mirror signature
  assert.throws(() => recoverPublicKey(digest, twin), (e: unknown) => e instanceof SignatureError && e.details.reason === 'high-s');
  assert.throws(() => verifyDigest(digest, twin, publicKeyOf(key)), SignatureError);
});

test('bad v, bad length, zero or out-of-range r and s, and a bad digest are typed SignatureErrors', () => {
  const key = secretKey();
  const digest = rng.bytes(32);
  const sig = signDigest(digest, key);
  const cases: Array<[string, Uint8Array, Uint8Array]> = [];
  for (const v of [0, 1, 26, 29, 255]) {
    const bad = sig.slice();
    bad[64] = v;
    cases.push(['bad-v', digest, bad]);
  }
  cases.push(['bad-length', digest, sig.subarray(0, 64)]);
  cases.push(['bad-length', digest, new Uint8Array(66)]);
  const zeroR = sig.slice();
  zeroR.fill(0, 0, 32);
  cases.push(['r-out-of-range', digest, zeroR]);
  const bigR = sig.slice();
  bigR.set(bigIntToBytes(N, 32), 0);
  cases.push(['r-out-of-range', digest, bigR]);
  const zeroS = sig.slice();
  zeroS.fill(0, 32, 64);
  cases.push(['s-out-of-range', digest, zeroS]);
  cases.push(['bad-digest', digest.subarray(0, 31), sig]);
  for (const [reason, d, s] of cases) {
    assert.throws(() => recoverPublicKey(d, s), (e: unknown) => e instanceof SignatureError && e.details.reason === reason, reason);
  }
  assert.throws(() => signDigest(new Uint8Array(33), key), SignatureError);
});

test('signatures are deterministic (RFC 6979) for a fixed key and digest', () => {
  const key = fromHex('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
  const digest = new Uint8Array(32).fill(0xab);
  assert.deepEqual(signDigest(digest, key), signDigest(digest, key));
});

test('random 65-byte strings never crash recovery: a typed error or some key', () => {
  for (let i = 0; i < 200; i++) {
    const sig = rng.bytes(65);
    sig[64] = 27 + (i & 1);
    sig[32] = sig[32]! & 0x7f; // keep s low half more often than not
    try {
      const pk = recoverPublicKey(rng.bytes(32), sig);
      assert.equal(pk.length, 65);
    } catch (e) {
      assert.ok(e instanceof SignatureError, String(e));
    }
  }
});
