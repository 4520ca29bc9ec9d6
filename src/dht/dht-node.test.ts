import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDhtTestnet } from '../sim/dht-testnet.ts';
import type { DhtNode } from './dht-node.ts';
import type { DhtEnvelope, DhtRecord, ProviderRecord } from './messages.ts';
import { compareDistance, type NodeAddress } from './node-id.ts';
import type { EnvelopeVerifier } from './ports.ts';
import { recordKey } from './records.ts';

function trueClosest(nodes: DhtNode[], target: NodeAddress, except: DhtNode, live = (_n: DhtNode) => true): DhtNode[] {
  return nodes.filter((n) => n !== except && live(n)).sort((a, b) => compareDistance(target, a.self.address, b.self.address));
}

function hcsRecord(publisher: Uint8Array, now: number, name: string, ttl = 3 * 3600_000): DhtRecord {
  return { namespace: '/hcs/', name: new TextEncoder().encode(name), value: new TextEncoder().encode(`descriptor of ${name}`), publisher, seq: 1, expiresAt: now + ttl, signature: new Uint8Array(65) };
}

test('disjoint-path lookups on a joined network find the true closest nodes', () => {
  const net = createDhtTestnet(150, { seed: 2, dht: { disjointPaths: 4 } });
  let exact = 0;
  let overlap = 0;
  const N = 40;
  for (let i = 0; i < N; i++) {
    const target = net.random.bytes(32);
    const from = net.nodes[(i * 37) % net.nodes.length]!;
    const truth = trueClosest(net.nodes, target, from).slice(0, 8).map((n) => n.self.address);
    from.findNode(target, (r) => {
      if (r.closest[0]?.address === truth[0]) exact++;
      overlap += r.closest.slice(0, 8).filter((c) => truth.includes(c.address)).length;
      // Disjointness: no node was used by two paths (each candidate has exactly one path).
      const seen = new Set<Uint8Array>();
      for (const c of r.lookup.candidates) {
        assert.equal(seen.has(c.info.address), false);
        seen.add(c.info.address);
      }
    });
    net.clock.advance(20_000);
  }
  assert.equal(exact, N);
  assert.ok(overlap >= N * 8 * 0.95, `top-8 overlap ${overlap}/${N * 8}`);
});

test('a record stored by its publisher is found from other nodes, expires, and is republished after its holders die', () => {
  const net = createDhtTestnet(100, { seed: 3, dht: { republishIntervalMs: 10 * 60_000, replication: 4 } });
  const publisher = net.nodes[5]!;
  const record = hcsRecord(publisher.self.address, net.clock.now(), 'eu-1', 45 * 60_000);
  let stored = -1;
  publisher.put(record, (n) => (stored = n));
  net.clock.advance(10_000);
  assert.equal(stored, 4);
  const key = recordKey(record.namespace, record.name);
  const get = (from: DhtNode): DhtRecord | null => {
    let out: DhtRecord | null | undefined;
    from.get(record.namespace, record.name, (r) => (out = r));
    net.clock.advance(20_000);
    assert.notEqual(out, undefined, 'get completed');
    return out!;
  };
  assert.equal(get(net.nodes[77]!)?.seq, 1);
  // Kill every holder: the record survives only through the publisher's republish.
  const holders = net.nodes.filter((n) => n !== publisher && n.storedRecord(key));
  assert.ok(holders.length >= 4);
  for (const h of holders) net.kill(h);
  const alive = (n: DhtNode) => !holders.includes(n);
  net.clock.advance(12 * 60_000);
  assert.ok(net.nodes.filter((n) => alive(n) && n !== publisher && n.storedRecord(key)).length >= 2, 'republished to new holders');
  assert.equal(get(net.nodes.find((n) => alive(n) && n !== publisher && !n.storedRecord(key))!)?.seq, 1);
  // After expiry nobody returns it (the publisher stops republishing too).
  net.clock.advance(40 * 60_000);
  assert.equal(get(net.nodes.find((n) => alive(n) && n !== publisher)!), null);
});

test('invalid records are refused by every validator and counted; a bad record in a FIND_VALUE answer is not returned', () => {
  const net = createDhtTestnet(60, { seed: 4, recordVerifier: { verifyRecord: (r) => r.signature[0] === 1, verifyProvider: () => true } });
  const a = net.nodes[1]!;
  const b = net.nodes[2]!;
  const now = net.clock.now();
  const forged = { ...hcsRecord(a.self.address, now, 'x'), signature: new Uint8Array(65) }; // signature[0] = 0: "bad"
  const longLived = { ...hcsRecord(a.self.address, now, 'y', 48 * 3600_000), signature: new Uint8Array(65).fill(1) };
  assert.throws(() => a.put(forged, () => {}), /bad publisher signature/);
  let answers: boolean[] = [];
  for (const record of [forged, longLived]) {
    a.request(b.self, { type: 'STORE', record }, 'user', (r) => answers.push(r?.type === 'STORED' && r.ok));
  }
  net.clock.advance(5_000);
  assert.deepEqual(answers, [false, false]);
  assert.equal(b.stats.dropped['bad-record'], 2);
});

test('bad inputs are dropped with typed errors and counted, never thrown', () => {
  const seen = new Set<string>();
  const strictVerifier: EnvelopeVerifier = {
    verify(e) {
      if (e.auth === undefined) return 'unsigned';
      const a = e.auth as { sig: string; nonce: string };
      if (a.sig !== 'ok') return 'bad-signature';
      if (seen.has(a.nonce)) return 'replayed';
      seen.add(a.nonce);
      return null;
    },
  };
  const net = createDhtTestnet(20, { seed: 5 });
  const victim = net.spawn({ verifier: strictVerifier });
  const sender = net.nodes[3]!.self;
  const ping = (auth?: unknown, from = sender): DhtEnvelope => ({ kind: 'request', rpcId: 9, from, body: { type: 'PING' }, ...(auth === undefined ? {} : { auth }) });
  const stranger = { address: net.random.bytes(32), ip: '198.51.100.9', port: 1 }; // no puzzle
  const inputs: [unknown, string][] = [
    [ping(), 'unsigned'],
    [ping({ sig: 'forged', nonce: 'n1' }), 'bad-signature'],
    [ping({ sig: 'ok', nonce: 'n2' }), ''],
    [ping({ sig: 'ok', nonce: 'n2' }), 'replayed'],
    [ping({ sig: 'ok', nonce: 'n3' }, stranger), 'puzzle'],
    [{ kind: 'request', rpcId: 1, from: sender, body: { type: 'WHAT' } }, 'malformed'],
    [new Uint8Array([1, 2, 3]), 'malformed'],
    [{ kind: 'response', rpcId: 12345, from: sender, body: { type: 'PONG' }, auth: { sig: 'ok', nonce: 'n4' } }, 'unexpected-response'],
  ];
  for (const [input, drop] of inputs) {
    const err = victim.handle(input);
    if (drop === '') assert.equal(err, null);
    else assert.equal(err?.details.drop, drop);
  }
  for (const drop of ['unsigned', 'bad-signature', 'replayed', 'puzzle', 'malformed', 'unexpected-response'] as const) {
    assert.ok(victim.stats.dropped[drop] >= 1, drop);
  }
  assert.equal(victim.stats.dropped.malformed, 2);
  // Oversized when the transport reports the encoded length.
  assert.equal(victim.handle(ping({ sig: 'ok', nonce: 'n5' }), { bytes: 1 << 20 })?.details.drop, 'oversized');
});

test('a flood of requests from one peer is rate-limited and counted', () => {
  const net = createDhtTestnet(10, { seed: 6, dht: { rateLimitBurst: 30, rateLimitPerSecond: 10 } });
  const victim = net.nodes[1]!;
  const flooder = net.nodes[2]!.self;
  let dropped = 0;
  for (let i = 0; i < 500; i++) {
    const err = victim.handle({ kind: 'request', rpcId: i, from: flooder, body: { type: 'FIND_NODE', target: flooder.address } });
    if (err?.details.drop === 'rate-limited') dropped++;
  }
  assert.equal(dropped, 470);
  assert.equal(victim.stats.dropped['rate-limited'], 470);
  assert.equal(victim.handle({ kind: 'request', rpcId: 1, from: net.nodes[3]!.self, body: { type: 'PING' } }), null);
});

test('lookups and providers still work with 5% loss, 1% duplication and reordering', () => {
  const net = createDhtTestnet(120, { seed: 7, network: { loss: 0.05, duplicate: 0.01, jitterMs: 30 } });
  let ok = 0;
  const N = 30;
  for (let i = 0; i < N; i++) {
    const target = net.random.bytes(32);
    const from = net.nodes[(i * 13) % net.nodes.length]!;
    const truth = trueClosest(net.nodes, target, from)[0]!;
    from.findNode(target, (r) => {
      if (r.closest.some((c) => c.address === truth.self.address)) ok++;
    });
    net.clock.advance(30_000);
  }
  assert.equal(ok, N);
  assert.ok(net.network.stats.lost > 0 && net.network.stats.duplicated > 0);
  const key = net.random.bytes(32);
  let stored = 0;
  // the core builds the record and asks the host to sign exactly that
  const signed: Omit<ProviderRecord, 'signature'>[] = [];
  const providedAt = net.clock.now();
  net.nodes[9]!.provide(key, (unsigned) => (signed.push(unsigned), new Uint8Array(65)), (n) => (stored = n));
  assert.equal(signed.length, 1);
  assert.equal(signed[0]!.provider, net.nodes[9]!.self);
  assert.equal(signed[0]!.expiresAt, providedAt + net.nodes[9]!.options.providerTtlMs);
  net.clock.advance(30_000);
  assert.ok(stored >= 8, `provider stored at ${stored}`);
  let found: Uint8Array[] = [];
  let answers = 0;
  net.nodes[50]!.getProviders(key, (ps, r) => {
    found = ps.map((p) => p.provider.address);
    answers = r.lookup.closestAnswered(64).filter((c) => net.nodes.find((n) => n.self.address === c.info.address)?.storedProviders(key).length).length;
  });
  net.clock.advance(30_000);
  assert.ok(found.includes(net.nodes[9]!.self.address));
  // several holders answered with the same announcement; the core returns it once
  assert.ok(answers >= 2, `holders answered: ${answers}`);
  assert.equal(found.length, 1);
});

test('contacts without a valid static puzzle inside answers are dropped, counted, and never asked', () => {
  const net = createDhtTestnet(40, { seed: 8 });
  const liar = net.nodes[7]!;
  const fake = Object.freeze({ address: net.random.bytes(32), ip: '198.51.100.77', port: 1 }); // not puzzle-valid
  liar.table.offer(fake, net.clock.now(), true); // the liar's table holds it; honest tables never would
  const asker = net.spawn(); // knows only the liar
  asker.table.offer(liar.self, net.clock.now(), true);
  let asked = true;
  asker.findNode(fake.address, (r) => (asked = r.lookup.find(fake.address) !== undefined));
  net.clock.advance(20_000);
  assert.equal(asked, false);
  assert.ok(asker.stats.dropped.puzzle >= 1);
});
