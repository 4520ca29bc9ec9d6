import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigIntToBytes, bytesToBigInt, fromHex, leadingZeroBits, toHex, xorBytes } from './bytes.ts';
import { InvalidArgumentError } from './errors.ts';

test('hex round-trips and accepts both cases with or without 0x', () => {
  assert.equal(toHex(fromHex('0xDEADbeef')), '0xdeadbeef');
  assert.equal(toHex(fromHex('00ff')), '0x00ff');
});

test('fromHex rejects non-hex, odd length and wrong length with a typed error', () => {
  assert.throws(() => fromHex('0xzz'), InvalidArgumentError);
  assert.throws(() => fromHex('0xabc'), InvalidArgumentError);
  assert.throws(() => fromHex('0xabcd', 3), InvalidArgumentError);
});

test('leadingZeroBits counts across byte boundaries', () => {
  assert.equal(leadingZeroBits(new Uint8Array([0x80])), 0);
  assert.equal(leadingZeroBits(new Uint8Array([0x01])), 7);
  assert.equal(leadingZeroBits(new Uint8Array([0, 0, 0x10])), 19);
  assert.equal(leadingZeroBits(new Uint8Array([0, 0])), 16);
});

test('bigint conversion is big-endian and refuses overflow', () => {
  assert.deepEqual(bigIntToBytes(258n, 2), new Uint8Array([1, 2]));
  assert.equal(bytesToBigInt(new Uint8Array([1, 2])), 258n);
  assert.throws(() => bigIntToBytes(65536n, 2), InvalidArgumentError);
});

test('xorBytes requires equal lengths', () => {
  assert.deepEqual(xorBytes(new Uint8Array([1, 2]), new Uint8Array([3, 3])), new Uint8Array([2, 1]));
  assert.throws(() => xorBytes(new Uint8Array(1), new Uint8Array(2)), InvalidArgumentError);
});
