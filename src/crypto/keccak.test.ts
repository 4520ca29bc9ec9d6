import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { keccak256, keccak256Concat } from './keccak.ts';
import { toHex } from '../common/bytes.ts';

test('keccak256 of the empty string is the well-known Ethereum constant', () => {
  assert.equal(toHex(keccak256(new Uint8Array())), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
});

test('keccak256 agrees with @noble/hashes on inputs around the 136-byte rate boundary', () => {
  for (const length of [1, 31, 32, 64, 135, 136, 137, 1000]) {
    const data = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff);
    assert.deepEqual(keccak256(data), keccak_256(data), `length ${length}`);
  }
});

test('keccak256Concat equals keccak256 of the concatenation', () => {
  const a = new Uint8Array([1, 2, 3]);
  const b = new Uint8Array([4, 5]);
  assert.deepEqual(keccak256Concat(a, b), keccak256(new Uint8Array([1, 2, 3, 4, 5])));
});
