import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { createInPlaceKeccak } from './keccak-in-place.ts';

test('raw wasm keccak and the public-API fallback give the same digests as noble', async () => {
  const raw = await createInPlaceKeccak();
  const api = await createInPlaceKeccak({ allowRaw: false });
  assert.equal(raw.raw, true, 'the pinned hash-wasm bundle passes the raw self-test');
  assert.equal(api.raw, false);
  for (const length of [0, 1, 32, 63, 64]) {
    const input = new Uint8Array(randomBytes(length));
    for (const k of [raw, api]) {
      k.buffer.set(input);
      k.hashInPlace(length);
      assert.deepEqual(k.buffer.subarray(0, 32), keccak_256(input), `length ${length}, raw=${k.raw}`);
    }
  }
});

test('the buffer is 64 bytes at a 4-byte-aligned offset, so it can be seen as 16 int32 words', async () => {
  for (const k of [await createInPlaceKeccak(), await createInPlaceKeccak({ allowRaw: false })]) {
    assert.equal(k.buffer.length, 64);
    assert.equal(k.buffer.byteOffset % 4, 0);
    const words = new Int32Array(k.buffer.buffer, k.buffer.byteOffset, 16);
    words.fill(0);
    k.hashInPlace(64);
    assert.deepEqual(k.buffer.subarray(0, 32), keccak_256(new Uint8Array(64)), `raw=${k.raw}`);
  }
});
