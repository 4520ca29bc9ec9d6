/**
 * The libp2p transport over real loopback sockets: request/response frames over TCP and
 * WebSockets, the peer key is the identity key (peer id ↔ NodeAddress), a dial that reaches the
 * wrong key is refused, oversized and truncated frames are dropped with typed errors, silent
 * peers time out.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { toHex } from '../common/bytes.ts';
import { DHT_PROTOCOL, Libp2pTransport, type Libp2pTransportOptions } from './libp2p-transport.ts';
import { FrameTooLargeError, MalformedFrameError, PeerMismatchError, TransportTimeoutError } from './errors.ts';
import { contactMultiaddr, libp2pKeyOf, nodeAddressOfPeerId } from './peer-identity.ts';
import { identityWithPuzzle } from './test-identities.test-helper.ts';

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
  b.handle((frame, from) => {
    assert.equal(toHex(from.nodeAddress), toHex(a.nodeAddress));
    assert.equal(from.ip, '127.0.0.1');
    return Uint8Array.from([...frame].reverse());
  });
  const contact = { address: b.nodeAddress, ...b.localContact() };
  assert.equal(contact.ip, '127.0.0.1');
  const r = await a.request(contact, Uint8Array.of(1, 2, 3));
  assert.deepEqual(r.frame, Uint8Array.of(3, 2, 1));
  assert.equal(toHex(r.from.nodeAddress), toHex(b.nodeAddress));
  // connect through the WebSockets address: the contact names b
  const ws = b.listenAddresses().find((m) => m.includes('/ws/'))!;
  const viaWs = await a.connect(ws);
  assert.equal(toHex(viaWs.address), toHex(b.nodeAddress));
  const r2 = await a.request(viaWs, Uint8Array.of(9));
  assert.deepEqual(r2.frame, Uint8Array.of(9));
  // a 0-length answer is a frame; no answer is null
  b.handle(() => null);
  assert.equal((await a.request(contact, Uint8Array.of(1))).frame, null);
});

test('real sockets: reaching a key other than the contact’s NodeAddress is a PeerMismatchError', async () => {
  const a = await transport();
  const b = await transport();
  b.handle(() => Uint8Array.of(1));
  const wrong = { address: identityWithPuzzle(0).nodeAddress, ...b.localContact() };
  await assert.rejects(a.request(wrong, Uint8Array.of(1)), PeerMismatchError);
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
  const nextDrop = (t: Libp2pTransport): Promise<Error> => new Promise((resolve) => t.onDrop(resolve));
  for (const t of [b, c]) t.handle(() => (handled++, Uint8Array.of(0)));
  const conn = await a.libp2p.dial(contactMultiaddr(b.localContact(), b.peerId));
  // oversized: a length prefix of 1 MiB
  let dropped = nextDrop(b);
  const s1 = await conn.newStream(DHT_PROTOCOL);
  s1.send(Uint8Array.of(0x80, 0x80, 0x40));
  await s1.close().catch(() => {});
  assert.ok((await dropped) instanceof FrameTooLargeError);
  // truncated: prefix says 10, 3 bytes follow, then the writer closes
  dropped = nextDrop(b);
  const s2 = await conn.newStream(DHT_PROTOCOL);
  s2.send(Uint8Array.of(10, 1, 2, 3));
  await s2.close().catch(() => {});
  assert.ok((await dropped) instanceof MalformedFrameError);
  // silent: opens a stream and never writes
  dropped = nextDrop(c);
  await (await a.libp2p.dial(contactMultiaddr(c.localContact(), c.peerId))).newStream(DHT_PROTOCOL);
  assert.ok((await dropped) instanceof TransportTimeoutError);
  assert.equal(handled, 0);
  // a peer that never answers: the request times out
  b.handle(() => new Promise(() => {}));
  await assert.rejects(a.request({ address: b.nodeAddress, ...b.localContact() }, Uint8Array.of(1), { timeoutMs: 300 }), TransportTimeoutError);
});
