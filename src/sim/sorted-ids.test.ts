import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../common/clock.ts';
import { compareDistance } from '../dht/node-id.ts';
import { SortedIds, lexCompare, lowerBound } from './sorted-ids.ts';

test('SortedIds keeps order through inserts and removes, and finds the XOR-closest exactly', () => {
  const rng = new SeededRandom(7);
  const set = new SortedIds();
  const live: Uint8Array[] = [];
  for (let i = 0; i < 2_000; i++) {
    const a = rng.bytes(32);
    set.insert(a);
    live.push(a);
  }
  for (let i = 0; i < 500; i++) {
    const [gone] = live.splice(rng.nextU32() % live.length, 1);
    set.remove(gone!);
  }
  set.remove(rng.bytes(32)); // absent: no change
  assert.equal(set.ids.length, 1_500);
  for (let i = 1; i < set.ids.length; i++) assert.ok(lexCompare(set.ids[i - 1]!, set.ids[i]!) < 0);
  for (let q = 0; q < 200; q++) {
    const target = rng.bytes(32);
    const brute = [...live].sort((a, b) => compareDistance(target, a, b));
    assert.equal(set.closest(target, 1)[0], brute[0]);
    // Beyond the first the window is approximate, but its members are real and in XOR order.
    const eight = set.closest(target, 8);
    assert.equal(eight.length, 8);
    for (let i = 1; i < 8; i++) assert.ok(compareDistance(target, eight[i - 1]!, eight[i]!) < 0);
  }
  assert.deepEqual(new SortedIds().closest(rng.bytes(32), 3), []);
});

test('lowerBound finds the range of addresses sharing a prefix', () => {
  const rng = new SeededRandom(3);
  const ids = Array.from({ length: 1_000 }, () => rng.bytes(32)).sort(lexCompare);
  const p = ids[400]!;
  for (const bits of [0, 1, 5, 8, 11, 256]) {
    const lo = lowerBound(ids, p, bits, false);
    const hi = lowerBound(ids, p, bits, true);
    const sharing = ids.filter((a) => {
      for (let b = 0; b < bits; b++) if (((a[b >>> 3]! ^ p[b >>> 3]!) & (0x80 >>> (b & 7))) !== 0) return false;
      return true;
    });
    assert.equal(hi - lo, sharing.length, `bits ${bits}`);
    assert.deepEqual(ids.slice(lo, hi), sharing);
  }
});
