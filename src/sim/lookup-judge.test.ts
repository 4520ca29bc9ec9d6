import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupResult } from '../dht/dht-node.ts';
import { ANSWERED, FAILED, PENDING } from '../dht/lookup.ts';
import { LookupJudge, type FailureKind } from './lookup-judge.ts';

const addr = (n: number): Uint8Array => new Uint8Array(32).fill(n);

/**
 * Test double for a finished lookup: only what the judge reads (which candidates it saw, in which
 * state and at which depth; who answered; how many messages). The real state machine is covered by
 * src/dht/lookup.test.ts and the simulator tests.
 */
function finishedLookup(seen: Map<Uint8Array, { state: number; depth: number }>, answered: Uint8Array[], messages = 10): LookupResult {
  return {
    closest: answered.map((address) => ({ address, ip: '10.0.0.1', port: 1 })),
    lookup: { find: (a: Uint8Array) => seen.get(a) },
    messages,
  } as unknown as LookupResult;
}

test('a lookup is judged against the first node closest at its start that is still alive', () => {
  const [a, b, c] = [addr(1), addr(2), addr(3)];
  const live = new Set([b, c]); // a left during the lookup
  const seen: { kind: FailureKind; truth: Uint8Array }[] = [];
  const judge = new LookupJudge((x) => live.has(x), (_i, kind, truth) => seen.push({ kind, truth }));
  judge.started(0);
  judge.finished(0, { closestAtStart: [a, b, c], startedMs: 0 }, finishedLookup(new Map([[b, { state: ANSWERED, depth: 2 }]]), [b]), 1_500, true);
  // b answered (a left): success, but not against the closest at the start.
  judge.started(1);
  judge.finished(1, { closestAtStart: [b, c], startedMs: 0 }, finishedLookup(new Map([[b, { state: FAILED, depth: 1 }]]), [c]), 500, true);
  judge.started(2);
  judge.finished(2, { closestAtStart: [c], startedMs: 0 }, finishedLookup(new Map(), [b]), 500, true);
  judge.started(3);
  judge.finished(3, { closestAtStart: [c], startedMs: 0 }, finishedLookup(new Map([[c, { state: PENDING, depth: 3 }]]), [b]), 500, true);
  judge.started(4);
  judge.finished(4, { closestAtStart: [b], startedMs: 0 }, finishedLookup(new Map(), []), 500, true);
  judge.started(5); // initiator left: not judged
  judge.finished(5, { closestAtStart: [b], startedMs: 0 }, finishedLookup(new Map(), []), 500, false);
  judge.started(6); // never finishes: a failure
  const h = judge.headline();
  assert.equal(h.successRate, 1 / 6);
  assert.deepEqual(h.hops, { mean: 2, p50: 2, p99: 2, max: 2 });
  assert.equal(h.messagesPerLookup, 10);
  const d = judge.details(7);
  assert.deepEqual(d.failures, { targetNotSeen: 1, targetTimedOut: 1, targetNeverAsked: 1, noAnswers: 1, unfinished: 1 });
  assert.deepEqual(d.excluded, { initiatorDeparted: 1 });
  assert.equal(d.completed, 6);
  assert.equal(d.judged, 6);
  assert.equal(d.closestAtStartDeparted, 1);
  assert.equal(d.successRateAgainstClosestAtStart, 0);
  assert.deepEqual(seen.map((s) => s.kind), ['targetTimedOut', 'targetNotSeen', 'targetNeverAsked', 'noAnswers']);
  assert.equal(seen[0]!.truth, b);
});

test('no lookups judged: success rate 0, not NaN', () => {
  const judge = new LookupJudge(() => true);
  assert.equal(judge.headline().successRate, 0);
  assert.deepEqual(judge.details(0).lookupSeconds, { mean: 0, p50: 0, p99: 0 });
});

test('a value lookup succeeds only with the published record; a departed publisher excuses it', () => {
  const publisher = addr(9);
  const wanted = { namespace: '/hcs/', name: addr(5), value: new Uint8Array([1, 2, 3]), publisher, seq: 1, expiresAt: 10_000, signature: new Uint8Array(65) };
  const judge = new LookupJudge(() => true, undefined, 'value');
  const withRecord = (depth: number) => ({ ...finishedLookup(new Map(), [addr(1)]), record: wanted, recordDepth: depth }) as LookupResult;
  for (let i = 0; i < 5; i++) judge.started(i);
  judge.finishedValue(0, 0, wanted, wanted, withRecord(3), 100, true);
  judge.finishedValue(1, 0, wanted, wanted, { ...finishedLookup(new Map(), [addr(1)]), record: null } as LookupResult, 100, true); // the initiator's own copy: hop 0
  judge.finishedValue(2, 0, wanted, { ...wanted, value: new Uint8Array([9]) }, withRecord(2), 100, true); // another value
  judge.finishedValue(3, 0, wanted, null, finishedLookup(new Map(), []), 100, true);
  judge.excuse(4, 'publisherDeparted');
  const h = judge.headline();
  assert.equal(h.successRate, 2 / 4);
  assert.deepEqual(h.hops, { mean: 1.5, p50: 3, p99: 3, max: 3 });
  const d = judge.details(5);
  assert.deepEqual(d.failures, { recordNotFound: 1, noAnswers: 1, unfinished: 0 });
  assert.deepEqual(d.excluded, { initiatorDeparted: 0, publisherDeparted: 1 });
});
