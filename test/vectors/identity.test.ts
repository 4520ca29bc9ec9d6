/** Checks every entry of test/vectors/identity.json (written by generate-identity.ts) against our identity code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, toHex, bytesToBigInt } from '../../src/common/bytes.ts';
import { keccak256 } from '../../src/crypto/keccak.ts';
import { multiplyBase, writeFieldElement } from '../../src/crypto/secp256k1-walk.ts';
import { publicKeyOf, nodeAddressOf, ethereumAddressOf } from '../../src/identity/node-address.ts';
import { staticPuzzleBits, dynamicPuzzleBits, assertStaticPuzzle, assertDynamicPuzzle, PuzzleTooWeakError } from '../../src/identity/puzzle.ts';
import { verifyIdentity } from '../../src/identity/verify-identity.ts';

interface KeyVector {
  name: string;
  secretKey: string;
  publicKey: string;
  nodeAddress: string;
  address: string;
  staticHash: string;
  staticBits: number;
}
interface DynamicVector {
  name: string;
  nodeAddress: string;
  x: string;
  c2: number;
  dynamicHash: string;
  dynamicBits: number;
  valid: boolean;
}
const vectors = JSON.parse(readFileSync(new URL('./identity.json', import.meta.url), 'utf8')) as {
  keys: KeyVector[];
  dynamic: DynamicVector[];
  solutions: { static: KeyVector & { c1: number }; dynamic: DynamicVector };
};

function checkKey(v: KeyVector): void {
  const secret = fromHex(v.secretKey, 32);
  const publicKey = publicKeyOf(secret);
  assert.equal(toHex(publicKey), v.publicKey, v.name);
  // The grinding walk's own scalar multiplication gives the same point.
  const walked = new Uint8Array(65);
  walked[0] = 4;
  const a = multiplyBase(bytesToBigInt(secret));
  writeFieldElement(new DataView(walked.buffer), 1, a.x);
  writeFieldElement(new DataView(walked.buffer), 33, a.y);
  assert.equal(toHex(walked), v.publicKey, `${v.name}: walk`);
  const nodeAddress = nodeAddressOf(publicKey);
  assert.equal(toHex(nodeAddress), v.nodeAddress, v.name);
  assert.equal(ethereumAddressOf(nodeAddress), v.address, v.name);
  assert.equal(toHex(keccak256(nodeAddress)), v.staticHash, v.name);
  assert.equal(staticPuzzleBits(nodeAddress), v.staticBits, v.name);
  const check = verifyIdentity({ publicKey, c1: v.staticBits });
  assert.equal(check.valid, true, v.name);
  assert.equal(check.address, v.address);
  assert.equal(check.nodeAddress, v.nodeAddress);
  assert.equal(verifyIdentity({ publicKey, c1: v.staticBits + 1 }).valid, false, v.name);
}

function checkDynamic(v: DynamicVector): void {
  const nodeAddress = fromHex(v.nodeAddress, 32);
  const x = fromHex(v.x, 32);
  assert.equal(dynamicPuzzleBits(nodeAddress, x), v.dynamicBits, v.name);
  assert.equal(v.valid, v.dynamicBits >= v.c2, `${v.name}: file is self-consistent`);
  if (v.valid) assert.doesNotThrow(() => assertDynamicPuzzle(nodeAddress, x, v.c2));
  else assert.throws(() => assertDynamicPuzzle(nodeAddress, x, v.c2), PuzzleTooWeakError);
  assert.throws(() => assertDynamicPuzzle(nodeAddress, x, v.dynamicBits + 1), PuzzleTooWeakError);
}

test('identity vectors: every key gives the recorded public key, NodeAddress, address and static bits', () => {
  assert.ok(vectors.keys.length >= 5);
  for (const v of vectors.keys) checkKey(v);
});

test('identity vectors: every dynamic case gives the recorded bits and validity', () => {
  assert.ok(vectors.dynamic.length >= 3);
  assert.ok(vectors.dynamic.some((v) => !v.valid), 'at least one failing case');
  for (const v of vectors.dynamic) checkDynamic(v);
});

test('identity vectors: the found c1 = 12 and c2 = 12 solutions verify', () => {
  const s = vectors.solutions.static;
  assert.equal(s.c1, 12);
  checkKey(s);
  assert.doesNotThrow(() => assertStaticPuzzle(fromHex(s.nodeAddress, 32), 12));
  const d = vectors.solutions.dynamic;
  assert.equal(d.c2, 12);
  assert.equal(d.nodeAddress, s.nodeAddress);
  checkDynamic(d);
  const full = verifyIdentity({ publicKey: fromHex(s.publicKey, 65), c1: 12, x: fromHex(d.x, 32), c2: 12 });
  assert.equal(full.valid, true, full.reason);
});
