import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../common/clock.ts';
import { DEFAULTS } from './defaults.ts';
import type { ContactInfo } from './messages.ts';
import { commonPrefixLength, compareDistance, randomIdInBucket } from './node-id.ts';
import { RoutingTable, subnetOf } from './routing-table.ts';

const r = new SeededRandom(11);
let ipSeq = 0;
function contact(address: Uint8Array, ip?: string): ContactInfo {
  ipSeq++;
  return Object.freeze({ address, ip: ip ?? `10.${(ipSeq >> 8) & 255}.${ipSeq & 255}.7`, port: 4001 });
}
const opts = { ...DEFAULTS, k: 4, replication: 1, siblingFactor: 1, replacementCacheSize: 3 };

test('a full bucket keeps its live contacts and puts newcomers in the replacement cache', () => {
  const self = r.bytes(32);
  const t = new RoutingTable(self, opts);
  const members = Array.from({ length: 4 }, () => contact(randomIdInBucket(self, 0, r)));
  for (const c of members) assert.equal(t.offer(c, 1, true), 'added');
  const newcomer = contact(randomIdInBucket(self, 0, r));
  assert.equal(t.offer(newcomer, 2, true), 'replacement');
  assert.equal(t.bucketSize(0), 4);
  assert.deepEqual(
    [...t.all()].map((c) => c.info),
    members,
  );
  assert.equal(t.replacementsOf(0).length, 1);
  // Seeing a member again moves it to the tail (most recently seen), nothing is evicted.
  assert.equal(t.offer(members[0]!, 3, true), 'updated');
  assert.equal(t.bucketSize(0), 4);
});

test('a contact failing RPCs in a row becomes stale and a replacement takes its place', () => {
  const self = r.bytes(32);
  const t = new RoutingTable(self, { ...opts, staleAfterFailures: 5, staleAfterFailuresWithReplacement: 2 });
  const members = Array.from({ length: 4 }, () => contact(randomIdInBucket(self, 0, r)));
  for (const c of members) t.offer(c, 1, true);
  // No replacement waiting: 5 failures needed.
  for (let i = 0; i < 4; i++) assert.equal(t.recordFailure(members[0]!.address), false);
  t.recordSuccess(members[0]!.address, 50, 2, DEFAULTS); // an answer resets the count
  for (let i = 0; i < 4; i++) assert.equal(t.recordFailure(members[0]!.address), false);
  assert.equal(t.recordFailure(members[0]!.address), true);
  assert.equal(t.get(members[0]!.address), undefined);
  // With a replacement waiting, 2 failures suffice and the replacement is promoted.
  const spare = contact(randomIdInBucket(self, 0, r));
  t.offer(members[0]!, 3, true); // refill to 4
  assert.equal(t.offer(spare, 4, true), 'replacement');
  assert.equal(t.recordFailure(members[1]!.address), false);
  assert.equal(t.recordFailure(members[1]!.address), true);
  assert.ok(t.get(spare.address), 'replacement promoted');
  assert.equal(t.bucketSize(0), 4);
});

test('IP diversity: at most 2 per /24 per bucket and a per-table cap', () => {
  const self = r.bytes(32);
  const t = new RoutingTable(self, { ...DEFAULTS, maxPerSubnetPerBucket: 2, maxPerSubnetPerTable: 3 });
  assert.equal(t.offer(contact(randomIdInBucket(self, 0, r), '192.0.2.1'), 1, true), 'added');
  assert.equal(t.offer(contact(randomIdInBucket(self, 0, r), '192.0.2.2'), 1, true), 'added');
  assert.equal(t.offer(contact(randomIdInBucket(self, 0, r), '192.0.2.3'), 1, true), 'rejected-subnet-bucket');
  assert.equal(t.offer(contact(randomIdInBucket(self, 0, r), '192.0.3.3'), 1, true), 'added'); // another /24
  assert.equal(t.offer(contact(randomIdInBucket(self, 1, r), '192.0.2.4'), 1, true), 'added'); // 3rd in table
  assert.equal(t.offer(contact(randomIdInBucket(self, 2, r), '192.0.2.5'), 1, true), 'rejected-subnet-table');
  assert.equal(subnetOf('192.0.2.200'), subnetOf('192.0.2.1'));
  assert.notEqual(subnetOf('2001:db8:1::1'), subnetOf('2001:db8:2::1'));
  // One parser (src/wire/ip.ts): every spelling of an address is the same subnet.
  assert.equal(subnetOf('::ffff:192.0.2.9'), subnetOf('192.0.2.1'));
  assert.equal(subnetOf('2001:0DB8:0001:0:0:0:0:2'), subnetOf('2001:db8:1::1'));
  assert.equal(subnetOf('2001:db8::1'), subnetOf('2001:db8:0::2'));
  assert.notEqual(subnetOf('2001:db8::1'), subnetOf('192.0.2.1'));
});

test('χ rule: unsolicited contacts cannot enter our neighbourhood, solicited ones can', () => {
  const self = r.bytes(32);
  const t = new RoutingTable(self, { ...DEFAULTS, chi: 3 });
  // A mature table: buckets 0..12 populated.
  for (let i = 0; i <= 12; i++) for (let j = 0; j < 2; j++) t.offer(contact(randomIdInBucket(self, i, r)), 1, true);
  assert.equal(t.deepestBucket, 12);
  assert.equal(t.offer(contact(randomIdInBucket(self, 11, r)), 2, false), 'rejected-chi');
  assert.equal(t.offer(contact(randomIdInBucket(self, 10, r)), 2, false), 'rejected-chi');
  assert.equal(t.offer(contact(randomIdInBucket(self, 9, r)), 2, false), 'added');
  assert.equal(t.offer(contact(randomIdInBucket(self, 11, r)), 2, true), 'added');
});

test('closest() returns the same contacts as sorting the whole table by XOR distance', () => {
  for (let trial = 0; trial < 10; trial++) {
    const self = r.bytes(32);
    const t = new RoutingTable(self, DEFAULTS);
    for (let i = 0; i < 1500; i++) t.offer(contact(r.bytes(32)), 0, true);
    const all = [...t.all()];
    assert.ok(all.length > 100);
    for (let q = 0; q < 30; q++) {
      const target = q % 3 === 0 ? randomIdInBucket(self, 6 + q, r) : r.bytes(32);
      const want = all.slice().sort((a, b) => compareDistance(target, a.info.address, b.info.address)).slice(0, 16);
      assert.deepEqual(t.closest(target, 16), want);
      const unsorted = t.closest(target, 16, undefined, false);
      assert.deepEqual(new Set(unsorted), new Set(want));
    }
  }
});

test('the sibling zone keeps the η·s closest even when their buckets exceed k', () => {
  const self = r.bytes(32);
  const t = new RoutingTable(self, { ...DEFAULTS, k: 4, replication: 4, siblingFactor: 5 }); // 20 siblings
  const near = Array.from({ length: 20 }, (_, i) => contact(randomIdInBucket(self, 20 + (i % 3), r)));
  for (const c of near) t.offer(c, 0, true);
  assert.equal(t.siblings().length, 20);
  for (const c of t.siblings()) assert.ok(commonPrefixLength(self, c.info.address) >= 20);
});
