import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { PointWalk, CURVE_N, FIELD_P, writeFieldElement, multiplyBase, invertP } from './secp256k1-walk.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { bigIntToBytes, toHex } from '../common/bytes.ts';

/** Reference: uncompressed X ‖ Y of secret·G computed by noble from scratch, or null for ∞. */
function reference(secret: bigint): string | null {
  const s = ((secret % CURVE_N) + CURVE_N) % CURVE_N;
  if (s === 0n) return null;
  return toHex(secp256k1.getPublicKey(bigIntToBytes(s, 32), false).subarray(1));
}

function walked(walk: PointWalk, j: number): string | null {
  if (walk.infinity[j] === 1) return null;
  const buf = new Uint8Array(64);
  walk.writePoint(j, new DataView(buf.buffer), 0);
  return toHex(buf);
}

/** Checks every point of `batches` consecutive batches against an independent scalar multiplication. */
function checkWalk(start: bigint, batchSize: number, batches: number): number {
  const walk = new PointWalk(start, batchSize);
  let checked = 0;
  for (let b = 0; b < batches; b++) {
    if (b > 0) walk.advance();
    for (let j = 0; j < batchSize; j++) {
      const i = BigInt(b * batchSize + j);
      assert.equal(walk.secretAt(j), (start + i) % CURVE_N, `secret at i=${i}`);
      assert.equal(walked(walk, j), reference(start + i), `point at i=${i} from start ${start}`);
      checked++;
    }
  }
  return checked;
}

test('curve constants match @noble/curves', () => {
  const c = secp256k1.Point.CURVE();
  assert.equal(FIELD_P, c.p);
  assert.equal(CURVE_N, c.n);
});

test('walked points equal publicKeyOf(k + i) across batch boundaries (small batches)', () => {
  assert.equal(checkWalk(0x1234567890abcdefn, 8, 4), 32);
  assert.equal(checkWalk(1n, 5, 3), 15); // batch size not a power of two; start at k = 1
});

test('walked points equal publicKeyOf(k + i) for a random start with the default batch', () => {
  const start = BigInt(toHex(secp256k1.utils.randomSecretKey()));
  const walk = new PointWalk(start);
  walk.advance();
  walk.advance();
  for (const j of [0, 1, 127, 254, 255]) {
    assert.equal(walked(walk, j), reference(start + 2n * 256n + BigInt(j)));
  }
});

test('the walk wraps past n: k + i = n is the point at infinity, then G, 2G, …', () => {
  // Start 6 below n with batch 4: batch 1 contains secrets n−2, n−1, ∞, 1 (= G).
  assert.equal(checkWalk(CURVE_N - 6n, 4, 4), 16);
  const walk = new PointWalk(CURVE_N - 2n, 4);
  assert.equal(walk.infinity[2], 1);
  assert.equal(walked(walk, 3), reference(1n));
});

test('exceptional additions Q = ±S (doubling, cancellation) are recomputed exactly', () => {
  // Batch 4, S = 4G. From k = 1, batch 0 holds 1..4 and the span construction adds 2G to 2G (a doubling);
  // next step adds 4G to 4G. From k = n − 4, the step adds 4G to −4G.
  assert.equal(checkWalk(1n, 4, 3), 12);
  assert.equal(checkWalk(CURVE_N - 4n, 4, 3), 12);
  assert.equal(checkWalk(CURVE_N - 8n, 4, 4), 16);
});

test('rejects a secret outside 1..n−1 and a bad batch size', () => {
  assert.throws(() => new PointWalk(0n), InvalidArgumentError);
  assert.throws(() => new PointWalk(CURVE_N), InvalidArgumentError);
  assert.throws(() => new PointWalk(-5n), InvalidArgumentError);
  assert.throws(() => new PointWalk(5n, 0), InvalidArgumentError);
  assert.throws(() => new PointWalk(5n, 1.5), InvalidArgumentError);
});

test('writeFieldElement writes 32 big-endian bytes', () => {
  const buf = new Uint8Array(34);
  writeFieldElement(new DataView(buf.buffer), 1, FIELD_P - 1n);
  assert.equal(toHex(buf.subarray(1, 33)), toHex(bigIntToBytes(FIELD_P - 1n, 32)));
  assert.equal(buf[0], 0);
  assert.equal(buf[33], 0);
});

test('multiplyBase equals noble for small, random and near-n secrets', () => {
  const secrets = [1n, 2n, 3n, 7n, 255n, 256n, CURVE_N - 1n, CURVE_N - 2n, (CURVE_N - 1n) / 2n, (CURVE_N + 1n) / 2n];
  for (let i = 0; i < 8; i++) secrets.push(BigInt(toHex(secp256k1.utils.randomSecretKey())));
  for (const s of secrets) {
    const a = multiplyBase(s);
    const buf = new Uint8Array(64);
    const view = new DataView(buf.buffer);
    writeFieldElement(view, 0, a.x);
    writeFieldElement(view, 32, a.y);
    assert.equal(toHex(buf), reference(s), `secret ${s}`);
  }
  assert.throws(() => multiplyBase(0n), InvalidArgumentError);
  assert.throws(() => multiplyBase(CURVE_N), InvalidArgumentError);
});

test('invertP: a · a^−1 ≡ 1 mod p; zero has no inverse', () => {
  for (const a of [1n, 2n, FIELD_P - 1n, 0x1234567890abcdefn, FIELD_P + 5n]) {
    assert.equal((((a % FIELD_P) * invertP(a)) % FIELD_P), 1n);
  }
  assert.throws(() => invertP(0n), InvalidArgumentError);
  assert.throws(() => invertP(FIELD_P), InvalidArgumentError);
});
