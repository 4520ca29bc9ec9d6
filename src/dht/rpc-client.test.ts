import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../common/clock.ts';
import { VirtualClock } from '../transport/memory-clock.ts';
import { withDefaults } from './defaults.ts';
import { createStats } from './errors.ts';
import type { ContactInfo, DhtEnvelope, DhtResponse } from './messages.ts';
import { RoutingTable } from './routing-table.ts';
import { RpcClient } from './rpc-client.ts';

function setup() {
  const random = new SeededRandom(7);
  const clock = new VirtualClock(0);
  const options = withDefaults();
  const contact = (i: number): ContactInfo => ({ address: random.bytes(32), ip: `10.0.${i}.1`, port: 4000 + i });
  const self = contact(0);
  const table = new RoutingTable(self.address, options);
  const stats = createStats();
  const sent: { to: ContactInfo; envelope: DhtEnvelope }[] = [];
  const rpc = new RpcClient({ self, clock, random, send: (to, envelope) => sent.push({ to, envelope }), scheduler: clock }, options, table, stats);
  const reply = (request: DhtEnvelope, from: ContactInfo): DhtEnvelope => ({ kind: 'response', rpcId: request.rpcId, from, body: { type: 'PONG' } });
  return { clock, options, table, stats, sent, rpc, contact, reply };
}

test('an answer in time reaches cb once, counts an RTT sample and shortens the next timeout', () => {
  const { clock, options, stats, sent, rpc, contact, reply } = setup();
  const peer = contact(1);
  assert.equal(rpc.timeoutFor(peer), options.initialTimeoutMs);
  assert.equal(rpc.stallFor(peer), 0, 'no node-wide RTT yet: never stall');
  const got: (DhtResponse | null)[] = [];
  rpc.request(peer, { type: 'PING' }, 'user', (r) => got.push(r));
  assert.equal(rpc.pendingCount, 1);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.to, peer);
  assert.equal(sent[0]!.envelope.kind, 'request');
  clock.advance(80);
  const answer = reply(sent[0]!.envelope, peer);
  assert.equal(rpc.handleResponse(answer, clock.now()), null);
  assert.deepEqual(got, [{ type: 'PONG' }]);
  assert.equal(rpc.pendingCount, 0);
  assert.equal(stats.responsesReceived, 1);
  // The peer now has its own estimate (80 ms ± 40): srtt + 4·rttvar = 240, raised to minTimeoutMs.
  assert.equal(rpc.timeoutFor(peer), Math.max(options.minTimeoutMs, 80 + 4 * 40));
  // A stranger falls back to the 1 s default; lookups stop waiting for it after the node-wide estimate.
  const stranger = contact(2);
  assert.equal(rpc.timeoutFor(stranger), options.initialTimeoutMs);
  assert.equal(rpc.stallFor(stranger), Math.max(options.minTimeoutMs, 80 + 4 * 40));
  // The same answer again is no longer expected.
  assert.equal(rpc.handleResponse(answer, clock.now())?.details.drop, 'unexpected-response');
  clock.runUntilIdle();
  assert.deepEqual(got, [{ type: 'PONG' }], 'the timeout of an answered RPC does nothing');
  assert.equal(stats.timeouts, 0);
});

test('a timed-out RPC calls cb(null); its late answer goes to `late` within maxTimeoutMs, and only from the peer asked', () => {
  const { clock, options, stats, sent, rpc, contact, reply } = setup();
  const peer = contact(1);
  const events: string[] = [];
  rpc.request(peer, { type: 'PING' }, 'maintenance', (r) => events.push(`cb ${r === null ? 'null' : r.type}`), (r) => events.push(`late ${r.type}`));
  clock.advance(options.initialTimeoutMs);
  assert.deepEqual(events, ['cb null']);
  assert.equal(stats.timeouts, 1);
  assert.equal(rpc.pendingCount, 0);
  // An impostor's answer with the right rpc id is dropped and does not consume the late slot.
  assert.equal(rpc.handleResponse(reply(sent[0]!.envelope, contact(3)), clock.now())?.details.drop, 'unexpected-response');
  const before = stats.maintenanceBytes;
  assert.equal(rpc.handleResponse(reply(sent[0]!.envelope, peer), clock.now()), null);
  assert.deepEqual(events, ['cb null', 'late PONG']);
  assert.ok(stats.maintenanceBytes > before, 'maintenance responses are counted');
  assert.equal(rpc.handleResponse(reply(sent[0]!.envelope, peer), clock.now())?.details.drop, 'unexpected-response');

  // Without a `late` callback, or after the grace period, a late answer is unexpected.
  rpc.request(peer, { type: 'PING' }, 'user', () => events.push('cb2'));
  rpc.request(peer, { type: 'PING' }, 'user', () => events.push('cb3'), () => events.push('late3'));
  clock.advance(options.maxTimeoutMs);
  clock.advance(options.maxTimeoutMs);
  assert.deepEqual(events.slice(2), ['cb2', 'cb3']);
  assert.equal(rpc.handleResponse(reply(sent[1]!.envelope, peer), clock.now())?.details.drop, 'unexpected-response');
  assert.equal(rpc.handleResponse(reply(sent[2]!.envelope, peer), clock.now())?.details.drop, 'unexpected-response');
  assert.equal(stats.dropped['unexpected-response'], 4);
  assert.equal(sent[1]!.envelope.rpcId, (sent[0]!.envelope.rpcId + 1) >>> 0, 'rpc ids are consecutive');
});
