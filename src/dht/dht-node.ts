/**
 * DhtNode: one S/Kademlia participant as a pure state machine (whitepaper §1.1,
 * §2.1.2; DESIGN.md §1.3). It owns a routing table, an RpcClient (outbound RPC
 * bookkeeping, rpc-client.ts), a LookupDriver (one lookup, lookup-driver.ts) and a
 * RequestAnswerer (answers and the record and provider stores, request-answerer.ts);
 * this file keeps the lifecycle, maintenance, bootstrap, the inbound pipeline and the
 * public API. The host injects the clock, randomness, a send port, a scheduler for
 * timeouts and maintenance, and the identity checks.
 *
 * Inbound path (handle): shape and size checks → envelope authentication (weak or
 * strong signature, replay) → static puzzle of the sender → per-peer rate limit
 * (requests) → routing-table admission (requests are unsolicited: χ rule) →
 * answer. Every drop is a DhtInputError counted in `stats.dropped`.
 *
 * Operations take callbacks, not promises: the simulator runs millions of events
 * in one synchronous loop, where promise continuations would run too late.
 */
import type { Clock, Random } from '../common/clock.ts';
import { toHex } from '../common/bytes.ts';
import { withDefaults, type DhtOptions } from './defaults.ts';
import { countDrop, createStats, DhtInputError, type DhtStats } from './errors.ts';
import type { DisjointLookup } from './lookup.ts';
import { LookupDriver, type LookupKind, type LookupResult } from './lookup-driver.ts';
import { encodedEnvelopeBytes, validateEnvelope, type ContactInfo, type DhtEnvelope, type DhtRecord, type DhtRequest, type DhtResponse, type ProviderRecord } from './messages.ts';
import { randomIdInBucket, sameAddress, type NodeAddress } from './node-id.ts';
import { NO_AUTH_SIGNER, type EnvelopeSigner, type EnvelopeVerifier, type InboundMeta, type PuzzleChecker, type Scheduler, type SendPort } from './ports.ts';
import { RateLimiter, peerKeyOf } from './rate-limiter.ts';
import { checkRecord, DEFAULT_VALIDATORS, recordKey, type RecordValidator, type RecordVerifier } from './records.ts';
import { RequestAnswerer } from './request-answerer.ts';
import { RoutingTable } from './routing-table.ts';
import { subnetGroup } from './store-origin.ts';
import { RpcClient, type Purpose } from './rpc-client.ts';

export type { LookupKind, LookupResult } from './lookup-driver.ts';
export type { Purpose } from './rpc-client.ts';

export interface DhtComponents {
  self: ContactInfo;
  clock: Clock;
  random: Random;
  send: SendPort;
  scheduler: Scheduler;
  puzzle: PuzzleChecker;
  verifier: EnvelopeVerifier;
  signer?: EnvelopeSigner;
  recordVerifier: RecordVerifier;
  validators?: Readonly<Record<string, RecordValidator>>;
}

/** Signs a provider record the core built for us; returns the signature (65 bytes in production). */
export type ProviderSigner = (unsigned: Omit<ProviderRecord, 'signature'>) => Uint8Array;

export class DhtNode {
  readonly self: ContactInfo;
  readonly options: DhtOptions;
  readonly table: RoutingTable;
  readonly stats: DhtStats = createStats();
  private readonly c: DhtComponents;
  private readonly validators: Readonly<Record<string, RecordValidator>>;
  private readonly limiter: RateLimiter;
  private readonly ipLimiter: RateLimiter;
  private readonly subnetLimiter: RateLimiter;
  private readonly rpc: RpcClient;
  private readonly lookups: LookupDriver;
  private readonly answerer: RequestAnswerer;
  /** Records we published ourselves: key hex → record; republished every republishIntervalMs. */
  private published: Map<string, { key: Uint8Array; record: DhtRecord; last: number }> | null = null;
  private running = false;
  private lastSelfLookup = 0;
  /** When a χ-refused stranger last triggered a confirming self-lookup, ms. */
  private lastChiConfirm = -Infinity;
  /** When start() ran: buckets untouched since then count as idle only a refresh interval later. */
  private startedAt = 0;

  constructor(components: DhtComponents, options: Partial<DhtOptions> = {}) {
    this.c = components;
    this.self = components.self;
    this.options = withDefaults(options);
    this.validators = components.validators ?? DEFAULT_VALIDATORS;
    this.table = new RoutingTable(this.self.address, this.options);
    const o = this.options;
    // Per identity, per IP and per /24 (issue 12): cheap identities behind one address or network buy nothing.
    this.limiter = new RateLimiter({ ratePerSecond: o.rateLimitPerSecond, burst: o.rateLimitBurst, trackedPeers: o.rateLimitTrackedPeers });
    this.ipLimiter = new RateLimiter({ ratePerSecond: o.rateLimitPerIpPerSecond, burst: o.rateLimitPerIpBurst, trackedPeers: o.rateLimitTrackedPeers });
    this.subnetLimiter = new RateLimiter({ ratePerSecond: o.rateLimitPerSubnetPerSecond, burst: o.rateLimitPerSubnetBurst, trackedPeers: o.rateLimitTrackedPeers });
    this.rpc = new RpcClient(components, this.options, this.table, this.stats); // draws the first rpc id
    this.lookups = new LookupDriver(components, this.options, this.table, this.stats, this.validators, this.rpc);
    this.answerer = new RequestAnswerer(components, this.options, this.table, this.stats, this.validators);
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle and maintenance

  /** Start periodic maintenance (bucket refresh, self-lookup, republish, expiry). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastSelfLookup = this.c.clock.now();
    this.startedAt = this.c.clock.now();
    this.scheduleTick();
  }

  /** Stop maintenance; in-flight RPCs still time out normally. */
  stop(): void {
    this.running = false;
  }

  get isRunning(): boolean {
    return this.running;
  }

  private scheduleTick(): void {
    const base = this.options.maintenanceTickMs;
    const jitter = (this.u32() / 4294967296 - 0.5) * base; // ±50%: nodes do not synchronise
    this.c.scheduler.schedule(base + jitter, () => this.tick());
  }

  private u32(): number {
    const b = this.c.random.bytes(4);
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }

  /** One maintenance round; also callable directly by a host that drives time itself. */
  tick(): void {
    if (!this.running) return;
    const now = this.c.clock.now();
    const o = this.options;
    if (now - this.lastSelfLookup >= o.selfLookupIntervalMs) {
      this.lastSelfLookup = now;
      this.lookup(this.self.address, 'node', 'maintenance', () => {});
    }
    // Liveness: ping the least recently seen contact of the quietest buckets
    // (a failure counts towards staleness; with a replacement waiting it is evicted at once).
    const quiet = this.table.quietContacts(now - o.livenessCheckMs);
    if (quiet.length > o.livenessPingsPerTick) quiet.sort((a, b) => a.lastSeen - b.lastSeen).length = o.livenessPingsPerTick;
    for (const c of quiet) this.ping(c.info, () => {});
    // Refresh at most two idle buckets per tick so a node never bursts.
    const stale = now - this.startedAt >= o.refreshIntervalMs ? this.table.staleBuckets(now - o.refreshIntervalMs) : [];
    for (const i of stale.slice(0, 2)) {
      this.table.markTouched(i, now);
      this.lookup(randomIdInBucket(this.self.address, i, this.c.random), 'node', 'maintenance', () => {});
    }
    if (this.published) {
      for (const entry of this.published.values()) {
        if (entry.record.expiresAt <= now) this.published.delete(toHex(entry.key));
        else if (now - entry.last >= o.republishIntervalMs) {
          entry.last = now;
          this.storeAt(entry.key, entry.record, 'maintenance', () => {});
        }
      }
    }
    this.limiter.prune(now);
    this.ipLimiter.prune(now);
    this.subnetLimiter.prune(now);
    this.answerer.sweep(now);
    this.scheduleTick();
  }

  /**
   * Join: look ourselves up through `seeds` (which fills the sibling zone and tells
   * our neighbours about us), then refresh the buckets farther than our closest
   * neighbour that are not full (Kademlia §2.3), one after another.
   */
  bootstrap(seeds: readonly ContactInfo[], done: (contacts: number) => void): void {
    const valid = seeds.filter((s) => {
      if (sameAddress(s.address, this.self.address)) return false;
      if (this.c.puzzle.isValid(s.address)) return true;
      // Counted, so a join that found nobody can say why (a client run with a higher c1 than the network's).
      countDrop(this.stats, new DhtInputError('puzzle', 'bootstrap node without a valid static puzzle'));
      return false;
    });
    this.lookups.run(this.self.address, 'node', 'maintenance', valid, () => {
      const now = this.c.clock.now();
      const todo: number[] = [];
      for (let i = 0; i < this.table.deepestBucket && todo.length < this.options.joinRefreshBuckets; i++) {
        if (this.table.bucketSize(i) < this.options.k) todo.push(i);
      }
      const step = (): void => {
        const i = todo.shift();
        if (i === undefined) return done(this.table.size);
        this.table.markTouched(i, now);
        this.lookup(randomIdInBucket(this.self.address, i, this.c.random), 'node', 'maintenance', step);
      };
      step();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Outbound RPCs

  /** Send one request; `cb(null)` on timeout, after the per-peer RTT-based timeout (rpc-client.ts). */
  request(to: ContactInfo, body: DhtRequest, purpose: Purpose, cb: (response: DhtResponse | null) => void, late?: (response: DhtResponse) => void): void {
    this.rpc.request(to, body, purpose, cb, late);
  }

  ping(to: ContactInfo, cb: (alive: boolean) => void): void {
    this.request(to, { type: 'PING' }, 'maintenance', (r) => cb(r !== null && r.type === 'PONG'));
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  /** Iterative disjoint-path lookup of `target` starting from our own table. */
  lookup(target: NodeAddress, kind: LookupKind, purpose: Purpose, cb: (result: LookupResult) => void): DisjointLookup {
    const initial = this.table.closest(target, this.options.k).map((c) => c.info);
    return this.lookups.run(target, kind, purpose, initial, cb, true);
  }

  /** Find the closest nodes to `target`. */
  findNode(target: NodeAddress, cb: (result: LookupResult) => void): void {
    this.lookup(target, 'node', 'user', cb);
  }

  /** Fetch the record stored under (namespace, name). */
  get(namespace: string, name: Uint8Array, cb: (record: DhtRecord | null, result: LookupResult) => void): void {
    const key = recordKey(namespace, name);
    const local = this.answerer.storedRecord(key, this.c.clock.now());
    this.lookup(key, 'value', 'user', (r) => cb(r.record ?? local ?? null, r));
  }

  /** Publish a record we signed: stored at the `replication` closest nodes and republished until it expires. */
  put(record: DhtRecord, cb: (storedAt: number) => void): void {
    checkRecord(record, this.validators, this.c.recordVerifier, this.c.clock.now(), this.options.maxRecordTtlMs);
    const key = recordKey(record.namespace, record.name);
    if (!this.published) this.published = new Map();
    this.published.set(toHex(key), { key, record, last: this.c.clock.now() });
    this.storeAt(key, record, 'user', cb);
  }

  private storeAt(key: Uint8Array, record: DhtRecord, purpose: Purpose, cb: (storedAt: number) => void): void {
    this.lookup(key, 'node', purpose, (res) => {
      const targets = res.closest.slice(0, this.options.replication);
      let waiting = targets.length;
      let ok = 0;
      if (waiting === 0) return cb(0);
      for (const t of targets) {
        this.request(t, { type: 'STORE', record }, purpose, (r) => {
          if (r && r.type === 'STORED' && r.ok) ok++;
          if (--waiting === 0) cb(ok);
        });
      }
    });
  }

  /**
   * Announce that we provide `key`. The core builds the record (our contact, expiry now +
   * providerTtlMs) and `sign` returns our signature over it (wire-auth.ts signProvider in
   * production), so the host never has to predict the expiry the core will choose.
   */
  provide(key: Uint8Array, sign: ProviderSigner, cb: (storedAt: number) => void): void {
    // Whole ms, as the wire requires (a virtual clock may be fractional).
    const unsigned: Omit<ProviderRecord, 'signature'> = { key, provider: this.self, expiresAt: Math.floor(this.c.clock.now()) + this.options.providerTtlMs };
    const provider: ProviderRecord = { ...unsigned, signature: sign(unsigned) };
    this.lookup(key, 'node', 'user', (res) => {
      const targets = res.closest.slice(0, this.options.replication);
      let waiting = targets.length;
      let ok = 0;
      if (waiting === 0) return cb(0);
      for (const t of targets) {
        this.request(t, { type: 'ADD_PROVIDER', provider }, 'user', (r) => {
          if (r && r.type === 'STORED' && r.ok) ok++;
          if (--waiting === 0) cb(ok);
        });
      }
    });
  }

  getProviders(key: Uint8Array, cb: (providers: ProviderRecord[], result: LookupResult) => void): void {
    this.lookup(key, 'providers', 'user', (r) => cb(r.providers, r));
  }

  // -------------------------------------------------------------------------------------------
  // Inbound

  /**
   * Feed one inbound message (an envelope object, from the codec or the in-memory
   * network). Never throws: bad input is counted and dropped; the error is returned.
   */
  handle(input: unknown, meta: InboundMeta = {}): DhtInputError | null {
    let envelope: DhtEnvelope;
    try {
      envelope = validateEnvelope(input, this.options, meta.bytes);
    } catch (error) {
      return countDrop(this.stats, error instanceof DhtInputError ? error : new DhtInputError('malformed', String(error)));
    }
    const authProblem = this.c.verifier.verify(envelope, meta);
    if (authProblem) return countDrop(this.stats, new DhtInputError(authProblem, `envelope ${envelope.body.type} from ${envelope.from.ip}:${envelope.from.port}`));
    if (!this.c.puzzle.isValid(envelope.from.address)) return countDrop(this.stats, new DhtInputError('puzzle', 'sender has no valid static puzzle'));
    const now = this.c.clock.now();
    if (envelope.kind === 'response') return this.rpc.handleResponse(envelope, now, meta.observedIp);
    const ip = meta.observedIp ?? envelope.from.ip;
    const limited = !this.limiter.allow(meta.peerKey ?? peerKeyOf(envelope.from.address), now)
      ? 'identity'
      : !this.ipLimiter.allow(ip, now)
        ? 'IP'
        : !this.subnetLimiter.allow(subnetGroup(ip), now)
          ? '/24'
          : null;
    if (limited) return countDrop(this.stats, new DhtInputError('rate-limited', `request rate of its ${limited} exceeded`));
    this.stats.requestsReceived++;
    if (!sameAddress(envelope.from.address, this.self.address) && this.admissible(envelope.from, meta)) {
      // χ rule: a stranger near us is not taken on its word; a self-lookup through independent
      // nodes confirms it (it enters as a solicited contact if it answers that lookup).
      if (this.table.offer(envelope.from, now, false) === 'rejected-chi' && this.running && now - this.lastChiConfirm >= this.options.chiConfirmGapMs) {
        // Not at once: the stranger is usually joining, and the nodes that will vouch for it
        // (those outside its χ zone, which admit it unsolicited) learn of it during its join.
        this.lastChiConfirm = now;
        this.c.scheduler.schedule(this.options.chiConfirmDelayMs, () => {
          if (!this.running) return;
          this.lastSelfLookup = this.c.clock.now();
          this.lookup(this.self.address, 'node', 'maintenance', () => {});
        });
      }
    }
    const reply = this.answerer.answer(envelope, now, meta.observedIp);
    if (reply) {
      let out: DhtEnvelope = { kind: 'response', rpcId: envelope.rpcId, from: this.self, body: reply };
      out = (this.c.signer ?? NO_AUTH_SIGNER).sign(out, envelope.from);
      this.stats.bytesSent += encodedEnvelopeBytes(out);
      this.c.send(meta.replyTo ?? envelope.from, out);
    }
    return null;
  }

  /**
   * May a requester enter our table? Only at an address it has shown: its claimed IP must be
   * the one the transport observed (the port is its own claim, as in a weak PING signature:
   * nobody else can listen at that IP), and it must serve (port 0 declares client mode: a
   * short-lived get/put client must not linger in tables). Everyone is still answered.
   */
  private admissible(from: ContactInfo, meta: InboundMeta): boolean {
    if (from.port === 0) {
      this.stats.notAdmitted.client++;
      return false;
    }
    if (meta.observedIp !== undefined && meta.observedIp !== from.ip) {
      this.stats.notAdmitted.unproven++;
      return false;
    }
    return true;
  }

  /** Records held for others (tests, the simulator). */
  storedRecord(key: Uint8Array): DhtRecord | null {
    return this.answerer.storedRecord(key, this.c.clock.now());
  }

  /** Provider records held for others under `key` (tests, the simulator). */
  storedProviders(key: Uint8Array): ProviderRecord[] {
    return this.answerer.storedProviders(key, this.c.clock.now());
  }

  /** Records and provider records held for others, and store outcomes by kind (stats, the flood bench). */
  get stores(): { records: number; providers: number; outcomes: Readonly<Record<string, number>> } {
    return { ...this.answerer.held, outcomes: this.answerer.outcomes };
  }

  get pendingRpcs(): number {
    return this.rpc.pendingCount;
  }
}
