import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../common/bytes.ts';
import { BaseError } from '../common/errors.ts';
import { IndexOutOfRangeError } from './errors.ts';
import { commitWeights, proveWeightByte, proveWeightLeaf, verifyWeightProof, weightsDepth, weightsRoot } from './weights.ts';
import { naiveLeavesFromBytes, naiveRoot } from '../testnet/naive-commitment.ts';

function bytes(n: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 151 + 7) & 0xff);
}

test('weights roots equal a naive recomputation for empty, odd and power-of-two sizes', () => {
  for (const n of [0, 1, 31, 32, 33, 63, 64, 65, 96, 1000, 1024, 4095, 4096, 4097, 100_003]) {
    const b = bytes(n);
    assert.equal(toHex(weightsRoot(b)), toHex(naiveRoot(naiveLeavesFromBytes(b))), `n = ${n}`);
  }
});

test('weights roots do not depend on the byte offset of the view', () => {
  const big = bytes(1001);
  const view = big.subarray(1, 1000);
  assert.equal(toHex(weightsRoot(view)), toHex(weightsRoot(view.slice())));
});

test('every leaf proves and verifies; any changed byte breaks it', () => {
  const b = bytes(777);
  const c = commitWeights(b);
  for (let leaf = 0; leaf < c.leafCount; leaf++) {
    const p = proveWeightLeaf(b, leaf);
    assert.equal(p.siblings.length, weightsDepth(777));
    assert.ok(verifyWeightProof(c.root, p, 777));
  }
  const p = proveWeightByte(c, b, 500);
  assert.equal(p.leafIndex, 15);
  assert.equal(p.leaf[500 % 32], b[500]);
  for (const field of [p.leaf, ...p.siblings]) {
    for (let i = 0; i < 32; i++) {
      field[i]! ^= 0x40;
      assert.equal(verifyWeightProof(c.root, p, 777), false);
      field[i]! ^= 0x40;
    }
  }
  assert.equal(verifyWeightProof(c.root, p, 5000), false); // another size, another depth
  assert.equal(verifyWeightProof(c.root, { ...p, leafIndex: 16 }, 777), false);
});

test('bad weight indices and inputs are typed errors', () => {
  const b = bytes(100);
  const c = commitWeights(b);
  for (const bad of [-1, 4, 1.5, Number.NaN]) assert.throws(() => proveWeightLeaf(b, bad), IndexOutOfRangeError);
  assert.throws(() => proveWeightByte(c, b, 100), IndexOutOfRangeError);
  assert.throws(() => weightsRoot('abc' as unknown as Uint8Array), BaseError);
  assert.throws(() => proveWeightByte(c, bytes(101), 1), BaseError);
});
