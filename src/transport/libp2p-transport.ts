/**
 * The libp2p 3 Transport (DESIGN.md §2; issue 3 item 2): TCP and WebSockets, Noise, Yamux,
 * identify and ping; the peer key is the node's secp256k1 identity key (peer-identity.ts).
 *
 * Every service (the DHT, the community-server and inference-node protocols; src/node/protocols.ts)
 * mounts its own protocol id with handle(protocol, handler); libp2p multiplexes them over one
 * connection per peer. One stream per exchange: the requester writes one length-prefixed frame
 * (frame.ts) and closes its writing side, the responder answers with at most one frame and
 * closes; both sides time out. Every peer is authenticated by Noise;
 * when we dial a contact, the key we reach must hash to the contact's NodeAddress
 * (PeerMismatchError otherwise), and every inbound frame is reported with the NodeAddress of the
 * peer that sent it.
 */
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp, type TCPSocketOptions } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { toHex } from '../common/bytes.ts';
import { BaseError } from '../common/errors.ts';
import { nodeAddressOf, publicKeyOf } from '../identity/node-address.ts';
import {
  DialError,
  PeerMismatchError,
  ProtocolInUseError,
  TransportClosedError,
  TransportError,
  TransportTimeoutError,
  UnsupportedProtocolError,
} from './errors.ts';
import { encodeFrame, readFrame } from './frame.ts';
import { contactMultiaddr, ipPortOf, libp2pKeyOf, nodeAddressOfPeerId, peerIdTextOf } from './peer-identity.ts';
import type { ExchangeResult, FrameHandler, PeerContact, ProtocolHandlerOptions, RemotePeer, RequestOptions, Transport, TransportDropHandler } from './transport.ts';

export interface Libp2pTransportOptions {
  /** Multiaddrs to listen on, e.g. `/ip4/127.0.0.1/tcp/0` and `/ip4/0.0.0.0/tcp/4002/ws`. */
  listen: string[];
  /** IP to advertise in our DHT contact; default: the first listening TCP address (non-loopback first when on 0.0.0.0). */
  announceIp?: string;
  /** Largest frame either way, bytes, for a protocol that does not set its own. */
  maxFrameBytes: number;
  /** Default time for a whole outbound exchange (dial, send, answer), ms. */
  requestTimeoutMs: number;
  /** Time an inbound stream has to deliver its request frame, ms. */
  inboundTimeoutMs: number;
  /** Concurrent inbound streams per connection and protocol (libp2p resets the rest). */
  maxInboundStreams: number;
  /** Concurrent outbound streams per connection and protocol. */
  maxOutboundStreams: number;
  /** Open connections in total. */
  maxConnections: number;
  /** Inbound connections accepted per second per remote host (libp2p's inboundConnectionThreshold). */
  inboundConnectionsPerSecondPerHost: number;
  /** Peers whose peer id and last address we remember (least recently used forgotten first). */
  maxKnownPeers: number;
  /** Source IP of outbound TCP connections (net.connect's localAddress); default: the system's choice. */
  dialFrom?: string;
  /** Time to dial and upgrade (Noise, Yamux) one connection either way, ms; default: libp2p's (6 s per address, 10 s inbound). */
  handshakeTimeoutMs?: number;
}

export const DEFAULTS: Omit<Libp2pTransportOptions, 'listen'> = {
  // The DHT's own maxMessageBytes (16 KiB) plus slack: the envelope is checked again by the codec.
  maxFrameBytes: 16 * 1024 + 256,
  // Above the DHT's maxTimeoutMs (5 s): the core has its own RTT-based timeouts and wants late answers.
  requestTimeoutMs: 10_000,
  // A request frame is < 16 KiB: 5 s is generous on any link, and bounds slow-loris streams.
  inboundTimeoutMs: 5_000,
  // libp2p's default per protocol; a lookup sends at most α = 3 requests to one peer at a time.
  maxInboundStreams: 32,
  maxOutboundStreams: 32,
  // A routing table holds ~k·log2(n) ≈ 16·14 = 224 contacts at n = 10,000; 300 leaves room for clients.
  maxConnections: 300,
  // libp2p's default is 5/s per host, too low when many nodes share one IP (tests, NAT): 100/s.
  inboundConnectionsPerSecondPerHost: 100,
  // Every peer that connects would otherwise add an entry for ever (a flood of fresh identities):
  // ~200 B each; 2,048 ≥ a table (~224) plus maxConnections (300) with room for churn. Forgetting one
  // only costs a dial by address instead of by peer id.
  maxKnownPeers: 2_048,
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `work` with a deadline; on expiry calls `onTimeout` and rejects with TransportTimeoutError. */
async function withDeadline<T>(work: Promise<T>, ms: number, what: string, onTimeout: (e: Error) => void, signal?: AbortSignal): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const fire = (): void => {
      const e = new TransportTimeoutError(what, ms);
      onTimeout(e);
      reject(e);
    };
    timer = setTimeout(fire, ms);
    if (signal) {
      onAbort = fire;
      if (signal.aborted) fire();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
    work.catch(() => {}); // the loser's rejection is handled here
  }
}

export class Libp2pTransport implements Transport {
  readonly nodeAddress: Uint8Array;
  readonly libp2p: Libp2p;
  readonly options: Libp2pTransportOptions;
  /** Protocol id → its handler, frame bound and drop callback. */
  private readonly handlers = new Map<string, { handler: FrameHandler; maxFrameBytes: number; onDrop?: TransportDropHandler }>();
  /** NodeAddress hex → the peer id and the multiaddr we last reached it at. */
  private readonly book = new Map<string, { peerId: PeerId; addr?: Multiaddr }>();
  private closed = false;

  private constructor(libp2p: Libp2p, nodeAddress: Uint8Array, options: Libp2pTransportOptions) {
    this.libp2p = libp2p;
    this.nodeAddress = nodeAddress;
    this.options = options;
  }

  /** Starts a libp2p node with the identity `secretKey`, listening on `options.listen`. */
  static async create(components: { secretKey: Uint8Array }, options: Partial<Libp2pTransportOptions> & { listen: string[] }): Promise<Libp2pTransport> {
    const o: Libp2pTransportOptions = { ...DEFAULTS, ...options };
    const libp2p = await createLibp2p({
      privateKey: libp2pKeyOf(components.secretKey),
      addresses: { listen: o.listen },
      // localAddress is passed to net.connect at run time (the typed subset omits it): a host with
      // several addresses (or a test on 127.x.y.z loopback addresses) picks the one it speaks from.
      transports: [tcp(o.dialFrom === undefined ? {} : { dialOpts: { localAddress: o.dialFrom } as TCPSocketOptions }), webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), ping: ping() },
      connectionManager: {
        maxConnections: o.maxConnections,
        inboundConnectionThreshold: o.inboundConnectionsPerSecondPerHost,
        ...(o.handshakeTimeoutMs === undefined ? {} : { dialTimeout: o.handshakeTimeoutMs, addressDialTimeout: o.handshakeTimeoutMs, inboundUpgradeTimeout: o.handshakeTimeoutMs }),
      },
    });
    return new Libp2pTransport(libp2p, nodeAddressOf(publicKeyOf(components.secretKey)), o);
  }

  get peerId(): PeerId {
    return this.libp2p.peerId;
  }

  listenAddresses(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString());
  }

  localContact(): { ip: string; port: number } {
    const tcpAddrs = this.libp2p
      .getMultiaddrs()
      .map(ipPortOf)
      .filter((a): a is NonNullable<typeof a> => a !== undefined && !a.ws);
    if (tcpAddrs.length === 0) throw new TransportError('TRANSPORT_NO_TCP_ADDRESS', 'no TCP listen address to advertise');
    const pick = tcpAddrs.find((a) => a.ip !== '127.0.0.1' && a.ip !== '::1') ?? tcpAddrs[0]!;
    const loopbackOnly = this.options.listen.every((l) => /\/ip4\/127\.|\/ip6\/::1\//.test(l));
    const chosen = loopbackOnly ? tcpAddrs[0]! : pick;
    return { ip: this.options.announceIp ?? chosen.ip, port: chosen.port };
  }

  handle(protocol: string, handler: FrameHandler, options: ProtocolHandlerOptions = {}): void {
    if (this.handlers.has(protocol)) throw new ProtocolInUseError(protocol);
    this.handlers.set(protocol, {
      handler,
      maxFrameBytes: options.maxFrameBytes ?? this.options.maxFrameBytes,
      ...(options.onDrop ? { onDrop: options.onDrop } : {}),
    });
    // libp2p's registrar stores the handler synchronously; the promise only records the protocol
    // in our own peer-store entry (what identify advertises), which cannot fail in a way we act on.
    this.libp2p
      .handle(protocol, (stream, connection) => this.onStream(protocol, stream, connection), {
        maxInboundStreams: this.options.maxInboundStreams,
        maxOutboundStreams: this.options.maxOutboundStreams,
      })
      .catch(() => {});
  }

  unhandle(protocol: string): void {
    if (!this.handlers.delete(protocol)) return;
    this.libp2p.unhandle(protocol).catch(() => {});
  }

  protocols(): string[] {
    return [...this.handlers.keys()];
  }

  /** The authenticated remote of a connection (and remember how to reach it). */
  private remoteOf(connection: Connection): RemotePeer {
    const nodeAddress = nodeAddressOfPeerId(connection.remotePeer);
    const where = ipPortOf(connection.remoteAddr);
    const key = toHex(nodeAddress);
    const known = this.book.get(key);
    this.remember(key, known ?? { peerId: connection.remotePeer });
    return {
      nodeAddress,
      key: connection.remotePeer.toString(),
      ...(where ? { ip: where.ip, port: where.port } : {}),
    };
  }

  /** Remember a peer as most recently used; forget the least recently used beyond maxKnownPeers. */
  private remember(key: string, entry: { peerId: PeerId; addr?: Multiaddr }): void {
    this.book.delete(key);
    this.book.set(key, entry);
    if (this.book.size > this.options.maxKnownPeers) this.book.delete(this.book.keys().next().value!);
  }

  /** Peers remembered (tests: the book stays bounded under a flood of identities). */
  get knownPeers(): number {
    return this.book.size;
  }

  private async onStream(protocol: string, stream: Stream, connection: Connection): Promise<void> {
    let from: RemotePeer | undefined;
    const entry = this.handlers.get(protocol);
    if (!entry) {
      stream.abort(new UnsupportedProtocolError(protocol, connection.remotePeer.toString()));
      return;
    }
    try {
      from = this.remoteOf(connection);
      const frame = await withDeadline(readFrame(stream, entry.maxFrameBytes), this.options.inboundTimeoutMs, 'inbound request frame', (e) => stream.abort(e));
      const answer = frame ? await entry.handler(frame, from) : null;
      if (answer) stream.send(encodeFrame(answer, entry.maxFrameBytes));
      await stream.close();
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error(String(error)));
      entry.onDrop?.(error instanceof Error ? error : new Error(String(error)), from);
    }
  }

  private async dialContact(to: PeerContact, signal: AbortSignal): Promise<Connection> {
    const known = this.book.get(toHex(to.address));
    const target = known?.addr && ipPortOf(known.addr)?.port === to.port ? known.addr : contactMultiaddr(to, known?.peerId);
    try {
      return await this.libp2p.dial(target, { signal });
    } catch (error) {
      throw new DialError(target.toString(), errorText(error), error);
    }
  }

  async request(to: PeerContact, protocol: string, frame: Uint8Array, options: RequestOptions = {}): Promise<ExchangeResult> {
    if (this.closed) throw new TransportClosedError();
    const o = this.options;
    const timeoutMs = options.timeoutMs ?? o.requestTimeoutMs;
    const maxFrameBytes = options.maxAnswerBytes ?? this.handlers.get(protocol)?.maxFrameBytes ?? o.maxFrameBytes;
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
    let stream: Stream | undefined;
    const exchange = async (): Promise<ExchangeResult> => {
      const connection = await this.dialContact(to, signal);
      const from = this.remoteOf(connection);
      if (toHex(from.nodeAddress) !== toHex(to.address)) throw new PeerMismatchError(toHex(to.address), toHex(from.nodeAddress));
      try {
        stream = await connection.newStream(protocol, { signal });
      } catch (error) {
        if (error instanceof Error && error.name === 'UnsupportedProtocolError') throw new UnsupportedProtocolError(protocol, toHex(to.address));
        throw new DialError(`${connection.remoteAddr.toString()} ${protocol}`, errorText(error), error);
      }
      stream.send(encodeFrame(frame, maxFrameBytes));
      await stream.close({ signal });
      const answer = await readFrame(stream, maxFrameBytes, true);
      return { frame: answer, from };
    };
    try {
      return await withDeadline(exchange(), timeoutMs, `request to ${to.ip}:${to.port}`, (e) => {
        controller.abort(e);
        stream?.abort(e);
      }, options.signal);
    } catch (error) {
      stream?.abort(error instanceof Error ? error : new Error(String(error)));
      if (error instanceof BaseError) throw error;
      throw new DialError(`${to.ip}:${to.port}`, errorText(error), error);
    }
  }

  async connect(address: string, options: RequestOptions = {}): Promise<PeerContact> {
    if (this.closed) throw new TransportClosedError();
    let ma: Multiaddr;
    try {
      ma = multiaddr(address);
    } catch (error) {
      throw new DialError(address, `not a multiaddr: ${errorText(error)}`, error);
    }
    const where = ipPortOf(ma);
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const controller = new AbortController();
    const connection = await withDeadline(
      this.libp2p.dial(ma, { signal: controller.signal }).catch((error: unknown) => {
        throw new DialError(address, errorText(error), error);
      }),
      timeoutMs,
      `dial ${address}`,
      (e) => controller.abort(e),
      options.signal,
    );
    const from = this.remoteOf(connection);
    const expected = peerIdTextOf(ma);
    if (expected !== undefined && expected !== connection.remotePeer.toString()) {
      throw new PeerMismatchError(expected, connection.remotePeer.toString());
    }
    const ip = from.ip ?? where?.ip;
    const port = where?.port;
    if (ip === undefined || port === undefined) throw new DialError(address, 'cannot tell the IP and TCP port of this address');
    this.remember(toHex(from.nodeAddress), { peerId: connection.remotePeer, addr: ma });
    return { address: from.nodeAddress, ip, port };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.libp2p.stop();
  }
}
