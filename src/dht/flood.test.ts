/**
 * Floods of valid messages on the in-memory network (issue 12; pure core, virtual clock, exact
 * counts): a store flood from many cheap identities fills the stores without refusing honest
 * records, provider sybils cannot hide an honest provider, and identities sharing a /24 share
 * its request budget. The libp2p versions are in src/node/dht-attacks.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDhtTestnet } from '../sim/dht-testnet.ts';
import { memoryPeer } from '../testnet/memory-sybils.ts';
import type { DhtRecord } from './messages.ts';

const SMALL = { maxStoredRecords: 40, maxRecordsPerPublisher: 4, maxRecordsPerSubnet: 10, maxProvidersPerKey: 16, maxProviderRecords: 64 };
const utf8 = new TextEncoder();

function record(publisher: Uint8Array, name: string, now: number): DhtRecord {
  return { namespace: '/hcs/', name: utf8.encode(name), value: new Uint8Array(100), publisher, seq: 1, expiresAt: now + 3_600_000, signature: new Uint8Array(65) };
}

test('a store flood from 40 identities in 8 /24s fills every store; honest puts during and after it are stored at the closest nodes and found', () => {
  const net = createDhtTestnet(24, { seed: 11, dht: SMALL });
  let floodStored = 0;
  let floodRefused = 0;
  let during = 0;
  for (let i = 0; i < 40; i++) {
    const p = memoryPeer(net, Object.freeze({ address: net.random.bytes(32), ip: `10.66.${i % 8}.${1 + i}`, port: 0 }));
    for (const n of net.nodes) for (let j = 0; j < 6; j++) p.sendNow(n.self, { type: 'STORE', record: record(p.self.address, `flood-${i}-${j}`, net.clock.now()) });
    if (i % 10 === 5) {
      // An honest put while the flood is arriving.
      const publisher = net.nodes[10 + i / 5]!;
      publisher.put(record(publisher.self.address, `during-${i}`, net.clock.now()), (n) => (during += n >= 15 ? 1 : 0));
    }
    net.clock.advance(3_000);
    for (const a of p.answers) if (a.type === 'STORED') a.ok ? floodStored++ : floodRefused++;
  }
  net.clock.advance(20_000);
  assert.equal(during, 4, 'the 4 honest puts made during the flood were stored at ≥ 15 of their 16 closest nodes');
  for (const n of net.nodes) assert.equal(n.stores.records, SMALL.maxStoredRecords, 'every store is full');
  assert.ok(floodRefused > floodStored, `stored ${floodStored}, refused ${floodRefused}`);
  // Honest publishers, each from its own /24, put after the flood: every copy is accepted, and found.
  for (let h = 0; h < 5; h++) {
    const publisher = net.nodes[h]!;
    let stored = -1;
    publisher.put(record(publisher.self.address, `honest-${h}`, net.clock.now()), (n) => (stored = n));
    net.clock.advance(20_000);
    // The 16th closest may know 16 nodes closer than itself (its own view): a full store takes only
    // keys it counts itself responsible for, so 15 is the floor.
    assert.ok(stored >= 15, `honest put ${h} stored at ${stored} of 16`);
    let found: DhtRecord | null = null;
    net.nodes[23 - h]!.get('/hcs/', utf8.encode(`honest-${h}`), (r) => (found = r));
    net.clock.advance(20_000);
    assert.ok(found, `honest record ${h} found`);
  }
  for (const n of net.nodes) assert.ok(n.stores.records <= SMALL.maxStoredRecords);
});

test('60 provider sybils in 3 /24s announcing a key after its honest provider do not hide it; the stores stay bounded', () => {
  const net = createDhtTestnet(24, { seed: 12, dht: SMALL });
  const key = net.random.bytes(32);
  const honest = net.nodes[4]!;
  let provided = -1;
  honest.provide(key, () => new Uint8Array(65), (n) => (provided = n));
  net.clock.advance(20_000);
  assert.equal(provided, 16);
  for (let i = 0; i < 60; i++) {
    const self = Object.freeze({ address: net.random.bytes(32), ip: `10.67.${i % 3}.${1 + i}`, port: 4001 });
    const p = memoryPeer(net, self);
    for (const n of net.nodes) p.sendNow(n.self, { type: 'ADD_PROVIDER', provider: { key, provider: self, expiresAt: Math.floor(net.clock.now()) + 3_600_000, signature: new Uint8Array(65) } }, { ...self, port: 0 });
    net.clock.advance(1_000);
  }
  for (const n of net.nodes) {
    const held = n.storedProviders(key);
    assert.ok(held.length <= 1 + 3 * 2, `${held.length} held: 2 per /24`);
    assert.ok(n.stores.providers <= SMALL.maxProviderRecords);
  }
  for (const asker of [net.nodes[9]!, net.nodes[17]!]) {
    let found: Uint8Array[] = [];
    asker.getProviders(key, (ps) => (found = ps.map((p) => p.provider.address)));
    net.clock.advance(20_000);
    assert.ok(found.some((a) => a === honest.self.address || a.every((b, i) => b === honest.self.address[i])), 'the honest provider is found');
  }
});

test('30 identities on one /24 share its request budget; a node on another /24 is answered', () => {
  // Constant latency, no jitter: a burst sent at one instant arrives at one instant (no refill between).
  const net = createDhtTestnet(10, { seed: 13, dht: { rateLimitPerSubnetPerSecond: 80, rateLimitPerSubnetBurst: 200 }, network: { latency: { kind: 'constant', ms: 20 }, jitterMs: 0 } });
  const victim = net.nodes[3]!;
  const peers = Array.from({ length: 30 }, (_, i) => memoryPeer(net, Object.freeze({ address: net.random.bytes(32), ip: `10.68.0.${1 + i}`, port: 0 })));
  // 30 × 20 = 600 requests at one instant: each identity within its own burst (50), the IP limit
  // (burst 100) never reached by one identity's 20; only the /24's burst of 200 can refuse.
  for (const p of peers) for (let j = 0; j < 20; j++) p.sendNow(victim.self, { type: 'FIND_NODE', target: p.self.address });
  net.clock.advance(2_000);
  const answered = peers.reduce((a, p) => a + p.answers.length, 0);
  assert.equal(answered, 200);
  assert.equal(victim.stats.dropped['rate-limited'], 400);
  const other = memoryPeer(net, Object.freeze({ address: net.random.bytes(32), ip: '10.69.0.1', port: 0 }));
  other.send(victim.self, { type: 'FIND_NODE', target: other.self.address });
  assert.equal(other.answers.length, 1);
  // Control: 120 requests from one IP are capped by the per-IP burst (100).
  const single = Array.from({ length: 6 }, () => memoryPeer(net, Object.freeze({ address: net.random.bytes(32), ip: '10.70.0.1', port: 0 })));
  for (const p of single) for (let j = 0; j < 20; j++) p.sendNow(victim.self, { type: 'FIND_NODE', target: p.self.address });
  net.clock.advance(1_000);
  assert.equal(single.reduce((a, p) => a + p.answers.length, 0), 100);
});
