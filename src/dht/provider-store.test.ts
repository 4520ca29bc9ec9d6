/**
 * The provider store (issue 12 items 2 and 4): a total bound, per-key and per-/24 shares, the
 * earliest live providers kept, and answers that sybils from a few /24s cannot crowd.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../common/bytes.ts';
import type { ProviderRecord } from './messages.ts';
import { ProviderStore } from './provider-store.ts';
import type { StoreOrigin } from './store-origin.ts';

const now = 1_700_000_000_000;
let counter = 0;
const key = new Uint8Array(32).fill(9);

function announce(ip: string, k = key, expiresAt = now + 60_000): ProviderRecord {
  const address = new Uint8Array(32);
  address[0] = 0xaa;
  new DataView(address.buffer).setUint32(28, ++counter);
  return { key: k, provider: { address, ip, port: 4001 }, expiresAt, signature: new Uint8Array(65) };
}
const at = (subnet: number, t = now, responsible = true): StoreOrigin => ({ subnet, responsible, closeness: 10, now: t });
const limits = { maxRecords: 1_000, maxPerKey: 64, maxPerSubnetPerKey: 2, maxPerProvider: 8, maxPerSubnet: 100 };

test('sybils announcing after an honest provider cannot push it out of the key or out of the answers', () => {
  const store = new ProviderStore(limits);
  const honest = announce('10.1.1.1');
  assert.equal(store.add(honest, at(0x0a0101)), 'stored');
  // 20 sybils from one /24: 2 are kept, 18 refused.
  let kept = 0;
  for (let i = 0; i < 20; i++) if (store.add(announce(`10.66.0.${i + 1}`), at(0x0a4200, now + i)) === 'stored') kept++;
  assert.equal(kept, 2);
  // 200 more from 100 /24s fill the key (64); later ones are refused; the honest one stays.
  for (let s = 0; s < 100; s++) for (let j = 0; j < 2; j++) store.add(announce(`10.67.${s}.${j + 1}`), at(0x0a4300 + s, now + 100 + s));
  assert.equal(store.get(key, now + 500, 1_000).length, 64);
  const answer = store.get(key, now + 500, 20);
  assert.equal(answer.length, 20);
  assert.equal(toHex(answer[0]!.provider.address), toHex(honest.provider.address), 'the earliest provider comes first');
  // A re-announcement keeps its place (first-seen), it is not treated as a newcomer.
  assert.equal(store.add({ ...honest, expiresAt: now + 90_000 }, at(0x0a0101, now + 600)), 'stored');
  assert.equal(toHex(store.get(key, now + 700, 20)[0]!.provider.address), toHex(honest.provider.address));
});

test('answers take one provider per /24 in turn, so one /24 cannot fill an answer', () => {
  const store = new ProviderStore({ ...limits, maxPerSubnetPerKey: 10 });
  for (let i = 0; i < 10; i++) store.add(announce(`10.66.0.${i + 1}`), at(0x0a4200, now + i));
  const late = announce('10.9.9.9');
  store.add(late, at(0x0a0909, now + 50));
  const answer = store.get(key, now + 60, 3);
  assert.equal(answer.filter((p) => p.provider.ip === '10.9.9.9').length, 1, 'the other /24 is in a 3-provider answer');
});

test('the total bound holds under a flood of keys; per provider and per /24 shares too; expired entries are swept', () => {
  const store = new ProviderStore({ ...limits, maxRecords: 50, maxPerSubnet: 20, maxPerProvider: 3 });
  let stored = 0;
  for (let s = 0; s < 30; s++) for (let i = 0; i < 30; i++) if (store.add(announce(`10.${s}.0.1`, new Uint8Array(32).fill(i)), at(s, now, s % 2 === 0)) === 'stored') stored++;
  assert.ok(store.size <= 50, `held ${store.size}`);
  const one = announce('10.200.0.1');
  const same = (k: number): ProviderRecord => ({ ...one, key: new Uint8Array(32).fill(k) });
  const outcomes = [1, 2, 3, 4].map((k) => store.add(same(100 + k), at(200)));
  assert.equal(outcomes[3], 'refused-publisher-share');
  assert.deepEqual(outcomes.slice(0, 3), ['stored', 'stored', 'stored'], 'a newcomer responsible for its keys evicts entries we are not responsible for');
  const held = store.size;
  assert.equal(store.sweep(now + 60_001), held);
  assert.equal(store.size, 0);
});
