import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../common/clock.ts';
import { ANSWERED, DisjointLookup, FAILED, NEW, PENDING, type LookupOptions } from './lookup.ts';
import type { ContactInfo } from './messages.ts';
import { compareDistance } from './node-id.ts';

const rng = new SeededRandom(7);
const contact = (): ContactInfo => ({ address: rng.bytes(32), ip: `10.0.${rng.nextU32() % 256}.1`, port: 1 });
const options: LookupOptions = { disjointPaths: 2, parallelism: 1, quorum: 1, k: 4, retries: 0, retryClosest: 0, maxCandidates: 64 };

test('a stalled request frees its path slot but stays pending; the path stops only once it resolves', () => {
  const target = rng.bytes(32);
  const start = [contact(), contact(), contact(), contact()];
  const lk = new DisjointLookup(target, rng.bytes(32), start, options);
  const first = lk.next();
  assert.equal(first.length, 2); // one per path
  const slow = first[0]!;
  // Without a stall the path waits: nothing more for slow's path.
  assert.equal(lk.next().filter((c) => c.path === slow.path).length, 0);
  lk.onStall(slow);
  const more = lk.next().filter((c) => c.path === slow.path);
  assert.equal(more.length, 1);
  assert.equal(slow.state, PENDING);
  lk.onStall(slow); // a second stall changes nothing
  assert.equal(lk.next().filter((c) => c.path === slow.path).length, 0);
  // Answer everything except the stalled one: the lookup is not finished while it is due and pending.
  for (const c of [first[1]!, more[0]!]) lk.onAnswer(c, []);
  for (let guard = 0; guard < 10; guard++) for (const c of lk.next()) lk.onAnswer(c, []);
  assert.equal(lk.finished, false);
  lk.onAnswer(slow, []); // a late-but-not-timed-out answer still counts, without freeing a slot twice
  assert.equal(slow.state, ANSWERED);
  lk.next();
  assert.equal(lk.finished, true);
  assert.equal(lk.closestAnswered(4).length, 4);
});

test('addStart restarts a lookup whose every starting contact failed, with new contacts only', () => {
  const target = rng.bytes(32);
  const dead = [contact(), contact()];
  const lk = new DisjointLookup(target, rng.bytes(32), dead, options);
  for (const c of lk.next()) lk.onFailure(c);
  lk.next();
  assert.equal(lk.finished, true);
  assert.ok(lk.candidates.every((c) => c.state === FAILED));
  const fresh = [contact(), contact(), contact()];
  assert.equal(lk.addStart([...dead, ...fresh]), 3); // the failed ones are not re-added
  assert.equal(lk.finished, false);
  const asked = lk.next();
  assert.equal(asked.length, 2);
  for (const c of asked) assert.ok(fresh.includes(c.info), 'only new contacts are asked');
  assert.ok(lk.candidates.filter((c) => c.state === NEW).length === 1);
  const sorted = lk.candidates.map((c) => c.info.address);
  for (let i = 1; i < sorted.length; i++) assert.ok(compareDistance(target, sorted[i - 1]!, sorted[i]!) < 0);
  lk.stop();
  assert.equal(lk.addStart([contact()]), 0);
});

test('a hedge asks a stalled closest candidate again at once; it fails only when every copy timed out', () => {
  const target = rng.bytes(32);
  const lk = new DisjointLookup(target, rng.bytes(32), [contact(), contact(), contact()], { ...options, retries: 2, retryClosest: 1 });
  const [closest] = lk.next().sort((a, b) => compareDistance(target, a.info.address, b.info.address));
  assert.ok(closest && closest.retryable);
  const sent = lk.requests;
  assert.equal(lk.onStall(closest, true), true); // first hedge
  assert.equal(lk.onStall(closest, true), true); // second hedge (retries = 2)
  assert.equal(lk.onStall(closest, true), false); // no retries left
  assert.equal(lk.requests, sent + 2);
  assert.equal(closest.outstanding, 3);
  lk.onFailure(closest);
  lk.onFailure(closest);
  assert.equal(closest.state, PENDING, 'a copy is still out');
  lk.onFailure(closest);
  assert.equal(closest.state, FAILED, 'three tries, all timed out: no sequential retry after that');
  // Without hedging a stall never sends anything.
  const plain = new DisjointLookup(target, rng.bytes(32), [contact()], { ...options, retries: 2, retryClosest: 1 });
  const [only] = plain.next();
  assert.equal(plain.onStall(only!, false), false);
  assert.equal(only!.outstanding, 1);
});

test('a late answer counts while a retry is out or after the candidate failed, and only once', () => {
  const target = rng.bytes(32);
  const lk = new DisjointLookup(target, rng.bytes(32), [contact(), contact()], { ...options, retries: 1, retryClosest: 2 });
  const asked = lk.next();
  const [a, b] = asked;
  lk.onFailure(a!); // timed out: back to NEW for its retry
  assert.equal(a!.state, NEW);
  lk.onLateAnswer(a!, [contact()]); // the first request's answer arrives after all
  assert.equal(a!.state, ANSWERED);
  lk.onStall(b!, true); // hedged: two copies out
  lk.onLateAnswer(b!, []); // the first copy's late answer answers the candidate
  assert.equal(b!.state, ANSWERED);
  const before = lk.candidates.length;
  lk.onLateAnswer(b!, [contact()]); // the second copy's answer is ignored
  assert.equal(lk.candidates.length, before);
});
