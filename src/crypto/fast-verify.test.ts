import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { SeededRandom } from '../common/clock.ts';
import { bigIntToBytes, bytesToBigInt, concatBytes } from '../common/bytes.ts';
import { BaseError } from '../common/errors.ts';
import {
  fastBackend,
  isVerifiedSignature,
  nativeBackend,
  nobleBackend,
  verifyDigestFast,
  verifySignature,
  VerifiedSignature,
  type Secp256k1Backend,
} from './fast-verify.ts';
import { SignatureError, verifyDigest } from './signature.ts';
import { seededSecretKey } from '../testnet/seeded-keys.ts';

const N = secp256k1.Point.CURVE().n;
const HALF = N >> 1n;
const G = secp256k1.Point.BASE;
const mod = (a: bigint): bigint => ((a % N) + N) % N;

test('the native binding loads on linux-x64 (the prebuild ships in the npm package), and the hot path uses it', () => {
  if (process.platform === 'linux' && process.arch === 'x64') {
    assert.ok(nativeBackend, 'secp256k1/bindings.js did not load');
    assert.equal(fastBackend.name, 'native');
  } else {
    assert.equal(fastBackend.name, nativeBackend ? 'native' : 'noble');
  }
});

const native: Secp256k1Backend = nativeBackend ?? nobleBackend;

/** Either the same bytes, or the same SignatureError reason (or the same error class), from both backends. */
function outcome(f: () => Uint8Array): string {
  try {
    return 'ok:' + Buffer.from(f()).toString('hex');
  } catch (error) {
    if (error instanceof SignatureError) return 'bad:' + error.details.reason;
    if (error instanceof BaseError) return 'error:' + error.code;
    return 'untyped:' + String(error);
  }
}

function sameRecovery(digest: Uint8Array, signature: Uint8Array): string {
  const a = outcome(() => nobleBackend.recoverPublicKey(digest, signature));
  const b = outcome(() => native.recoverPublicKey(digest, signature));
  assert.equal(b, a, `backends differ on digest ${Buffer.from(digest).toString('hex')} signature ${Buffer.from(signature).toString('hex')}`);
  return a;
}

function rsv(r: bigint, s: bigint, v: number): Uint8Array {
  return concatBytes(bigIntToBytes(r, 32), bigIntToBytes(s, 32), Uint8Array.of(v));
}

const rng = new SeededRandom(13);
const secretKey = (): Uint8Array => seededSecretKey(rng);

test('random keys and digests: identical signatures, identical recovered keys, identical verify answers', () => {
  for (let i = 0; i < 48; i++) {
    const sk = secretKey();
    const digest = rng.bytes(32);
    const sig = nobleBackend.signDigest(digest, sk);
    assert.deepEqual(native.signDigest(digest, sk), sig, 'RFC 6979 low-s signatures must be bit-identical');
    const recovered = sameRecovery(digest, sig);
    assert.equal(recovered, 'ok:' + Buffer.from(secp256k1.getPublicKey(sk, false)).toString('hex'));
    const pub = secp256k1.getPublicKey(sk, false);
    assert.equal(verifyDigestFast(digest, sig, pub), true);
    assert.equal(verifyDigestFast(digest, sig, pub), verifyDigest(digest, sig, pub));
  }
});

test('a valid signature checked against another digest or key: both backends say false, never throw', () => {
  const sk = secretKey();
  const digest = rng.bytes(32);
  const sig = nobleBackend.signDigest(digest, sk);
  const other = rng.bytes(32);
  const pub = secp256k1.getPublicKey(sk, false);
  assert.equal(verifyDigestFast(other, sig, pub), verifyDigest(other, sig, pub));
  assert.equal(verifyDigestFast(other, sig, pub), false);
  const otherPub = secp256k1.getPublicKey(secretKey(), false);
  assert.equal(verifyDigestFast(digest, sig, otherPub), false);
  assert.equal(verifyDigest(digest, sig, otherPub), false);
});

test('high-s twins, bad v, r or s out of range, bad lengths: refused identically, with the same reason', () => {
  const sk = secretKey();
  const digest = rng.bytes(32);
  const sig = nobleBackend.signDigest(digest, sk);
  const r = bytesToBigInt(sig.subarray(0, 32));
  const s = bytesToBigInt(sig.subarray(32, 64));
  const v = sig[64]!;
  // (r, n − s, flipped v) is the same ECDSA signature: valid for ecrecover without EIP-2, refused here.
  assert.equal(sameRecovery(digest, rsv(r, N - s, 55 - v)), 'bad:high-s');
  assert.equal(sameRecovery(digest, rsv(r, HALF + 1n, v)), 'bad:high-s');
  assert.equal(sameRecovery(digest, rsv(0n, s, v)), 'bad:r-out-of-range');
  assert.equal(sameRecovery(digest, rsv(N, s, v)), 'bad:r-out-of-range');
  assert.equal(sameRecovery(digest, rsv((1n << 256n) - 1n, s, v)), 'bad:r-out-of-range');
  assert.equal(sameRecovery(digest, rsv(r, 0n, v)), 'bad:s-out-of-range');
  assert.equal(sameRecovery(digest, rsv(r, N, v)), 'bad:s-out-of-range');
  for (const badV of [0, 1, 26, 29, 255]) assert.equal(sameRecovery(digest, rsv(r, s, badV)), 'bad:bad-v');
  assert.equal(sameRecovery(digest, sig.subarray(0, 64)), 'bad:bad-length');
  assert.equal(sameRecovery(digest, concatBytes(sig, Uint8Array.of(0))), 'bad:bad-length');
  assert.equal(sameRecovery(digest.subarray(0, 31), sig), 'bad:bad-digest');
  assert.throws(() => verifyDigestFast(digest, rsv(r, N - s, 55 - v), secp256k1.getPublicKey(sk, false)), SignatureError);
});

test('s = n/2 exactly is the largest accepted s, and both backends recover the same key from it', () => {
  const digest = rng.bytes(32);
  const r = bytesToBigInt(nobleBackend.signDigest(digest, secretKey()).subarray(0, 32));
  for (const v of [27, 28]) assert.match(sameRecovery(digest, rsv(r, HALF, v)), /^ok:04/);
});

test('r that is no x-coordinate on the curve: unrecoverable in both', () => {
  let r = 1n;
  const onCurve = (x: bigint): boolean => {
    try {
      secp256k1.Point.fromHex('02' + x.toString(16).padStart(64, '0'));
      return true;
    } catch {
      return false;
    }
  };
  while (onCurve(r)) r++;
  assert.equal(sameRecovery(rng.bytes(32), rsv(r, 12345n, 27)), 'bad:unrecoverable');
  assert.equal(verifyDigestFast(rng.bytes(32), rsv(r, 12345n, 27), secp256k1.getPublicKey(secretKey(), false)), false);
});

test('a signature whose recovered key would be the point at infinity: unrecoverable in both', () => {
  // Q = r⁻¹(sR − zG) is the identity when z = s·k for R = kG.
  for (let i = 0; i < 10; i++) {
    const k = bytesToBigInt(secretKey());
    const R = G.multiply(k);
    if (R.x >= N) continue;
    const s = mod(bytesToBigInt(rng.bytes(32))) % HALF || 1n;
    const z = bigIntToBytes(mod(s * k), 32);
    assert.equal(sameRecovery(z, rsv(R.x, s, R.y & 1n ? 28 : 27)), 'bad:unrecoverable');
  }
});

test('extreme digests (0, n − 1, n, 2²⁵⁶ − 1) are reduced the same way by both', () => {
  const sk = secretKey();
  for (const d of [0n, 1n, N - 1n, N, N + 1n, (1n << 256n) - 1n]) {
    const digest = bigIntToBytes(d, 32);
    const sig = nobleBackend.signDigest(digest, sk);
    assert.deepEqual(native.signDigest(digest, sk), sig);
    assert.match(sameRecovery(digest, sig), /^ok:04/);
  }
});

test('random 65-byte strings and bit flips of valid signatures: the same outcome from both backends', () => {
  const reasons = new Set<string>();
  for (let i = 0; i < 120; i++) {
    const raw = rng.bytes(65);
    raw[64] = 27 + (raw[64]! & 1);
    if (i % 2 === 0) raw[32]! &= 0x7f; // half of them with s < n/2, so they reach the curve code
    reasons.add(sameRecovery(rng.bytes(32), raw).slice(0, 7));
  }
  const sk = secretKey();
  const digest = rng.bytes(32);
  const sig = nobleBackend.signDigest(digest, sk);
  for (let bit = 0; bit < 65 * 8; bit += 7) {
    const flipped = sig.slice();
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    reasons.add(sameRecovery(digest, flipped).slice(0, 7));
  }
  // The sample reached both the curve code (keys recovered) and the parse (refusals).
  assert.ok([...reasons].some((x) => x.startsWith('ok:')));
  assert.ok([...reasons].some((x) => x.startsWith('bad:')));
});

test('bad secret keys are refused by both signers with a typed error', () => {
  const digest = rng.bytes(32);
  for (const sk of [new Uint8Array(32), bigIntToBytes(N, 32), new Uint8Array(31).fill(1)]) {
    assert.throws(() => nobleBackend.signDigest(digest, sk));
    assert.throws(() => native.signDigest(digest, sk), nativeBackend ? BaseError : Error);
  }
});

test('verifySignature carries the recovered key once; a VerifiedSignature cannot be made or faked elsewhere', () => {
  const sk = secretKey();
  const digest = rng.bytes(32);
  const sig = nobleBackend.signDigest(digest, sk);
  const verified = verifySignature(digest, sig);
  assert.ok(isVerifiedSignature(verified));
  assert.deepEqual(verified.publicKey, secp256k1.getPublicKey(sk, false));
  assert.ok(Object.isFrozen(verified));
  // Later mutation of the caller's buffers does not change what was verified.
  sig[0]! ^= 1;
  assert.notDeepEqual(verified.signature, sig);
  const fake = { digest, signature: sig, publicKey: verified.publicKey };
  assert.equal(isVerifiedSignature(fake), false);
  assert.throws(() => new VerifiedSignature(Symbol('VerifiedSignature.mint') as never, digest, sig, verified.publicKey), BaseError);
  assert.throws(() => verifySignature(digest, rsv(1n, N - 1n, 27)), SignatureError);
});
