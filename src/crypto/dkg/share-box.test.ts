import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { SeededRandom } from '../../common/clock.ts';
import { openShare, sealShare, SHARE_BOX_BYTES } from './share-box.ts';

test('a sealed share opens only for its recipient, in its session and slot, and untampered', () => {
  const random = new SeededRandom(1);
  const alice = secp256k1.utils.randomSecretKey();
  const bob = secp256k1.utils.randomSecretKey();
  const session = new Uint8Array(32).fill(7);
  const share = new Uint8Array(32).fill(0x5a);
  const box = sealShare(share, secp256k1.getPublicKey(alice, false), session, 2, 5, random);
  assert.equal(box.length, SHARE_BOX_BYTES);
  assert.deepEqual(openShare(box, alice, session, 2, 5), share);
  assert.equal(openShare(box, bob, session, 2, 5), undefined, 'another member');
  assert.equal(openShare(box, alice, new Uint8Array(32), 2, 5), undefined, 'another session');
  assert.equal(openShare(box, alice, session, 3, 5), undefined, 'another dealer slot');
  assert.equal(openShare(box, alice, session, 2, 4), undefined, 'another recipient slot');
  for (const at of [0, 40, 70, 80]) {
    const bad = box.slice();
    bad[at]! ^= 1;
    assert.equal(openShare(bad, alice, session, 2, 5), undefined, `byte ${at} flipped`);
  }
  assert.equal(openShare(box.subarray(1), alice, session, 2, 5), undefined, 'short');
});
