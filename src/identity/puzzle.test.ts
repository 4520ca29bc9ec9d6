import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { randomBytes } from 'node:crypto';
import {
  staticPuzzleBits,
  dynamicPuzzleBits,
  verifyStaticPuzzle,
  verifyDynamicPuzzle,
  assertStaticPuzzle,
  assertDynamicPuzzle,
  PuzzleTooWeakError,
  MAX_DIFFICULTY,
  expectedAttempts,
} from './puzzle.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { fromHex, toHex } from '../common/bytes.ts';

/** Independent reference: count leading zero bits bit by bit over noble's keccak. */
function refBits(data: Uint8Array): number {
  const h = keccak_256(data);
  let n = 0;
  for (let i = 0; i < 256; i++) {
    if ((h[i >> 3]! >> (7 - (i & 7))) & 1) break;
    n++;
  }
  return n;
}

test('staticPuzzleBits counts leading zero bits of keccak256(nodeAddress)', () => {
  for (let i = 0; i < 64; i++) {
    const na = new Uint8Array(randomBytes(32));
    assert.equal(staticPuzzleBits(na), refBits(na));
  }
});

test('dynamicPuzzleBits hashes nodeAddress XOR x; x = nodeAddress gives keccak256(0^32)', () => {
  for (let i = 0; i < 64; i++) {
    const na = new Uint8Array(randomBytes(32));
    const x = new Uint8Array(randomBytes(32));
    const mixed = na.map((b, j) => b ^ x[j]!);
    assert.equal(dynamicPuzzleBits(na, x), refBits(mixed));
  }
  const na = new Uint8Array(randomBytes(32));
  assert.equal(dynamicPuzzleBits(na, na), refBits(new Uint8Array(32)));
});

test('a static solution verifies at c1 <= its bits and fails above', () => {
  // Search random addresses until one has >= 4 bits (fast), then check the threshold exactly.
  let na: Uint8Array;
  do na = new Uint8Array(randomBytes(32));
  while (staticPuzzleBits(na) < 4);
  const bits = staticPuzzleBits(na);
  assert.equal(verifyStaticPuzzle(na, bits), true);
  assert.equal(verifyStaticPuzzle(na, 0), true);
  assert.equal(verifyStaticPuzzle(na, bits + 1), false);
  assert.doesNotThrow(() => assertStaticPuzzle(na, bits));
  try {
    assertStaticPuzzle(na, bits + 1);
    assert.fail('expected PuzzleTooWeakError');
  } catch (e) {
    assert.ok(e instanceof PuzzleTooWeakError);
    assert.equal(e.code, 'IDENTITY_PUZZLE_TOO_WEAK');
    assert.deepEqual(e.details, { nodeAddress: toHex(na), puzzle: 'static', required: bits + 1, actual: bits });
  }
});

test('dynamic threshold: verify and assert agree with the counted bits', () => {
  const na = new Uint8Array(randomBytes(32));
  let x: Uint8Array;
  do x = new Uint8Array(randomBytes(32));
  while (dynamicPuzzleBits(na, x) < 3);
  const bits = dynamicPuzzleBits(na, x);
  assert.equal(verifyDynamicPuzzle(na, x, bits), true);
  assert.equal(verifyDynamicPuzzle(na, x, bits + 1), false);
  try {
    assertDynamicPuzzle(na, x, bits + 1);
    assert.fail('expected PuzzleTooWeakError');
  } catch (e) {
    assert.ok(e instanceof PuzzleTooWeakError);
    assert.equal(e.details.puzzle, 'dynamic');
    assert.equal(e.details.actual, bits);
  }
});

test('difficulties outside 0..MAX_DIFFICULTY or non-integers are InvalidArgumentError', () => {
  const na = new Uint8Array(32);
  for (const bad of [-1, 1.5, MAX_DIFFICULTY + 1, Number.NaN, Infinity, '8' as unknown as number]) {
    assert.throws(() => verifyStaticPuzzle(na, bad), InvalidArgumentError, `c1=${String(bad)}`);
    assert.throws(() => assertStaticPuzzle(na, bad), InvalidArgumentError);
    assert.throws(() => verifyDynamicPuzzle(na, na, bad), InvalidArgumentError);
    assert.throws(() => assertDynamicPuzzle(na, na, bad), InvalidArgumentError);
  }
  assert.equal(verifyStaticPuzzle(na, MAX_DIFFICULTY), staticPuzzleBits(na) >= MAX_DIFFICULTY);
});

test('wrong-length or wrongly typed nodeAddress and x are InvalidArgumentError', () => {
  assert.throws(() => staticPuzzleBits(new Uint8Array(31)), InvalidArgumentError);
  assert.throws(() => staticPuzzleBits(new Uint8Array(33)), InvalidArgumentError);
  assert.throws(() => staticPuzzleBits('0x00' as unknown as Uint8Array), InvalidArgumentError);
  assert.throws(() => dynamicPuzzleBits(new Uint8Array(32), new Uint8Array(20)), InvalidArgumentError);
  assert.throws(() => dynamicPuzzleBits(fromHex('0x' + '00'.repeat(20)), new Uint8Array(32)), InvalidArgumentError);
});

test('expectedAttempts is 2^c', () => {
  assert.equal(expectedAttempts(0), 1);
  assert.equal(expectedAttempts(16), 65536);
});
