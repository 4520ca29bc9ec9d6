import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { verifyIdentity } from './verify-identity.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { leadingZeroBits, toHex, xorBytes } from '../common/bytes.ts';

function keyWithStaticBits(min: number): Uint8Array {
  for (;;) {
    const pk = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false);
    if (leadingZeroBits(keccak_256(keccak_256(pk.subarray(1)))) >= min) return pk;
  }
}

test('a key meeting c1 is valid, with address, nodeAddress and bits filled in', () => {
  const pk = keyWithStaticBits(3);
  const na = keccak_256(pk.subarray(1));
  const r = verifyIdentity({ publicKey: pk, c1: 3 });
  assert.equal(r.valid, true);
  assert.equal(r.reason, 'ok');
  assert.equal(r.nodeAddress, toHex(na));
  assert.equal(r.address?.toLowerCase(), toHex(na.subarray(12)));
  assert.equal(r.publicKey, toHex(pk));
  assert.equal(r.staticBits, leadingZeroBits(keccak_256(na)));
  assert.equal(r.c1, 3);
  assert.equal(r.c2, undefined);
});

test('too few static bits: valid=false with the counts in the reason', () => {
  const pk = keyWithStaticBits(0);
  const bits = leadingZeroBits(keccak_256(keccak_256(pk.subarray(1))));
  const r = verifyIdentity({ publicKey: pk, c1: bits + 1 });
  assert.equal(r.valid, false);
  assert.match(r.reason, new RegExp(`static puzzle too weak: ${bits} .* c1 = ${bits + 1}`));
  assert.equal(r.staticBits, bits);
});

test('dynamic puzzle: a found X passes, a wrong X or a short X fails with a reason', () => {
  const pk = keyWithStaticBits(0);
  const na = keccak_256(pk.subarray(1));
  let x: Uint8Array;
  do x = new Uint8Array(randomBytes(32));
  while (leadingZeroBits(keccak_256(xorBytes(na, x))) < 4);
  const ok = verifyIdentity({ publicKey: pk, c1: 0, x, c2: 4 });
  assert.equal(ok.valid, true);
  assert.ok(ok.dynamicBits! >= 4);
  assert.equal(ok.c2, 4);
  const bits = ok.dynamicBits!;
  const weak = verifyIdentity({ publicKey: pk, c1: 0, x, c2: bits + 1 });
  assert.equal(weak.valid, false);
  assert.match(weak.reason, /dynamic puzzle too weak/);
  const short = verifyIdentity({ publicKey: pk, c1: 0, x: x.subarray(0, 31), c2: 4 });
  assert.equal(short.valid, false);
  assert.match(short.reason, /x must be 32 bytes/);
});

test('bad keys never throw: wrong length, compressed, off-curve, infinity-like, random bytes, wrong type', () => {
  const pk = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false);
  const offCurve = pk.slice();
  offCurve[64] = offCurve[64]! ^ 1; // y flipped in its last bit: no longer on the curve
  const xTooBig = new Uint8Array(65).fill(0xff);
  xTooBig[0] = 4;
  const bad: unknown[] = [
    new Uint8Array(0),
    pk.subarray(0, 64),
    new Uint8Array([...pk, 0]),
    secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true),
    offCurve,
    new Uint8Array(65).fill(0).fill(4, 0, 1),
    xTooBig,
    new Uint8Array(randomBytes(65)),
    toHex(pk),
    null,
  ];
  for (const publicKey of bad) {
    const r = verifyIdentity({ publicKey: publicKey as Uint8Array, c1: 0 });
    assert.equal(r.valid, false, `accepted ${String(publicKey)}`);
    assert.ok(r.reason.length > 0);
    assert.equal(r.nodeAddress, undefined);
  }
});

test('bad difficulties and a half-given dynamic puzzle are InvalidArgumentError', () => {
  const pk = keyWithStaticBits(0);
  for (const bad of [-1, 0.5, 65, Number.NaN]) {
    assert.throws(() => verifyIdentity({ publicKey: pk, c1: bad }), InvalidArgumentError);
    assert.throws(() => verifyIdentity({ publicKey: pk, c1: 0, x: new Uint8Array(32), c2: bad }), InvalidArgumentError);
  }
  assert.throws(() => verifyIdentity({ publicKey: pk, c1: 0, x: new Uint8Array(32) }), InvalidArgumentError);
  assert.throws(() => verifyIdentity({ publicKey: pk, c1: 0, c2: 3 }), InvalidArgumentError);
});
