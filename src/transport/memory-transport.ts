/**
 * The Transport on the in-memory network (DESIGN.md §3, §4 "ship an in-memory test network";
 * whitepaper §2: the network may delay, lose, duplicate and reorder messages). Same contract as
 * libp2p-transport.ts — request/response exchanges of byte frames on named protocols, the remote
 * of every exchange reported by the NodeAddress of its key — but every packet rides a
 * MemoryNetwork on a VirtualClock, so a whole testnet of community servers and inference nodes
 * runs in one process, deterministically, and time only moves when the test moves it.
 *
 * Authentication: the hub knows which key attached each endpoint (what Noise proves on a real
 * connection), so the `from` of an exchange is the sender's true NodeAddress; a request to a
 * contact whose endpoint belongs to another key fails with PeerMismatchError, as a libp2p dial
 * does. A lost packet is a timeout on the requester's side, as on a real network.
 */
import { toHex } from '../common/bytes.ts';
import { nodeAddressOf, publicKeyOf } from '../identity/node-address.ts';
import {
  DialError,
  FrameTooLargeError,
  PeerMismatchError,
  ProtocolInUseError,
  TransportClosedError,
  TransportTimeoutError,
  UnsupportedProtocolError,
} from './errors.ts';
import type { VirtualClock } from './memory-clock.ts';
import { MemoryNetwork, type MemoryNetworkOptions } from './memory-network.ts';
import type { ExchangeResult, FrameHandler, PeerContact, ProtocolHandlerOptions, RemotePeer, RequestOptions, Transport, TransportDropHandler } from './transport.ts';

export interface MemoryTransportOptions {
  /** Largest frame either way, bytes, for a protocol that does not set its own. */
  maxFrameBytes: number;
  /** Default time for a whole outbound exchange, virtual ms. */
  requestTimeoutMs: number;
  /** Outbound exchanges waiting for an answer; more are refused (each holds a timer and a promise). */
  maxPendingRequests: number;
}

export const DEFAULTS: Readonly<MemoryTransportOptions> = {
  // As libp2p-transport.ts: the DHT's 16 KiB messages plus slack. Protocols with bigger frames set their own.
  maxFrameBytes: 16 * 1024 + 256,
  // As libp2p-transport.ts: above the DHT's 5 s RTT-based timeouts.
  requestTimeoutMs: 10_000,
  // A node has at most a few hundred exchanges in flight (α = 3 per lookup, k answers per query); 4,096 bounds a runaway loop.
  maxPendingRequests: 4096,
};

/** What travels between two endpoints. `from` is filled in by the sending transport, never by a caller. */
export type MemoryPacket =
  | { type: 'request'; id: number; protocol: string; frame: Uint8Array; from: Uint8Array }
  | { type: 'answer'; id: number; frame: Uint8Array | null; from: Uint8Array }
  | { type: 'reset'; id: number; reason: 'unsupported-protocol' | 'refused'; from: Uint8Array };

/** The shared medium: the network, its clock, and which key attached each endpoint. */
export class MemoryTransportHub {
  readonly clock: VirtualClock;
  readonly network: MemoryNetwork<string, MemoryPacket>;
  /** `ip:port` → NodeAddress of the key attached there. */
  private readonly directory = new Map<string, Uint8Array>();
  private nextHost = 1;

  constructor(clock: VirtualClock, options: Partial<MemoryNetworkOptions> = {}) {
    this.clock = clock;
    this.network = new MemoryNetwork(clock, options);
  }

  /** A fresh address: 10.h.h.h, one host per transport, port 4001 (each its own /24 unless the caller picks IPs). */
  allocate(): { ip: string; port: number } {
    const h = this.nextHost++;
    return { ip: `10.${(h >> 16) & 255}.${(h >> 8) & 255}.${h & 255}`, port: 4001 };
  }

  /** The key attached at an endpoint, if any. */
  keyAt(ip: string, port: number): Uint8Array | undefined {
    return this.directory.get(`${ip}:${port}`);
  }

  register(endpoint: string, nodeAddress: Uint8Array, onPacket: (from: string, packet: MemoryPacket) => void): void {
    if (this.directory.has(endpoint)) throw new DialError(endpoint, 'address already in use');
    this.directory.set(endpoint, nodeAddress);
    this.network.attach(endpoint, (from, packet) => onPacket(from, packet));
  }

  unregister(endpoint: string): void {
    this.directory.delete(endpoint);
    this.network.detach(endpoint);
  }
}

interface Pending {
  resolve: (r: ExchangeResult) => void;
  reject: (e: Error) => void;
  to: PeerContact;
  protocol: string;
  maxAnswerBytes: number;
  settled: boolean;
}

export class MemoryTransport implements Transport {
  readonly nodeAddress: Uint8Array;
  readonly options: MemoryTransportOptions;
  private readonly hub: MemoryTransportHub;
  private readonly ip: string;
  private readonly port: number;
  private readonly endpoint: string;
  private readonly handlers = new Map<string, { handler: FrameHandler; maxFrameBytes: number; onDrop?: TransportDropHandler }>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** Attach a transport with the identity `secretKey` to `hub` at `at` (default: a fresh address). */
  constructor(
    components: { hub: MemoryTransportHub; secretKey: Uint8Array; at?: { ip: string; port: number } },
    options: Partial<MemoryTransportOptions> = {},
  ) {
    this.hub = components.hub;
    this.options = { ...DEFAULTS, ...options };
    this.nodeAddress = nodeAddressOf(publicKeyOf(components.secretKey));
    const at = components.at ?? this.hub.allocate();
    this.ip = at.ip;
    this.port = at.port;
    this.endpoint = `${at.ip}:${at.port}`;
    this.hub.register(this.endpoint, this.nodeAddress, (from, packet) => this.onPacket(from, packet));
  }

  listenAddresses(): string[] {
    return [`/memory/${this.ip}/${this.port}`];
  }

  localContact(): { ip: string; port: number } {
    return { ip: this.ip, port: this.port };
  }

  handle(protocol: string, handler: FrameHandler, options: ProtocolHandlerOptions = {}): void {
    if (this.handlers.has(protocol)) throw new ProtocolInUseError(protocol);
    this.handlers.set(protocol, {
      handler,
      maxFrameBytes: options.maxFrameBytes ?? this.options.maxFrameBytes,
      ...(options.onDrop ? { onDrop: options.onDrop } : {}),
    });
  }

  unhandle(protocol: string): void {
    this.handlers.delete(protocol);
  }

  protocols(): string[] {
    return [...this.handlers.keys()];
  }

  private remote(endpoint: string, nodeAddress: Uint8Array): RemotePeer {
    const colon = endpoint.lastIndexOf(':');
    return { nodeAddress, ip: endpoint.slice(0, colon), port: Number(endpoint.slice(colon + 1)), key: toHex(nodeAddress) };
  }

  private send(to: string, packet: MemoryPacket, bytes: number): void {
    if (!this.closed) this.hub.network.send(this.endpoint, to, packet, bytes);
  }

  private onPacket(fromEndpoint: string, packet: MemoryPacket): void {
    if (this.closed) return;
    if (packet.type === 'request') {
      void this.onRequest(fromEndpoint, packet);
      return;
    }
    const p = this.pending.get(packet.id);
    // A late or duplicated answer, or an answer to an exchange that timed out: nothing waits for it.
    if (!p || p.settled) return;
    this.settle(packet.id);
    if (packet.type === 'reset') {
      p.reject(packet.reason === 'unsupported-protocol' ? new UnsupportedProtocolError(p.protocol, toHex(p.to.address)) : new DialError(fromEndpoint, 'stream reset by the peer'));
    } else if (packet.frame && packet.frame.length > p.maxAnswerBytes) {
      p.reject(new FrameTooLargeError(packet.frame.length, p.maxAnswerBytes));
    } else {
      p.resolve({ frame: packet.frame, from: this.remote(fromEndpoint, packet.from) });
    }
  }

  private async onRequest(fromEndpoint: string, packet: Extract<MemoryPacket, { type: 'request' }>): Promise<void> {
    const entry = this.handlers.get(packet.protocol);
    if (!entry) {
      this.send(fromEndpoint, { type: 'reset', id: packet.id, reason: 'unsupported-protocol', from: this.nodeAddress }, 0);
      return;
    }
    const from = this.remote(fromEndpoint, packet.from);
    try {
      if (packet.frame.length > entry.maxFrameBytes) throw new FrameTooLargeError(packet.frame.length, entry.maxFrameBytes);
      const answer = await entry.handler(packet.frame, from);
      if (answer && answer.length > entry.maxFrameBytes) throw new FrameTooLargeError(answer.length, entry.maxFrameBytes);
      const frame = answer ? answer.slice() : null;
      this.send(fromEndpoint, { type: 'answer', id: packet.id, frame, from: this.nodeAddress }, frame?.length ?? 0);
    } catch (error) {
      this.send(fromEndpoint, { type: 'reset', id: packet.id, reason: 'refused', from: this.nodeAddress }, 0);
      entry.onDrop?.(error instanceof Error ? error : new Error(String(error)), from);
    }
  }

  private settle(id: number): void {
    const p = this.pending.get(id);
    if (p) p.settled = true;
    this.pending.delete(id);
  }

  request(to: PeerContact, protocol: string, frame: Uint8Array, options: RequestOptions = {}): Promise<ExchangeResult> {
    if (this.closed) return Promise.reject(new TransportClosedError());
    const target = `${to.ip}:${to.port}`;
    const key = this.hub.keyAt(to.ip, to.port);
    if (key !== undefined && toHex(key) !== toHex(to.address)) return Promise.reject(new PeerMismatchError(toHex(to.address), toHex(key)));
    const maxFrameBytes = this.handlers.get(protocol)?.maxFrameBytes ?? this.options.maxFrameBytes;
    if (frame.length > maxFrameBytes) return Promise.reject(new FrameTooLargeError(frame.length, maxFrameBytes));
    if (this.pending.size >= this.options.maxPendingRequests) return Promise.reject(new DialError(target, `over ${this.options.maxPendingRequests} exchanges in flight`));
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const id = this.nextId++;
    return new Promise<ExchangeResult>((resolve, reject) => {
      const p: Pending = { resolve, reject, to, protocol, maxAnswerBytes: options.maxAnswerBytes ?? maxFrameBytes, settled: false };
      this.pending.set(id, p);
      const fail = (error: Error): void => {
        if (p.settled) return;
        this.settle(id);
        reject(error);
      };
      // An unattached endpoint, or a lost packet, is silence: the requester learns it from its own deadline.
      this.hub.clock.schedule(timeoutMs, () => fail(new TransportTimeoutError(`request to ${target}`, timeoutMs)));
      if (options.signal) {
        if (options.signal.aborted) fail(new TransportTimeoutError(`request to ${target}`, 0));
        else options.signal.addEventListener('abort', () => fail(new TransportTimeoutError(`request to ${target}`, 0)), { once: true });
      }
      this.send(target, { type: 'request', id, protocol, frame: frame.slice(), from: this.nodeAddress }, frame.length);
    });
  }

  /** `/memory/<ip>/<port>` → the contact of the key attached there. */
  async connect(address: string): Promise<PeerContact> {
    if (this.closed) throw new TransportClosedError();
    const m = /^\/memory\/([^/]+)\/(\d+)$/.exec(address);
    if (!m) throw new DialError(address, 'not a /memory/<ip>/<port> address');
    const ip = m[1]!;
    const port = Number(m[2]);
    const key = this.hub.keyAt(ip, port);
    if (!key) throw new DialError(address, 'nothing listens there');
    return { address: key, ip, port };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.unregister(this.endpoint);
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(new TransportClosedError());
    }
  }
}
