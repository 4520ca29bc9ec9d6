/**
 * The in-memory Transport on a virtual clock: several protocols per node, each to its own handler
 * and frame bound; the remote is the sender's true NodeAddress; unknown protocols, wrong keys,
 * oversized frames, crashed and silent peers and lost packets end in typed errors; nothing moves
 * until the clock does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../common/bytes.ts';
import { identityWithPuzzle } from '../testnet/identities.ts';
import { DialError, FrameTooLargeError, PeerMismatchError, ProtocolInUseError, TransportClosedError, TransportTimeoutError, UnsupportedProtocolError } from './errors.ts';
import { VirtualClock } from './memory-clock.ts';
import { MemoryTransport, MemoryTransportHub } from './memory-transport.ts';
import type { ExchangeResult } from './transport.ts';

const ECHO = '/test/echo/1.0.0';
const OTHER = '/test/other/1.0.0';

function setup(network: ConstructorParameters<typeof MemoryTransportHub>[1] = { latency: { kind: 'constant', ms: 5 }, jitterMs: 0 }) {
  const clock = new VirtualClock();
  const hub = new MemoryTransportHub(clock, network);
  const make = () => new MemoryTransport({ hub, secretKey: identityWithPuzzle(0).secretKey });
  return { clock, hub, a: make(), b: make(), make };
}

/** Settles `p` by running the clock; the outcome is whatever the exchange produced. */
async function drive<T>(clock: VirtualClock, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 1000 && !done; i++) {
    clock.advance(1);
    await new Promise((r) => setImmediate(r)); // let async handlers run between events
  }
  return p;
}

test('memory: two protocols on one node, each to its own handler; the remote is the sender’s key; answers take the network’s latency', async () => {
  const { clock, a, b } = setup();
  b.handle(ECHO, (frame, from) => {
    assert.equal(toHex(from.nodeAddress), toHex(a.nodeAddress));
    assert.equal(from.ip, a.localContact().ip);
    return frame;
  });
  b.handle(OTHER, async (frame) => Uint8Array.of(frame.length));
  assert.throws(() => b.handle(ECHO, () => null), ProtocolInUseError);
  assert.deepEqual(b.protocols(), [ECHO, OTHER]);
  const contact = await a.connect(b.listenAddresses()[0]!);
  assert.equal(toHex(contact.address), toHex(b.nodeAddress));
  const pending = a.request(contact, ECHO, Uint8Array.of(1, 2));
  const start = clock.now();
  const r: ExchangeResult = await drive(clock, pending);
  assert.deepEqual(r.frame, Uint8Array.of(1, 2));
  assert.equal(toHex(r.from.nodeAddress), toHex(b.nodeAddress));
  assert.equal(clock.now() - start, 10, 'one round trip at 5 ms each way');
  assert.deepEqual((await drive(clock, a.request(contact, OTHER, Uint8Array.of(1, 2, 3)))).frame, Uint8Array.of(3));
  b.handle('/test/silent/1.0.0', () => null);
  assert.equal((await drive(clock, a.request(contact, '/test/silent/1.0.0', Uint8Array.of(1)))).frame, null);
});

test('memory: unknown protocol, wrong key, oversized frames and a throwing handler are typed errors; the receiver is told', async () => {
  const { clock, a, b } = setup();
  const drops: Error[] = [];
  b.handle(OTHER, () => Uint8Array.of(0), { maxFrameBytes: 8, onDrop: (e) => drops.push(e) });
  b.handle(ECHO, () => {
    throw new Error('handler bug');
  }, { onDrop: (e) => drops.push(e) });
  const contact = { address: b.nodeAddress, ...b.localContact() };
  await assert.rejects(drive(clock, a.request(contact, '/test/never/1.0.0', Uint8Array.of(1))), UnsupportedProtocolError);
  await assert.rejects(a.request({ ...contact, address: a.nodeAddress }, ECHO, Uint8Array.of(1)), PeerMismatchError);
  await assert.rejects(drive(clock, a.request(contact, OTHER, new Uint8Array(9))), DialError);
  assert.ok(drops[0] instanceof FrameTooLargeError);
  await assert.rejects(a.request(contact, ECHO, new Uint8Array(a.options.maxFrameBytes + 1)), FrameTooLargeError);
  await assert.rejects(drive(clock, a.request(contact, ECHO, Uint8Array.of(1))), DialError);
  assert.equal(drops[1]?.message, 'handler bug');
  // an answer over the requester's own bound
  b.unhandle(OTHER);
  b.handle(OTHER, () => new Uint8Array(8));
  await assert.rejects(drive(clock, a.request(contact, OTHER, Uint8Array.of(1), { maxAnswerBytes: 4 })), FrameTooLargeError);
});

test('memory: a crashed peer, a silent handler and a lossy link time out on the virtual clock; close rejects what waits', async () => {
  const { clock, a, b } = setup();
  b.handle(ECHO, () => new Promise(() => {}));
  const contact = { address: b.nodeAddress, ...b.localContact() };
  const start = clock.now();
  await assert.rejects(drive(clock, a.request(contact, ECHO, Uint8Array.of(1), { timeoutMs: 50 })), TransportTimeoutError);
  assert.equal(clock.now() - start, 50);
  await b.close();
  await assert.rejects(a.connect(b.listenAddresses()[0]!), DialError);
  await assert.rejects(drive(clock, a.request(contact, ECHO, Uint8Array.of(1), { timeoutMs: 50 })), TransportTimeoutError);
  const waiting = a.request(contact, ECHO, Uint8Array.of(1));
  await a.close();
  await assert.rejects(waiting, TransportClosedError);
  await assert.rejects(a.request(contact, ECHO, Uint8Array.of(1)), TransportClosedError);

  const lossy = setup({ latency: { kind: 'constant', ms: 5 }, jitterMs: 0, loss: 1 });
  lossy.b.handle(ECHO, (f) => f);
  await assert.rejects(drive(lossy.clock, lossy.a.request({ address: lossy.b.nodeAddress, ...lossy.b.localContact() }, ECHO, Uint8Array.of(1), { timeoutMs: 30 })), TransportTimeoutError);
  assert.equal(lossy.hub.network.stats.lost, 1);
});

test('memory: a duplicated answer settles the exchange once', async () => {
  const { clock, a, b } = setup({ latency: { kind: 'constant', ms: 5 }, jitterMs: 0, duplicate: 1 });
  let handled = 0;
  b.handle(ECHO, (f) => (handled++, f));
  const r = await drive(clock, a.request({ address: b.nodeAddress, ...b.localContact() }, ECHO, Uint8Array.of(4)));
  assert.deepEqual(r.frame, Uint8Array.of(4));
  clock.advance(100);
  assert.equal(handled, 2, 'the duplicated request reached the handler twice (a replay guard above the transport catches it)');
});
