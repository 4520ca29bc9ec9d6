import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privateKeyToAccount } from 'viem/accounts';
import { assertUncompressedPublicKey, ethereumAddressOf, InvalidPublicKeyError, nodeAddressOf, publicKeyOf } from './node-address.ts';
import { fromHex, toHex } from '../common/bytes.ts';

test('the Ethereum address is the last 20 bytes of the NodeAddress and matches viem', () => {
  const secret = fromHex('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
  const publicKey = publicKeyOf(secret);
  const nodeAddress = nodeAddressOf(publicKey);
  assert.equal(ethereumAddressOf(nodeAddress), privateKeyToAccount(toHex(secret)).address);
  assert.equal(toHex(nodeAddress).slice(-40), privateKeyToAccount(toHex(secret)).address.slice(2).toLowerCase());
});

test('a public key that is not an uncompressed curve point is refused with a typed error', () => {
  const good = publicKeyOf(new Uint8Array(32).fill(7));
  assert.doesNotThrow(() => assertUncompressedPublicKey(good));
  assert.throws(() => assertUncompressedPublicKey(good.subarray(1)), InvalidPublicKeyError);
  const offCurve = good.slice();
  offCurve[64] = offCurve[64]! ^ 1;
  assert.throws(() => assertUncompressedPublicKey(offCurve), InvalidPublicKeyError);
  const compressedTag = good.slice();
  compressedTag[0] = 0x02;
  assert.throws(() => assertUncompressedPublicKey(compressedTag), InvalidPublicKeyError);
});
