/**
 * DhtService: the pure S/Kademlia core (src/dht/dht-node.ts) on a real Transport, a real clock and
 * setTimeout (DESIGN.md §3; issue 3 item 2; docs/dht-network.md). It is one service of the node
 * host: it mounts DHT_PROTOCOL on the transport, next to the community-server and inference-node
 * protocols.
 *
 * Outbound: the core signs every envelope through WireEnvelopeSigner (the sealed bytes ride in
 * `auth.sealed`) and hands it to our send port. A request becomes one Transport exchange; its
 * answer frame is parsed and fed back to the core. A response produced while the core handles an
 * inbound request is captured (the core calls send synchronously inside handle) and written back
 * on the same stream.
 *
 * Inbound, cheapest check first: the sender must solve the static puzzle (c1) and stay under a
 * per-peer frame rate (both before any signature work) → parse (typed decode errors) → the core:
 * shape, signature/replay (WireEnvelopeVerifier), puzzle, its own rate limit, answer. Every drop
 * is a typed error counted in `node.stats.dropped` (and by code in `dropsByCode`).
 */
import { systemClock, systemRandom, type Clock, type Random } from '../common/clock.ts';
import { BaseError } from '../common/errors.ts';
import { toHex } from '../common/bytes.ts';
import { DhtNode } from '../dht/dht-node.ts';
import type { DhtOptions } from '../dht/defaults.ts';
import { countDrop, DhtInputError, DhtOperationError, type DropCode } from '../dht/errors.ts';
import type { ContactInfo, DhtEnvelope, DhtRecord, ProviderRecord } from '../dht/messages.ts';
import type { InboundMeta, Scheduler } from '../dht/ports.ts';
import { RateLimiter } from '../dht/rate-limiter.ts';
import { DEFAULT_VALIDATORS, type RecordValidator } from '../dht/records.ts';
import { dropCodeOf, signProvider, signRecord, SignedRecordVerifier, staticPuzzleChecker, WireEnvelopeSigner, WireEnvelopeVerifier } from '../dht/wire-auth.ts';
import { isSealedAuth, parseDhtEnvelope } from '../dht/wire-codec.ts';
import { signerOf, type Signer } from '../wire/envelope.ts';
import { ipFromBytes, ipToBytes } from '../wire/ip.ts';
import { FrameTooLargeError, MalformedFrameError } from '../transport/errors.ts';
import type { RemotePeer, Transport } from '../transport/transport.ts';
import { DHT_PROTOCOL } from './protocols.ts';

export interface DhtServiceOptions {
  /** The network's static puzzle difficulty. */
  c1: number;
  /** Overrides of the core's options. */
  dht: Partial<DhtOptions>;
  /** Inbound request frames per second per peer before parsing (a cheap pre-filter; the core limits again). */
  frameRatePerSecond: number;
  /** Burst of that pre-filter. */
  frameBurst: number;
  /** Per-record namespace validators (default: the core's /pk/ and /hcs/). */
  validators?: Readonly<Record<string, RecordValidator>>;
}

export const DEFAULTS: DhtServiceOptions = {
  c1: 16, // a 0.17 s grind on two cores (ANCHORS.md): cheap for honest nodes, 65,536 keys per identity for an attacker
  dht: {},
  // Twice the core's per-peer limit (20/s, burst 50): honest peers never hit it, and a flood is cut
  // before it costs us a signature recovery per frame.
  frameRatePerSecond: 40,
  frameBurst: 100,
};

export interface DhtServiceComponents {
  transport: Transport;
  /** The node's identity secret; must be the transport's key (same NodeAddress). */
  secretKey: Uint8Array;
  clock?: Clock;
  random?: Random;
}

/** setTimeout-backed Scheduler; every timer is tracked so stop() can clear them. */
class TimerScheduler implements Scheduler {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private stopped = false;
  onError: (error: unknown) => void = () => {};
  schedule(delayMs: number, task: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        task();
      } catch (error) {
        this.onError(error);
      }
    }, Math.max(0, delayMs));
    this.timers.add(t);
  }
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export class DhtService {
  readonly node: DhtNode;
  readonly transport: Transport;
  readonly signer: Signer;
  readonly self: ContactInfo;
  readonly verifier: WireEnvelopeVerifier;
  readonly options: DhtServiceOptions;
  /** Drops by typed-error code, across the transport, the pre-filters and the verifier. */
  readonly dropsByCode: Record<string, number> = {};
  /** Inbound streams that failed without delivering a frame (timeout, reset by the peer), by error code. */
  readonly streamFailures: Record<string, number> = {};
  /** The last dropped input's error (logs, tests). */
  lastDrop: BaseError | null = null;
  private readonly clock: Clock;
  private readonly scheduler = new TimerScheduler();
  private readonly frameLimiter: RateLimiter;
  private readonly puzzle;
  /** Set while the core handles an inbound request: the response it sends is captured here. */
  private replySlot: { rpcId: number; to: Uint8Array; bytes: Uint8Array | null } | null = null;
  private stopped = false;

  constructor(components: DhtServiceComponents, options: Partial<DhtServiceOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.transport = components.transport;
    this.signer = signerOf(components.secretKey);
    if (toHex(this.signer.nodeAddress) !== toHex(this.transport.nodeAddress)) {
      throw new DhtOperationError('start', 'the transport key is not the DHT identity key');
    }
    this.clock = components.clock ?? systemClock;
    const random = components.random ?? systemRandom;
    const contact = this.transport.localContact();
    this.self = { address: this.signer.nodeAddress, ip: contact.ip, port: contact.port };
    this.puzzle = staticPuzzleChecker(this.options.c1);
    this.verifier = new WireEnvelopeVerifier({ clock: this.clock, self: this.self.address });
    this.node = new DhtNode(
      {
        self: this.self,
        clock: this.clock,
        random,
        send: (to, env) => this.send(to, env),
        scheduler: this.scheduler,
        puzzle: this.puzzle,
        verifier: this.verifier,
        signer: new WireEnvelopeSigner({ signer: this.signer, clock: this.clock, random }),
        recordVerifier: new SignedRecordVerifier(),
        validators: this.options.validators ?? DEFAULT_VALIDATORS,
      },
      this.options.dht,
    );
    this.frameLimiter = new RateLimiter({
      ratePerSecond: this.options.frameRatePerSecond,
      burst: this.options.frameBurst,
      trackedPeers: this.node.options.rateLimitTrackedPeers,
    });
    this.scheduler.onError = (error) => this.drop(error instanceof BaseError ? error : new DhtInputError('malformed', String(error)));
    this.transport.handle(DHT_PROTOCOL, (frame, from) => this.onRequest(frame, from), { onDrop: (error) => this.onTransportFailure(error) });
  }

  /**
   * An inbound exchange failed in the transport. Only a frame that arrived and was bad
   * (malformed, oversized) is a dropped input; a stream that timed out or was reset by
   * its peer (which gives up on its own deadline when this machine is slow) carries no
   * input at all, so it is counted in `streamFailures`, not as a drop.
   */
  private onTransportFailure(error: Error): void {
    if (error instanceof MalformedFrameError || error instanceof FrameTooLargeError) {
      this.drop(error);
      return;
    }
    const code = error instanceof BaseError ? error.code : 'STREAM_ERROR';
    this.streamFailures[code] = (this.streamFailures[code] ?? 0) + 1;
  }

  /** Count a dropped input under its drop code and typed-error code. */
  private drop(error: BaseError, code: DropCode = error instanceof FrameTooLargeError ? 'oversized' : dropCodeOf(error)): void {
    this.dropsByCode[error.code] = (this.dropsByCode[error.code] ?? 0) + 1;
    this.lastDrop = error;
    countDrop(this.node.stats, error instanceof DhtInputError ? error : new DhtInputError(code, `${error.code}: ${error.message}`));
  }

  private send(to: ContactInfo, env: DhtEnvelope): void {
    if (this.stopped) return;
    if (!isSealedAuth(env.auth)) throw new DhtOperationError('send', 'envelope was not sealed by the wire signer');
    const bytes = env.auth.sealed;
    if (env.kind === 'response') {
      const slot = this.replySlot;
      if (slot && slot.rpcId === env.rpcId && toHex(slot.to) === toHex(to.address)) slot.bytes = bytes;
      return; // a response outside an exchange has no stream to go back on: nothing to do
    }
    this.transport.request(to, DHT_PROTOCOL, bytes).then(
      (result) => {
        if (this.stopped || result.frame === null) return;
        this.onResponse(result.frame, result.from);
      },
      () => {
        // Unreachable or timed out: the core's own timer reports the failure (and retries elsewhere).
      },
    );
  }

  private parse(frame: Uint8Array, from: RemotePeer): DhtEnvelope | null {
    try {
      return parseDhtEnvelope(frame, { ...(from.ip === undefined ? {} : { observedIp: from.ip }), peerAddress: from.nodeAddress });
    } catch (error) {
      this.drop(error instanceof BaseError ? error : new DhtInputError('malformed', String(error)));
      return null;
    }
  }

  private onResponse(frame: Uint8Array, from: RemotePeer): void {
    const env = this.parse(frame, from);
    if (!env) return;
    if (env.kind !== 'response') {
      this.drop(new DhtInputError('unexpected-response', `a ${env.body.type} request came back as an answer`));
      return;
    }
    this.afterCore(this.node.handle(env, this.metaOf(frame, from)));
  }

  /** What the transport knows of an inbound frame: size, rate-limit key, the IP it came from (canonical text). */
  private metaOf(frame: Uint8Array, from: RemotePeer): InboundMeta {
    let observedIp: string | undefined;
    try {
      if (from.ip !== undefined) observedIp = ipFromBytes(ipToBytes(from.ip));
    } catch {
      observedIp = undefined;
    }
    // No observable IP (a transport that cannot tell): nothing is proven, so admit nobody by IP.
    return { bytes: frame.length, peerKey: from.key, observedIp: observedIp ?? 'unknown' };
  }

  private onRequest(frame: Uint8Array, from: RemotePeer): Uint8Array | null {
    if (this.stopped) return null;
    if (!this.puzzle.isValid(from.nodeAddress)) {
      this.drop(new DhtInputError('puzzle', `peer ${toHex(from.nodeAddress)} does not solve the static puzzle c1 = ${this.options.c1}`));
      return null;
    }
    if (!this.frameLimiter.allow(from.key, this.clock.now())) {
      this.drop(new DhtInputError('rate-limited', `peer ${from.key} exceeded ${this.options.frameRatePerSecond} frames/s`));
      return null;
    }
    const env = this.parse(frame, from);
    if (!env) return null;
    if (env.kind !== 'request') {
      this.drop(new DhtInputError('unexpected-response', `unsolicited ${env.body.type}`));
      return null;
    }
    const slot = { rpcId: env.rpcId, to: env.from.address, bytes: null as Uint8Array | null };
    this.replySlot = slot;
    try {
      this.afterCore(this.node.handle(env, this.metaOf(frame, from)));
    } finally {
      this.replySlot = null;
    }
    return slot.bytes;
  }

  /** The core counted a drop itself; mirror its typed code here. */
  private afterCore(error: DhtInputError | null): void {
    if (!error) return;
    const code = this.verifier.lastError && error.details.reason.startsWith('envelope') ? this.verifier.lastError.code : error.code;
    this.dropsByCode[code] = (this.dropsByCode[code] ?? 0) + 1;
    this.lastDrop = error;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle and operations (promises over the core's callbacks)

  start(): void {
    this.node.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.node.stop();
    this.scheduler.stop();
    await this.transport.close();
  }

  /** Reach each bootstrap address, then join through them. Returns the routing-table size. */
  async bootstrap(addresses: readonly string[]): Promise<{ seeds: number; tableSize: number; errors: BaseError[] }> {
    const errors: BaseError[] = [];
    const seeds: ContactInfo[] = [];
    for (const a of addresses) {
      try {
        const c = await this.transport.connect(a);
        if (toHex(c.address) !== toHex(this.self.address)) seeds.push(c);
      } catch (error) {
        errors.push(error instanceof BaseError ? error : new DhtOperationError('bootstrap', String(error)));
      }
    }
    if (seeds.length === 0) return { seeds: 0, tableSize: this.node.table.size, errors };
    const tableSize = await new Promise<number>((resolve) => this.node.bootstrap(seeds, resolve));
    return { seeds: seeds.length, tableSize, errors };
  }

  /** Sign `value` as ours under (namespace, name) and store it at the closest nodes. Returns how many stored it. */
  async put(namespace: string, name: Uint8Array, value: Uint8Array, options: { ttlMs?: number; seq?: number } = {}): Promise<{ record: DhtRecord; storedAt: number }> {
    const ttl = options.ttlMs ?? this.node.options.maxRecordTtlMs;
    const now = this.clock.now();
    const record = signRecord({ namespace, name, value, publisher: this.self.address, seq: options.seq ?? now, expiresAt: now + ttl }, this.signer.secretKey);
    const storedAt = await new Promise<number>((resolve) => this.node.put(record, resolve));
    return { record, storedAt };
  }

  async get(namespace: string, name: Uint8Array): Promise<DhtRecord | null> {
    return new Promise((resolve) => this.node.get(namespace, name, (record) => resolve(record)));
  }

  /** Announce that we provide `key` (a 32-byte DHT key). Returns how many nodes accepted it. */
  async provide(key: Uint8Array): Promise<number> {
    return new Promise((resolve) => this.node.provide(key, (unsigned) => signProvider(unsigned, this.signer.secretKey).signature, resolve));
  }

  /** Provider records for `key`, one per provider (the core keeps the latest-expiring copy). */
  async providers(key: Uint8Array): Promise<ProviderRecord[]> {
    return new Promise((resolve) => this.node.getProviders(key, (p) => resolve(p)));
  }

  async findNode(target: Uint8Array): Promise<ContactInfo[]> {
    return new Promise((resolve) => this.node.findNode(target, (r) => resolve(r.closest)));
  }

  async ping(to: ContactInfo): Promise<boolean> {
    return new Promise((resolve) => this.node.ping(to, resolve));
  }
}
