/**
 * The record store's bounds and eviction (issue 12 item 3): shares per publisher and per /24, a
 * full store that still takes an honest record it is responsible for, and never lets a flood churn
 * out what it holds. Records are as a flood would send them: valid, from many cheap publishers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DhtRecord } from './messages.ts';
import { RecordStore } from './record-store.ts';
import { DEFAULT_VALIDATORS, recordKey } from './records.ts';
import type { StoreOrigin } from './store-origin.ts';

const now = 1_700_000_000_000;
const hcs = DEFAULT_VALIDATORS['/hcs/']!;
let counter = 0;

function record(publisherByte: number, name = `n${counter++}`, seq = 1): DhtRecord {
  return { namespace: '/hcs/', name: new TextEncoder().encode(name), value: new Uint8Array(10), publisher: new Uint8Array(32).fill(publisherByte), seq, expiresAt: now + 60_000, signature: new Uint8Array(65) };
}
const at = (subnet: number, responsible = true, closeness = 10, t = now): StoreOrigin => ({ subnet, responsible, closeness, now: t });
const put = (s: RecordStore, r: DhtRecord, o: StoreOrigin) => s.put(recordKey(r.namespace, r.name), r, hcs, o);

test('the record store drops records when they expire', () => {
  const store = new RecordStore({ maxRecords: 10, maxPerPublisher: 10, maxPerSubnet: 10 });
  const r = record(1);
  const key = recordKey(r.namespace, r.name);
  assert.equal(put(store, r, at(1)), 'stored');
  assert.deepEqual(store.get(key, now)?.name, r.name);
  assert.equal(store.get(key, r.expiresAt), null);
  put(store, r, at(1));
  assert.equal(store.sweep(r.expiresAt + 1), 1);
  assert.equal(store.size, 0);
});

test('one publisher and one /24 get only their share; the publisher still updates what it holds', () => {
  const store = new RecordStore({ maxRecords: 100, maxPerPublisher: 3, maxPerSubnet: 5 });
  const mine = [record(7), record(7), record(7)];
  for (const r of mine) assert.equal(put(store, r, at(1)), 'stored');
  assert.equal(put(store, record(7), at(1)), 'refused-publisher-share');
  assert.equal(put(store, { ...mine[0]!, seq: 2 }, at(1)), 'stored', 'an update of a held record needs no new share');
  assert.equal(put(store, record(8), at(1)), 'stored');
  assert.equal(put(store, record(9), at(1)), 'stored');
  assert.equal(put(store, record(10), at(1)), 'refused-subnet-share', 'fresh publishers from the same /24 buy nothing');
  assert.equal(put(store, record(10), at(2)), 'stored');
});

test('a store filled by a flood from many /24s still takes an honest record it is responsible for, and the flood cannot churn it out', () => {
  const store = new RecordStore({ maxRecords: 64, maxPerPublisher: 4, maxPerSubnet: 16 });
  // The flood: 4 /24s × 16 records (4 publishers each), all for keys we are responsible for.
  let flooded = 0;
  for (let subnet = 100; subnet < 104; subnet++) for (let i = 0; i < 16; i++) if (put(store, record(subnet * 4 + (i % 4)), at(subnet)) === 'stored') flooded++;
  assert.equal(flooded, 64);
  assert.equal(store.size, 64);
  // Honest records from 10 other /24s arrive at a full store: each evicts the flood's newest.
  const honest = Array.from({ length: 10 }, (_, i) => record(200 + i));
  honest.forEach((r, i) => assert.equal(put(store, r, at(1_000 + i, true, 12, now + 1)), 'stored'));
  // The flood keeps coming from its /24s and from fresh ones: it never pushes an honest record out.
  let refused = 0;
  for (let subnet = 100; subnet < 140; subnet++) for (let i = 0; i < 8; i++) if (put(store, record(60 + (subnet % 50)), at(subnet, true, 10, now + 2)) !== 'stored') refused++;
  assert.ok(refused > 0);
  for (const r of honest) assert.ok(store.get(recordKey(r.namespace, r.name), now + 3), 'honest record still held');
  assert.equal(store.size, 64);
});

test('when full, records we are not responsible for go first, farthest key first; a stranger\'s far record is refused', () => {
  const store = new RecordStore({ maxRecords: 4, maxPerPublisher: 4, maxPerSubnet: 4 });
  const far = record(1);
  const nearer = record(2);
  put(store, far, at(1, false, 1));
  put(store, nearer, at(2, false, 5));
  put(store, record(3), at(3));
  put(store, record(4), at(4));
  assert.equal(put(store, record(5), at(5, false, 9)), 'refused-full', 'a full store takes only keys it is responsible for');
  assert.equal(put(store, record(6), at(6)), 'stored');
  assert.equal(store.get(recordKey(far.namespace, far.name), now), null, 'the farthest non-responsible record went first');
  assert.ok(store.get(recordKey(nearer.namespace, nearer.name), now));
});

test('stored records own their bytes: a record decoded as a view into a large frame does not pin the frame', () => {
  const frame = new Uint8Array(16 * 1024);
  const r: DhtRecord = { ...record(1), value: frame.subarray(100, 110), name: frame.subarray(0, 4), signature: frame.subarray(200, 265) };
  const store = new RecordStore({ maxRecords: 4, maxPerPublisher: 4, maxPerSubnet: 4 });
  put(store, r, at(1));
  const held = store.get(recordKey(r.namespace, r.name), now)!;
  assert.equal(held.value.buffer.byteLength, 10);
  assert.equal(held.signature.buffer.byteLength, 65);
});
