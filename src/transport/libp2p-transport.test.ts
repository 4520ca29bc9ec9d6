/**
 * The libp2p transport over real loopback sockets: request/response frames over TCP and
 * WebSockets, the peer key is the identity key (peer id ↔ NodeAddress), a dial that reaches the
 * wrong key is refused, oversized and truncated frames are dropped with typed errors, silent
 * peers time out. Several protocols share one connection, each with its own handler and frame bound.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { toHex } from '../common/bytes.ts';
import { Libp2pTransport, type Libp2pTransportOptions } from './libp2p-transport.ts';
import {
  FrameTooLargeError,
  MalformedFrameError,
  PeerMismatchError,
  ProtocolInUseError,
  TransportTimeoutError,
  UnsupportedProtocolError,
} from './errors.ts';
import { contactMultiaddr, libp2pKeyOf, nodeAddressOfPeerId } from './peer-identity.ts';
import { identityWithPuzzle } from '../testnet/identities.ts';

/** Protocol ids of these tests: the transport carries any id, it knows none of the node's own. */
const ECHO = '/test/echo/1.0.0';
const OTHER = '/test/other/1.0.0';

const open: Libp2pTransport[] = [];
after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

async function transport(options: Partial<Libp2pTransportOptions> = {}): Promise<Libp2pTransport> {
  const id = identityWithPuzzle(0);
  const t = await Libp2pTransport.create({ secretKey: id.secretKey }, { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'], ...options });
  open.push(t);
  return t;
}

test('real sockets: the libp2p peer id is the identity key; frames go both ways over TCP and WebSockets', async () => {
  const a = await transport();
  const b = await transport();
  assert.equal(toHex(nodeAddressOfPeerId(b.peerId)), toHex(b.nodeAddress));
  assert.equal(libp2pKeyOf(identityWithPuzzle(0).secretKey).type, 'secp256k1');
  b.handle(ECHO, (frame, from) => {
    assert.equal(toHex(from.nodeAddress), toHex(a.nodeAddress));
    assert.equal(from.ip, '127.0.0.1');
    return Uint8Array.from([...frame].reverse());
  });
  const contact = { address: b.nodeAddress, ...b.localContact() };
  assert.equal(contact.ip, '127.0.0.1');
  const r = await a.request(contact, ECHO, Uint8Array.of(1, 2, 3));
  assert.deepEqual(r.frame, Uint8Array.of(3, 2, 1));
  assert.equal(toHex(r.from.nodeAddress), toHex(b.nodeAddress));
  // connect through the WebSockets address: the contact names b
  const ws = b.listenAddresses().find((m) => m.includes('/ws/'))!;
  const viaWs = await a.connect(ws);
  assert.equal(toHex(viaWs.address), toHex(b.nodeAddress));
  const r2 = await a.request(viaWs, ECHO, Uint8Array.of(9));
  assert.deepEqual(r2.frame, Uint8Array.of(9));
  // a 0-length answer is a frame; no answer is null
  b.handle(OTHER, () => null);
  assert.equal((await a.request(contact, OTHER, Uint8Array.of(1))).frame, null);
});

test('real sockets: two protocols share one connection, each reaching its own handler with its own frame bound', async () => {
  const a = await transport();
  const b = await transport();
  const seen: string[] = [];
  b.handle(ECHO, (frame) => (seen.push('echo'), frame));
  b.handle(OTHER, (frame) => (seen.push('other'), Uint8Array.of(frame.length)), { maxFrameBytes: 8 });
  assert.deepEqual(b.protocols(), [ECHO, OTHER]);
  assert.throws(() => b.handle(ECHO, () => null), ProtocolInUseError);
  const contact = { address: b.nodeAddress, ...b.localContact() };
  assert.deepEqual((await a.request(contact, ECHO, Uint8Array.of(7, 7))).frame, Uint8Array.of(7, 7));
  assert.deepEqual((await a.request(contact, OTHER, Uint8Array.of(1, 2, 3))).frame, Uint8Array.of(3));
  assert.deepEqual(seen, ['echo', 'other']);
  assert.equal(a.libp2p.getConnections(b.peerId).length, 1, 'one connection carries both protocols');
  // OTHER's 8-byte bound is its own: a 100-byte request fits ECHO (16 KiB) but not OTHER
  const dropped = new Promise<Error>((resolve) => {
    b.unhandle(OTHER);
    b.handle(OTHER, () => Uint8Array.of(0), { maxFrameBytes: 8, onDrop: resolve });
  });
  await assert.rejects(a.request(contact, OTHER, new Uint8Array(100)));
  assert.ok((await dropped) instanceof FrameTooLargeError);
  assert.equal((await a.request(contact, ECHO, new Uint8Array(100))).frame?.length, 100);
  // a protocol b does not serve (any more) is refused with a typed error
  b.unhandle(OTHER);
  assert.deepEqual(b.protocols(), [ECHO]);
  await assert.rejects(a.request(contact, OTHER, Uint8Array.of(1)), UnsupportedProtocolError);
  await assert.rejects(a.request(contact, '/test/never/1.0.0', Uint8Array.of(1)), UnsupportedProtocolError);
});

test('real sockets: reaching a key other than the contact’s NodeAddress is a PeerMismatchError', async () => {
  const a = await transport();
  const b = await transport();
  b.handle(ECHO, () => Uint8Array.of(1));
  const wrong = { address: identityWithPuzzle(0).nodeAddress, ...b.localContact() };
  await assert.rejects(a.request(wrong, ECHO, Uint8Array.of(1)), PeerMismatchError);
  const pid = (await transport()).peerId;
  await assert.rejects(a.connect(`${contactMultiaddr(b.localContact()).toString()}/p2p/${pid.toString()}`), (e: unknown) => (e as { code?: string }).code !== undefined);
});

test('real sockets: an oversized or truncated request frame is dropped with a typed error; a silent peer times out', async () => {
  const a = await transport();
  // b keeps the default inbound deadline, so a loaded machine cannot turn a bad frame into a timeout;
  // c has a short one, for the silent stream (which times out however slow the machine is).
  const b = await transport();
  const c = await transport({ inboundTimeoutMs: 300 });
  let handled = 0;
  const waiting = new Map<Libp2pTransport, (e: Error) => void>();
  const nextDrop = (t: Libp2pTransport): Promise<Error> => new Promise((resolve) => waiting.set(t, resolve));
  for (const t of [b, c]) t.handle(ECHO, () => (handled++, Uint8Array.of(0)), { onDrop: (e) => waiting.get(t)?.(e) });
  const conn = await a.libp2p.dial(contactMultiaddr(b.localContact(), b.peerId));
  // oversized: a length prefix of 1 MiB
  let dropped = nextDrop(b);
  const s1 = await conn.newStream(ECHO);
  s1.send(Uint8Array.of(0x80, 0x80, 0x40));
  await s1.close().catch(() => {});
  assert.ok((await dropped) instanceof FrameTooLargeError);
  // truncated: prefix says 10, 3 bytes follow, then the writer closes
  dropped = nextDrop(b);
  const s2 = await conn.newStream(ECHO);
  s2.send(Uint8Array.of(10, 1, 2, 3));
  await s2.close().catch(() => {});
  assert.ok((await dropped) instanceof MalformedFrameError);
  // silent: opens a stream and never writes
  dropped = nextDrop(c);
  await (await a.libp2p.dial(contactMultiaddr(c.localContact(), c.peerId))).newStream(ECHO);
  assert.ok((await dropped) instanceof TransportTimeoutError);
  assert.equal(handled, 0);
  // a peer that never answers: the request times out
  b.handle(OTHER, () => new Promise(() => {}));
  await assert.rejects(a.request({ address: b.nodeAddress, ...b.localContact() }, OTHER, Uint8Array.of(1), { timeoutMs: 300 }), TransportTimeoutError);
});
