/**
 * Resharing (drand's): a finished committee deals its shares of the group key to a new committee. The key stays;
 * the new members' shares sign under it with the new threshold; a leaving member's old share no longer fits; an old
 * dealer that does not deal its own old share is disqualified; too few old dealers make the reshare fail.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runDkg, runReshare, type HarnessRun, type Tamper } from '../../testnet/dkg-harness.ts';
import { decodeEnvelope } from '../../wire/envelope.ts';
import { decode } from '../../wire/codec.ts';
import { sealStrong } from '../../wire/strong-envelope.ts';
import { DKG_KINDS } from './messages.ts';
import { sealShare } from './share-box.ts';
import { decodeG2, encodeG1, encodeG2, encodeScalar } from '../bls/points.ts';
import { commitPolynomial, evaluateCommitments, evaluatePolynomial, randomPolynomial } from '../bls/polynomial.ts';
import { checkPartials, tcombine, tsign, tverify } from '../bls/threshold.ts';
import { bytesEqual } from '../../common/bytes.ts';

const message = new TextEncoder().encode('after the reshare');

/** All new members agree on the (unchanged) key; their shares match the new polynomial; any t sign, t − 1 do not. */
function assertReshared(run: HarnessRun, oldKey: Uint8Array, threshold: number, size: number): void {
  assert.equal(run.results.size, size);
  const results = [...run.results.values()];
  for (const r of results) {
    assert.ok(bytesEqual(r.groupKey, oldKey), 'the group key is unchanged');
    assert.equal(r.publicPolynomial.length, threshold);
  }
  const poly = results[0]!.publicPolynomial.map((c) => decodeG2(c));
  const checked = checkPartials(results.map((r) => tsign(r.share, message)), message, (i) => evaluateCommitments(poly, i));
  assert.deepEqual(checked.invalid, []);
  const groupKey = decodeG2(oldKey);
  assert.equal(tverify(encodeG1(tcombine(checked.valid.slice(-threshold), threshold)), message, groupKey), true);
  assert.equal(tverify(encodeG1(tcombine(checked.valid.slice(0, threshold - 1), threshold - 1)), message, groupKey), false);
}

describe('resharing a committee key (drand-style) over pure message passing', () => {
  const old = runDkg({ n: 5, threshold: 3, seed: 11 });
  const oldKey = old.results.get(1)!.groupKey;

  test('3-of-5 → 3-of-5 with two members replaced: same key, the new shares sign, a leaving member’s old share does not fit', () => {
    const run = runReshare({ from: old, keep: [1, 2, 3], newcomers: 2, threshold: 3, seed: 12 });
    for (const i of [4, 5]) assert.equal(run.members[i - 1]!.phase, 'done', 'leaving dealers finish without a share');
    assertReshared(run, oldKey, 3, 5);
    const poly = run.results.get(1)!.publicPolynomial.map((c) => decodeG2(c));
    const leaving = tsign({ index: 4, secret: old.results.get(4)!.share.secret }, message);
    assert.deepEqual(checkPartials([leaving], message, (i) => evaluateCommitments(poly, i)).invalid, [{ index: 4, reason: 'bad-partial' }]);
  });

  test('3-of-4 grows to 4-of-6: same key, new threshold', () => {
    const small = runDkg({ n: 4, threshold: 3, seed: 13 });
    const run = runReshare({ from: small, keep: [1, 2, 3, 4], newcomers: 2, threshold: 4, seed: 14 });
    assertReshared(run, small.results.get(1)!.groupKey, 4, 6);
  });

  test('an old dealer that deals a fresh secret instead of its old share is disqualified; the reshare completes without it', () => {
    const probe = runReshare({ from: old, keep: [1, 2, 3], newcomers: 2, threshold: 3, seed: 15, offline: [1, 2, 3, 4, 5, 6, 7] });
    const newKeys = [1, 2, 3, 6, 7].map((node) => probe.signers[node - 1]!.publicKey);
    const tamper: Tamper = (from, packet, ctx) => {
      const env = decodeEnvelope(packet);
      if (from !== 2 || env.kind !== 'strong' || env.value.domain !== DKG_KINDS.deal.domain.tag) return [packet];
      const body = decode(DKG_KINDS.deal.schema, env.value.body);
      const f = randomPolynomial(3, ctx.random); // a valid deal of some other secret
      const boxes = newKeys.map((key, k) => sealShare(encodeScalar(evaluatePolynomial(f, k + 1)), key, body.session, 2, k + 1, ctx.random));
      return [sealStrong(DKG_KINDS.deal, { ...body, commitments: commitPolynomial(f).map((c) => encodeG2(c)), boxes }, ctx)];
    };
    const run = runReshare({ from: old, keep: [1, 2, 3], newcomers: 2, threshold: 3, seed: 15, tamper });
    for (const r of run.results.values()) assert.deepEqual(r.qualified, [1, 3, 4, 5]);
    assertReshared(run, oldKey, 3, 5);
  });

  test('fewer than t_old old dealers online: the reshare fails with too-few-qualified, never a new key', () => {
    const run = runReshare({ from: old, keep: [1, 2, 3], newcomers: 2, threshold: 3, seed: 16, offline: [3, 4, 5] });
    const finished = run.members.filter((m) => m !== undefined);
    assert.ok(finished.length > 0);
    for (const m of finished) {
      assert.equal(m!.phase, 'failed');
      assert.equal(m!.failure?.details.reason, 'too-few-qualified');
    }
  });
});
