import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../common/clock.ts';
import { commonPrefixLength, compareDistance, randomIdInBucket, xorDistance } from './node-id.ts';

test('commonPrefixLength counts shared leading bits', () => {
  const a = new Uint8Array(32);
  const b = new Uint8Array(32);
  assert.equal(commonPrefixLength(a, b), 256);
  b[0] = 0x80;
  assert.equal(commonPrefixLength(a, b), 0);
  b[0] = 0;
  b[3] = 0x10; // bit 24 + 3
  assert.equal(commonPrefixLength(a, b), 27);
});

test('compareDistance agrees with comparing XOR distances as big-endian numbers', () => {
  const r = new SeededRandom(3);
  for (let i = 0; i < 200; i++) {
    const t = r.bytes(32);
    const a = r.bytes(32);
    const b = r.bytes(32);
    if (i % 3 === 0) b.set(a.subarray(0, 5)); // share a prefix so later bytes decide
    const da = BigInt('0x' + Buffer.from(xorDistance(t, a)).toString('hex'));
    const db = BigInt('0x' + Buffer.from(xorDistance(t, b)).toString('hex'));
    assert.equal(Math.sign(compareDistance(t, a, b)), da < db ? -1 : da > db ? 1 : 0);
  }
});

test('randomIdInBucket lands in the asked bucket for every depth', () => {
  const r = new SeededRandom(4);
  const self = r.bytes(32);
  for (let cpl = 0; cpl < 256; cpl++) assert.equal(commonPrefixLength(self, randomIdInBucket(self, cpl, r)), cpl);
});
