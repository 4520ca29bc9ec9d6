import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../common/bytes.ts';
import { BaseError } from '../common/errors.ts';
import {
  commitPartialSums,
  commitTrace,
  elementProofFromJson,
  elementProofToJson,
  proveElement,
  runningSums,
  traceDepth,
  verifyElementProof,
} from './trace.ts';
import { MalformedProofError, IndexOutOfRangeError, CommitmentParameterError } from './errors.ts';
import { rootFromProof, zeroHash } from './merkle.ts';
import { naiveLeavesFromValues, naiveRoot } from '../testnet/naive-commitment.ts';

/** Deterministic pseudo-random int32 values covering the sign bit and extremes. */
function values(n: number, seed = 1): Int32Array {
  const out = new Int32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x | 0;
  }
  if (n > 0) out[0] = -(2 ** 31);
  if (n > 1) out[n - 1] = 2 ** 31 - 1;
  return out;
}

const SIZES = [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 128, 129, 1000, 1023, 1024, 1025, 4097];

test('trace roots equal a naive recomputation (noble keccak, explicit padding) for odd and power-of-two sizes', () => {
  for (const n of SIZES) {
    const v = values(n, n + 3);
    const c = commitTrace(v);
    assert.equal(toHex(c.root), toHex(naiveRoot(naiveLeavesFromValues(v))), `n = ${n}`);
    assert.equal(c.elements, n);
    assert.equal(c.depth, traceDepth(n));
  }
});

test('a trace of at most 8 elements has depth 0 and its root is the packed big-endian leaf', () => {
  const c = commitTrace(new Int32Array([1, -1, 0x01020304]));
  assert.equal(c.depth, 0);
  assert.equal(toHex(c.root), '0x00000001ffffffff01020304' + '00'.repeat(20));
});

test('changing any single element changes the root', () => {
  const v = values(1001);
  const root = toHex(commitTrace(v).root);
  for (const i of [0, 1, 7, 8, 500, 999, 1000]) {
    const w = v.slice();
    w[i] = (w[i]! ^ 1) | 0;
    assert.notEqual(toHex(commitTrace(w).root), root, `element ${i}`);
  }
});

test('every element of small traces proves and verifies, with the expected depth', () => {
  for (const n of [1, 7, 8, 9, 17, 65, 129]) {
    const v = values(n, n);
    const c = commitTrace(v);
    for (let i = 0; i < n; i++) {
      const p = proveElement(c, v, i);
      assert.equal(p.value, v[i]);
      assert.equal(p.proof.siblings.length, c.depth);
      assert.ok(verifyElementProof(c.root, p, n), `n = ${n}, i = ${i}`);
      assert.ok(verifyElementProof(c.root, p));
    }
  }
});

test('a proof fails when any byte of its leaf or siblings, its value, index or the root changes', () => {
  const v = values(300);
  const c = commitTrace(v);
  const p = proveElement(c, v, 77);
  assert.ok(verifyElementProof(c.root, p, 300));
  const fields = [p.proof.leaf, ...p.proof.siblings];
  for (const field of fields) {
    for (let byte = 0; byte < 32; byte++) {
      field[byte]! ^= 0x01;
      assert.equal(verifyElementProof(c.root, p, 300), false);
      field[byte]! ^= 0x01;
    }
  }
  assert.equal(verifyElementProof(c.root, { ...p, value: p.value + 1 }, 300), false);
  assert.equal(verifyElementProof(c.root, { ...p, index: 78 }, 300), false);
  assert.equal(verifyElementProof(c.root, { ...p, index: 76 }, 300), false);
  const root = c.root.slice();
  root[31]! ^= 0x80;
  assert.equal(verifyElementProof(root, p, 300), false);
  assert.ok(verifyElementProof(c.root, p, 300));
});

test('a verifier that knows the element count rejects proofs built for another depth', () => {
  const v = values(64);
  const c = commitTrace(v);
  const p = proveElement(c, v, 3);
  assert.equal(verifyElementProof(c.root, p, 65), false); // 65 elements → depth 4, proof has 3
  assert.equal(verifyElementProof(c.root, { ...p, elements: 65 }, 65), false);
  // A proof shortened to an inner node (second-preimage style) is rejected by the fixed depth.
  const short = { ...p, proof: { ...p.proof, leafIndex: 0, leaf: p.proof.siblings[0]!, siblings: p.proof.siblings.slice(1) } };
  assert.equal(verifyElementProof(c.root, short, 64), false);
});

test('bad inputs: out-of-range indices, wrong value arrays and bad arity are typed errors', () => {
  const v = values(20);
  const c = commitTrace(v);
  for (const bad of [-1, 20, 21, 1.5, Number.NaN, 2 ** 53]) {
    assert.throws(() => proveElement(c, v, bad), IndexOutOfRangeError);
  }
  assert.throws(() => proveElement(c, values(21), 0), CommitmentParameterError);
  for (const arity of [0, 1, 3, 6, 100, 2 ** 17, 2.5]) {
    assert.throws(() => commitTrace(v, { arity }), CommitmentParameterError);
  }
  assert.throws(() => commitTrace(v, { workers: 2 }), CommitmentParameterError);
  assert.throws(() => commitTrace([1, 2] as unknown as Int32Array), BaseError);
  assert.throws(() => proveElement(commitTrace(new Int32Array(0)), new Int32Array(0), 0), IndexOutOfRangeError);
});

test('an empty trace commits to one zero leaf (32 zero bytes)', () => {
  assert.equal(toHex(commitTrace(new Int32Array(0)).root), toHex(zeroHash(0)));
});

test('proofs round-trip through JSON; hostile JSON is a typed error, never a crash', () => {
  const v = values(100);
  const c = commitTrace(v);
  const p = proveElement(c, v, 99);
  const back = elementProofFromJson(JSON.parse(JSON.stringify(elementProofToJson(p))));
  assert.ok(verifyElementProof(c.root, back, 100));
  const good = elementProofToJson(p);
  const hostile: unknown[] = [
    null, 3, 'x', [], {}, { ...good, index: '1' }, { ...good, leaf: '0x1234' }, { ...good, leaf: 'zz' },
    { ...good, siblings: 'nope' }, { ...good, siblings: [1] }, { ...good, siblings: Array(41).fill(good.leaf) },
    { ...good, leafIndex: 2 ** 40 }, { ...good, siblings: [good.leaf.slice(0, 10)] },
  ];
  for (const h of hostile) assert.throws(() => elementProofFromJson(h), MalformedProofError, JSON.stringify(h)?.slice(0, 60));
  // Random byte soup as a verifier input: false, never a throw.
  assert.equal(verifyElementProof(c.root, { index: 1, value: 1, elements: 100, proof: { leafIndex: 0, leaf: new Uint8Array(3), siblings: [] } }), false);
  assert.equal(verifyElementProof(c.root, null as never), false);
});

test('partial sums: sums[0] = c, sums[F] = the reduction, committed and provable like a trace', () => {
  const a = [127, -128, -128, 5, 0, -1];
  const b = [127, -128, 127, -7, 9, -1];
  const sums = runningSums(a, b, 1000);
  assert.equal(sums.length, a.length + 1);
  assert.equal(sums[0], 1000);
  let expected = 1000;
  for (let j = 0; j < a.length; j++) expected += a[j]! * b[j]!;
  assert.equal(sums[a.length], expected);
  const c = commitPartialSums(sums);
  assert.equal(toHex(c.root), toHex(commitTrace(sums).root));
  assert.equal(toHex(c.root), toHex(naiveRoot(naiveLeavesFromValues(sums))));
  for (let i = 0; i < sums.length; i++) assert.ok(verifyElementProof(c.root, proveElement(c, sums, i), sums.length));
  assert.throws(() => runningSums([1], [1, 2], 0), BaseError);
});

test('rootFromProof recomputes the root from any element proof', () => {
  const v = values(4097);
  const c = commitTrace(v);
  for (const i of [0, 2048, 4096]) assert.equal(toHex(rootFromProof(proveElement(c, v, i).proof)), toHex(c.root));
});
