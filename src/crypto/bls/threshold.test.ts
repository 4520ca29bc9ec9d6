import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../common/clock.ts';
import { commitPolynomial, evaluateCommitments, evaluatePolynomial, lagrangeAtZero, randomPolynomial } from './polynomial.ts';
import { checkPartials, tcombine, tsign, tverify, type KeyShare, type PartialSignature } from './threshold.ts';
import { decodeG1, decodeG2, encodeG1, encodeG2, G1, type G2Point } from './points.ts';
import { BlsEncodingError, ThresholdError } from './errors.ts';
import { g1OffCurve, g1OffSubgroup, g2OffCurve, g2OffSubgroup, G1_INFINITY, G2_INFINITY, withDirtyPadding, withNonCanonicalX } from '../../testnet/bls-bad-points.ts';

/** A trusted dealer (test only: the DKG is how real committees get shares). */
function deal(t: number, n: number, seed: number) {
  const coefficients = randomPolynomial(t, new SeededRandom(seed));
  const shares: KeyShare[] = Array.from({ length: n }, (_, k) => ({ index: k + 1, secret: evaluatePolynomial(coefficients, k + 1) }));
  const commitments = commitPolynomial(coefficients);
  const publicShares = new Map<number, G2Point>(shares.map((s) => [s.index, evaluateCommitments(commitments, s.index)]));
  return { coefficients, shares, groupKey: commitments[0]!, publicShares };
}

const message = new TextEncoder().encode('receipt digest stand-in, 32 bytes');

describe('t-of-n BLS threshold signatures', () => {
  const t = 3;
  const n = 5;
  const { shares, groupKey, publicShares } = deal(t, n, 1);
  const partials = shares.map((s) => tsign(s, message));

  test('any t of the n partials combine to the same signature, which verifies under the group key', () => {
    const subsets = [[1, 2, 3], [1, 4, 5], [2, 3, 5], [3, 4, 5]];
    const encoded = subsets.map((subset) => encodeG1(tcombine(partials.filter((p) => subset.includes(p.index)), t)));
    for (const e of encoded) assert.deepEqual(e, encoded[0]);
    assert.equal(tverify(encoded[0]!, message, groupKey), true);
    assert.equal(tverify(encoded[0]!, new TextEncoder().encode('another message'), groupKey), false);
  });

  test('t − 1 partials cannot: tcombine refuses, and interpolating them anyway gives a signature that fails', () => {
    assert.throws(() => tcombine(partials.slice(0, t - 1), t), (e: unknown) => e instanceof ThresholdError && e.details.reason === 'too-few-partials');
    const forced = encodeG1(tcombine(partials.slice(0, t - 1), t - 1));
    assert.equal(tverify(forced, message, groupKey), false);
  });

  test('the Lagrange coefficients at 0 recover f(0) from any t evaluations', () => {
    const coefficients = randomPolynomial(4, new SeededRandom(9));
    const xs = [2, 5, 7, 11];
    const lambdas = lagrangeAtZero(xs);
    let acc = 0n;
    xs.forEach((x, k) => (acc = (acc + lambdas[k]! * evaluatePolynomial(coefficients, x)) % G1.Fn.ORDER));
    assert.equal(acc, coefficients[0]);
  });

  test('a wrong partial (valid point, signed by the wrong share) is identified and excluded; the signature still forms', () => {
    const liar: PartialSignature = { index: 2, signature: tsign({ index: 2, secret: 12345n }, message).signature };
    const mixed = [partials[0]!, liar, partials[2]!, partials[3]!];
    const checked = checkPartials(mixed, message, (i) => publicShares.get(i));
    assert.deepEqual(checked.invalid, [{ index: 2, reason: 'bad-partial' }]);
    assert.deepEqual(checked.valid.map((p) => p.index), [1, 3, 4]);
    assert.equal(tverify(encodeG1(tcombine(checked.valid, t)), message, groupKey), true);
  });

  test('a partial replayed from another message is refused as bad', () => {
    const old = tsign(shares[1]!, new TextEncoder().encode('yesterday'));
    const checked = checkPartials([partials[0]!, old, partials[2]!], message, (i) => publicShares.get(i));
    assert.deepEqual(checked.invalid, [{ index: 2, reason: 'bad-partial' }]);
  });

  test('duplicate signer indices, non-members and out-of-range indices are refused with a reason', () => {
    const checked = checkPartials(
      [partials[0]!, partials[0]!, { index: 9, signature: partials[1]!.signature }, { index: 0, signature: partials[1]!.signature }, partials[2]!],
      message,
      (i) => publicShares.get(i),
    );
    assert.deepEqual(checked.valid.map((p) => p.index), [1, 3]);
    assert.deepEqual(checked.invalid, [
      { index: 1, reason: 'duplicate-signer' },
      { index: 9, reason: 'non-member' },
      { index: 0, reason: 'signer-out-of-range' },
    ]);
    assert.throws(() => tcombine([partials[0]!, partials[0]!, partials[1]!], t), (e: unknown) => e instanceof ThresholdError && e.details.reason === 'duplicate-signer');
  });

  test('malformed partial signatures are refused with their encoding reason', () => {
    const bad = [
      { index: 1, signature: partials[0]!.signature.subarray(0, 127) },
      { index: 2, signature: withDirtyPadding(partials[1]!.signature) },
      { index: 3, signature: g1OffSubgroup() },
      { index: 4, signature: G1_INFINITY },
      { index: 5, signature: g1OffCurve() },
    ];
    const checked = checkPartials(bad, message, (i) => publicShares.get(i));
    assert.deepEqual(checked.invalid.map((x) => x.reason), ['wrong-length', 'non-zero-padding', 'not-in-subgroup', 'infinity', 'not-on-curve']);
  });
});

describe('EIP-2537 point decoding refuses every malformed encoding', () => {
  const g1 = encodeG1(G1.BASE.multiply(7n));
  const g2 = encodeG2(deal(2, 2, 3).groupKey);
  const reason = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof BlsEncodingError) return e.details.reason;
      throw e;
    }
    return 'accepted';
  };
  test('G1', () => {
    assert.equal(reason(() => decodeG1(g1)), 'accepted');
    assert.equal(reason(() => decodeG1(g1.subarray(1))), 'wrong-length');
    assert.equal(reason(() => decodeG1(withDirtyPadding(g1))), 'non-zero-padding');
    assert.equal(reason(() => decodeG1(withNonCanonicalX(g1))), 'not-canonical');
    assert.equal(reason(() => decodeG1(g1OffCurve())), 'not-on-curve');
    assert.equal(reason(() => decodeG1(g1OffSubgroup())), 'not-in-subgroup');
    assert.equal(reason(() => decodeG1(G1_INFINITY)), 'infinity');
  });
  test('G2', () => {
    assert.equal(reason(() => decodeG2(g2)), 'accepted');
    assert.equal(reason(() => decodeG2(new Uint8Array(255))), 'wrong-length');
    assert.equal(reason(() => decodeG2(withDirtyPadding(g2))), 'non-zero-padding');
    assert.equal(reason(() => decodeG2(withNonCanonicalX(g2))), 'not-canonical');
    assert.equal(reason(() => decodeG2(g2OffCurve())), 'not-on-curve');
    assert.equal(reason(() => decodeG2(g2OffSubgroup())), 'not-in-subgroup');
    assert.equal(reason(() => decodeG2(G2_INFINITY)), 'infinity');
  });
  test('round trip', () => {
    assert.deepEqual(encodeG1(decodeG1(g1)), g1);
    assert.deepEqual(encodeG2(decodeG2(g2)), g2);
  });
});
