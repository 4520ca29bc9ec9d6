import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { PointWalk } from '../crypto/secp256k1-walk.ts';
import { leadingZeroBits, bigIntToBytes } from '../common/bytes.ts';
import { createInPlaceKeccak } from '../crypto/keccak-in-place.ts';
import { hasLeadingZeroBits, searchDynamicChunk, searchStaticBatch, viewOf } from './grind-search.ts';

test('hasLeadingZeroBits agrees with leadingZeroBits for every c in 0..64', () => {
  const samples = [new Uint8Array(32), Uint8Array.from({ length: 32 }, (_, i) => (i === 5 ? 1 : 0))];
  for (let i = 0; i < 200; i++) {
    const b = new Uint8Array(randomBytes(32));
    b.fill(0, 0, i % 7); // plenty of long zero prefixes
    samples.push(b);
  }
  for (const s of samples) {
    for (let c = 0; c <= 64; c++) assert.equal(hasLeadingZeroBits(s, c), leadingZeroBits(s) >= c, `c=${c}`);
  }
});

test('searchStaticBatch returns a point whose key independently solves the static puzzle', async () => {
  const keccak = await createInPlaceKeccak();
  const view = viewOf(keccak);
  const walk = new PointWalk(BigInt('0x' + Buffer.from(secp256k1.utils.randomSecretKey()).toString('hex')), 64);
  const c1 = 6;
  let j = -1;
  for (let batches = 0; batches < 1000 && j < 0; batches++) {
    j = searchStaticBatch(walk, keccak, view, c1);
    if (j < 0) walk.advance();
  }
  assert.ok(j >= 0, 'no 6-bit solution in 64,000 attempts (probability ~e^-1000)');
  const secret = bigIntToBytes(walk.secretAt(j), 32);
  const nodeAddress = keccak_256(secp256k1.getPublicKey(secret, false).subarray(1));
  assert.ok(leadingZeroBits(keccak_256(nodeAddress)) >= c1);
});

test('searchDynamicChunk returns a counter whose X independently solves the dynamic puzzle', async () => {
  const keccak = await createInPlaceKeccak();
  const view = viewOf(keccak);
  const nodeAddress = new Uint8Array(randomBytes(32));
  const prefix = new Uint8Array(randomBytes(32)).fill(0, 28);
  const mixed = nodeAddress.map((b, i) => b ^ prefix[i]!);
  const c2 = 8;
  const counter = searchDynamicChunk(keccak, view, mixed, 1000, 100_000, c2);
  assert.ok(counter >= 1000, 'no 8-bit solution in 100,000 attempts');
  const x = prefix.slice();
  new DataView(x.buffer).setUint32(28, counter);
  const hash = keccak_256(nodeAddress.map((b, i) => b ^ x[i]!));
  assert.ok(leadingZeroBits(hash) >= c2);
  // And nothing earlier in the chunk met c2: the search returns the first solution.
  if (counter > 1000) assert.equal(searchDynamicChunk(keccak, view, mixed, 1000, counter - 1000, c2), -1);
});
