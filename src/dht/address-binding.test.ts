/**
 * Contacts are bound to the address they were observed at (issue 12 item 1; whitepaper §1.1.2):
 * on the in-memory network, whose endpoints know who sent each message, a requester that claims
 * another IP is answered but never enters a table, a client (port 0) is answered and never enters
 * one, and a provider may announce only the IP it speaks from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDhtTestnet } from '../sim/dht-testnet.ts';
import { addressFarFrom, memoryPeer } from '../testnet/memory-sybils.ts';
import type { ContactInfo } from './messages.ts';

const farFrom = addressFarFrom;
const rawPeer = memoryPeer;

test('a requester claiming an IP it does not speak from is answered but never enters the table; the same peer at its real IP does', () => {
  const net = createDhtTestnet(20, { seed: 5 });
  const victim = net.nodes[3]!;
  const before = victim.table.size;
  const spoofed: ContactInfo[] = [];
  for (let i = 0; i < 30; i++) {
    const address = farFrom(victim.self.address, net.random);
    const real = Object.freeze({ address, ip: '10.200.0.1', port: 4001 });
    const peer = rawPeer(net, real);
    const claimed = Object.freeze({ address, ip: `10.77.${i}.1`, port: 4001 }); // a different /24 each: IP diversity would let all in
    peer.send(victim.self, { type: 'FIND_NODE', target: address }, claimed);
    assert.equal(peer.answers.length, 1, 'the spoofer is still answered');
    spoofed.push(claimed);
  }
  assert.equal(victim.stats.notAdmitted.unproven, 30);
  for (const c of spoofed) assert.equal(victim.table.get(c.address), undefined);
  assert.equal(victim.table.size, before);
  // Nobody is handed a spoofed address in an answer either.
  for (const n of net.nodes) for (const c of n.table.all()) assert.ok(!c.info.ip.startsWith('10.77.'), 'no invented address anywhere');
  // Control: a requester at its real address is admitted (the rule above is what kept them out).
  const honest = rawPeer(net, Object.freeze({ address: farFrom(victim.self.address, net.random), ip: '10.201.0.1', port: 4001 }));
  honest.send(victim.self, { type: 'PING' });
  assert.equal(honest.answers[0]?.type, 'PONG');
  assert.ok(victim.table.size > before || victim.table.replacementsOf(0).length > 0, 'the honest requester was admitted (table or replacement cache)');
});

test('client mode: a node that only asks puts and gets through a network whose tables never hold it', () => {
  const net = createDhtTestnet(30, { seed: 6, settleMs: 60_000 });
  const clientNode = net.spawn({}, { clientMode: 1 });
  let joined = -1;
  clientNode.bootstrap([net.nodes[0]!.self], (n) => (joined = n));
  net.clock.advance(30_000);
  assert.ok(joined >= 16, `the client learnt ${joined} contacts from answers`);
  const name = new TextEncoder().encode('client-record');
  let stored = -1;
  clientNode.put({ namespace: '/hcs/', name, value: new Uint8Array([1]), publisher: clientNode.self.address, seq: 1, expiresAt: net.clock.now() + 3_600_000, signature: new Uint8Array(65) }, (n) => (stored = n));
  net.clock.advance(30_000);
  assert.ok(stored >= 16, `stored at ${stored}`);
  let found: unknown = null;
  net.nodes[7]!.get('/hcs/', name, (r) => (found = r));
  net.clock.advance(30_000);
  assert.ok(found, 'the record a client put is found by a server');
  let asked = 0;
  for (const n of net.nodes) {
    asked += n.stats.notAdmitted.client;
    assert.equal(n.table.get(clientNode.self.address), undefined, 'no table holds the client');
    for (let i = 0; i < 256; i++) for (const r of n.table.replacementsOf(i)) assert.notEqual(r.info.address, clientNode.self.address);
  }
  assert.ok(asked > 30, `servers answered ${asked} client requests without admitting it`);
});

test('a provider may announce only the IP it speaks from, and never port 0', () => {
  const net = createDhtTestnet(10, { seed: 7 });
  const holder = net.nodes[2]!;
  const address = farFrom(holder.self.address, net.random);
  const real = Object.freeze({ address, ip: '10.202.0.1', port: 4001 });
  const peer = rawPeer(net, real);
  const key = net.random.bytes(32);
  const announce = (provider: ContactInfo) =>
    peer.send(holder.self, { type: 'ADD_PROVIDER', provider: { key, provider, expiresAt: net.clock.now() + 60_000, signature: new Uint8Array(65) } }, real);
  announce({ address, ip: '10.99.0.1', port: 4001 });
  announce({ address, ip: '10.202.0.1', port: 0 });
  assert.deepEqual(peer.answers.map((a) => a.type === 'STORED' && a.ok), [false, false]);
  assert.equal(holder.storedProviders(key).length, 0);
  announce(real);
  assert.deepEqual(peer.answers.at(-1), { type: 'STORED', ok: true });
  assert.equal(holder.storedProviders(key)[0]?.provider.ip, '10.202.0.1');
});
