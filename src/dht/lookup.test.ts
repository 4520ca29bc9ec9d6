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
