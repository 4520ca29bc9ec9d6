/**
 * The DKG among n members over pure message passing with a virtual clock (src/testnet/dkg-harness.ts): honest runs
 * take the fast path; a dealer who sends bad shares is disqualified unless it justifies them correctly; a silent
 * member, an equivocating dealer, and replayed, foreign or forged packets are handled; the shares sign as a t-of-n group.
 * Dishonest members are played with valid packets signed by their own keys.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { runDkg, type HarnessOptions, type HarnessRun } from '../../testnet/dkg-harness.ts';
import { decodeEnvelope, signerOf } from '../../wire/envelope.ts';
import { decode } from '../../wire/codec.ts';
import { sealStrong } from '../../wire/strong-envelope.ts';
import { DKG_KINDS } from './messages.ts';
import { sealShare } from './share-box.ts';
import { decodeG2, encodeG1, encodeG2, encodeScalar } from '../bls/points.ts';
import { commitPolynomial, evaluateCommitments, evaluatePolynomial, randomPolynomial } from '../bls/polynomial.ts';
import { checkPartials, tcombine, tsign, tverify } from '../bls/threshold.ts';
import { bytesEqual } from '../../common/bytes.ts';

const message = new TextEncoder().encode('certificate message');
type Tamper = NonNullable<HarnessOptions['tamper']>;

/** Every honest member finished with the same QUAL and key; their shares match the public polynomial; any t sign; t − 1 do not. */
function assertGroup(run: HarnessRun, threshold: number, qualified: number[], dishonest: number[] = []): void {
  const results = [...run.results].filter(([i]) => !dishonest.includes(i)).map(([, r]) => r);
  assert.ok(results.length >= threshold);
  for (const r of results) {
    assert.deepEqual(r.qualified, qualified);
    assert.ok(bytesEqual(r.groupKey, results[0]!.groupKey));
  }
  const poly = results[0]!.publicPolynomial.map((c) => decodeG2(c));
  const groupKey = decodeG2(results[0]!.groupKey);
  const partials = results.map((r) => tsign(r.share, message));
  const checked = checkPartials(partials, message, (i) => evaluateCommitments(poly, i));
  assert.deepEqual(checked.invalid, [], 'every honest member’s share matches the public polynomial');
  assert.equal(tverify(encodeG1(tcombine(checked.valid.slice(-threshold), threshold)), message, groupKey), true);
  assert.equal(tverify(encodeG1(tcombine(checked.valid.slice(0, threshold - 1), threshold - 1)), message, groupKey), false);
}

function kindOf(packet: Uint8Array): string {
  const env = decodeEnvelope(packet);
  return env.kind === 'strong' ? env.value.domain : '';
}

/** Member keys of a harness seed (the harness derives them from the seed alone). */
function keysOf(n: number, seed: number): Uint8Array[] {
  return runDkg({ n, threshold: 1, seed, offline: Array.from({ length: n }, (_, k) => k + 1) }).signers.map((s) => s.publicKey);
}

/** `dealer` seals garbage shares to `victims`, then justifies honestly, stays silent, or reveals wrong shares. */
function badShares(dealer: number, victims: number[], keys: Uint8Array[], justification: 'honest' | 'silent' | 'lie'): Tamper {
  return (from, packet, ctx) => {
    if (from !== dealer) return [packet];
    const kind = kindOf(packet);
    const env = decodeEnvelope(packet);
    if (env.kind !== 'strong') return [packet];
    if (kind === DKG_KINDS.deal.domain.tag) {
      const body = decode(DKG_KINDS.deal.schema, env.value.body);
      const boxes = body.boxes.map((box, k) => (victims.includes(k + 1) ? sealShare(encodeScalar(12345n + BigInt(k)), keys[k]!, body.session, dealer, k + 1, ctx.random) : box));
      return [sealStrong(DKG_KINDS.deal, { ...body, boxes }, ctx)];
    }
    if (kind === DKG_KINDS.justification.domain.tag && justification !== 'honest') {
      if (justification === 'silent') return [];
      const body = decode(DKG_KINDS.justification.schema, env.value.body);
      return [sealStrong(DKG_KINDS.justification, { ...body, revealed: body.revealed.map((r) => ({ ...r, share: encodeScalar(777n) })) }, ctx)];
    }
    return [packet];
  };
}

describe('DKG (Joint-Feldman with complaints and justifications) over pure message passing', () => {
  test('honest run, n = 5, t = 3: the fast path (no justification phase, no deadline waited), all qualified, a working 3-of-5 group', () => {
    const run = runDkg({ n: 5, threshold: 3, seed: 1 });
    assert.equal(run.results.size, 5);
    for (const m of run.members) assert.deepEqual(m?.history, ['deal', 'response', 'done']);
    assert.equal(run.virtualMs, 0);
    assertGroup(run, 3, [1, 2, 3, 4, 5]);
  });

  for (const mode of ['silent', 'lie'] as const) {
    test(`a dealer who sends bad shares and then ${mode === 'silent' ? 'does not justify' : 'reveals wrong shares'} is disqualified; the DKG completes without it`, () => {
      const run = runDkg({ n: 5, threshold: 3, seed: 2, tamper: badShares(2, [3, 4], keysOf(5, 2), mode) });
      for (const i of [1, 3, 4, 5]) assert.ok(run.members[i - 1]!.history.includes('justification'));
      assertGroup(run, 3, [1, 3, 4, 5], [2]);
    });
  }

  test('a dealer who sends a bad share but justifies it with the right one stays; the complainer uses the revealed share', () => {
    const run = runDkg({ n: 5, threshold: 3, seed: 3, tamper: badShares(4, [1], keysOf(5, 3), 'honest') });
    assert.deepEqual(run.members[0]!.history, ['deal', 'response', 'justification', 'done']);
    assertGroup(run, 3, [1, 2, 3, 4, 5]);
  });

  test('a member that is silent throughout is left out after the deadlines; the rest complete', () => {
    const run = runDkg({ n: 5, threshold: 3, seed: 4, offline: [5] });
    assert.equal(run.results.size, 4);
    assert.equal(run.virtualMs, 30_000, 'waited out the three 10 s phases');
    assertGroup(run, 3, [1, 2, 3, 4]);
  });

  test('a member that deals and then goes silent stays qualified (its deal was good); the rest complete', () => {
    const run = runDkg({ n: 5, threshold: 3, seed: 5, tamper: (from, packet) => (from === 2 && kindOf(packet) !== DKG_KINDS.deal.domain.tag ? [] : [packet]) });
    assertGroup(run, 3, [1, 2, 3, 4, 5], [2]);
  });

  test('too many silent members: the DKG fails with a typed error instead of producing a key', () => {
    const run = runDkg({ n: 5, threshold: 3, seed: 9, offline: [3, 4, 5] });
    for (const m of run.members.slice(0, 2)) {
      assert.equal(m!.phase, 'failed');
      assert.equal(m!.failure?.details.reason, 'too-few-qualified');
    }
  });

  test('a dealer who sends two different valid deals to two halves is caught by the echoed hashes and the forwarded deals', () => {
    const keys = keysOf(5, 6);
    const tamper: Tamper = (from, packet, ctx) => {
      if (from !== 1 || kindOf(packet) !== DKG_KINDS.deal.domain.tag) return [packet];
      const env = decodeEnvelope(packet);
      if (env.kind !== 'strong') return [packet];
      const body = decode(DKG_KINDS.deal.schema, env.value.body);
      // A second, fully consistent deal from another polynomial: each half alone sees nothing wrong with its shares.
      const f = randomPolynomial(3, ctx.random);
      const other = {
        ...body,
        commitments: commitPolynomial(f).map((c) => encodeG2(c)),
        boxes: keys.map((key, k) => sealShare(encodeScalar(evaluatePolynomial(f, k + 1)), key, body.session, 1, k + 1, ctx.random)),
      };
      return [{ packet, to: [2, 3] }, { packet: sealStrong(DKG_KINDS.deal, other, ctx), to: [4, 5] }];
    };
    const run = runDkg({ n: 5, threshold: 3, seed: 6, tamper });
    for (const i of [2, 3, 4, 5]) assert.ok(run.members[i - 1]!.history.includes('justification'));
    assertGroup(run, 3, [2, 3, 4, 5], [1]);
  });

  test('replayed packets, packets of another session and packets from non-members are refused with typed errors', () => {
    const outsider = signerOf(secp256k1.utils.randomSecretKey());
    const tamper: Tamper = (from, packet, ctx) => {
      if (from !== 1 || kindOf(packet) !== DKG_KINDS.deal.domain.tag) return [packet];
      const env = decodeEnvelope(packet);
      if (env.kind !== 'strong') return [packet];
      const body = decode(DKG_KINDS.deal.schema, env.value.body);
      const wrongSession = sealStrong(DKG_KINDS.deal, { ...body, session: new Uint8Array(32).fill(9) }, ctx);
      return [
        wrongSession, // another session
        wrongSession, // the same bytes again: a replay
        sealStrong(DKG_KINDS.deal, { ...body, dealer: 3 }, { ...ctx, signer: outsider }), // a stranger claiming to be member 3
        sealStrong(DKG_KINDS.deal, { ...body, dealer: 2 }, ctx), // member 1 claiming to be member 2
        packet,
        sealStrong(DKG_KINDS.deal, body, ctx), // a second deal, freshly signed
      ];
    };
    const run = runDkg({ n: 4, threshold: 2, seed: 7, tamper });
    for (const i of [2, 3, 4]) {
      assert.deepEqual(
        run.refused.get(i)!.map((e) => e.code),
        ['DKG_WRONG_SESSION', 'WIRE_REPLAYED', 'DKG_NON_MEMBER', 'DKG_INDEX_MISMATCH', 'DKG_DUPLICATE'],
      );
    }
    assertGroup(run, 2, [1, 2, 3, 4]);
  });

  test('a member flooding packets is cut off after a few refusals; memory stays bounded and the DKG completes', () => {
    const tamper: Tamper = (from, packet, ctx) => {
      const env = decodeEnvelope(packet);
      if (from !== 3 || env.kind !== 'strong' || env.value.domain !== DKG_KINDS.deal.domain.tag) return [packet];
      const body = decode(DKG_KINDS.deal.schema, env.value.body);
      // 40 validly signed packets of a foreign session (each with a fresh nonce), then the real deal.
      const junk = Array.from({ length: 40 }, () => sealStrong(DKG_KINDS.deal, { ...body, session: new Uint8Array(32).fill(1) }, ctx));
      return [...junk, packet];
    };
    const run = runDkg({ n: 4, threshold: 2, seed: 10, tamper });
    for (const i of [1, 2, 4]) {
      const codes = run.refused.get(i)!.map((e) => e.code);
      assert.equal(codes.filter((c) => c === 'DKG_WRONG_SESSION').length, 8, 'signature-checked until the cap');
      // The other 32, the real deal, and everything member 3 sends afterwards (its response, its justification).
      assert.ok(codes.filter((c) => c === 'DKG_FLOODING').length >= 33, 'then dropped unread, the real deal included');
      assert.ok(run.members[i - 1]!.refusedCount <= 64);
    }
    assertGroup(run, 2, [1, 2, 4], [3]);
  });
});
