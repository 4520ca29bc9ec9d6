/**
 * DhtNode: one S/Kademlia participant as a pure state machine (whitepaper §1.1,
 * §2.1.2; DESIGN.md §1.3). It owns a routing table, record and provider stores and
 * the RPC bookkeeping; the host injects the clock, randomness, a send port, a
 * scheduler for timeouts and maintenance, and the identity checks.
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
import { bytesEqual } from '../common/bytes.ts';
import { withDefaults, perPathParallelism, pathQuorumOf, type DhtOptions } from './defaults.ts';
import { countDrop, createStats, DhtInputError, type DhtStats } from './errors.ts';
import { DisjointLookup, type Candidate } from './lookup.ts';
import {
  encodedEnvelopeBytes,
  validateEnvelope,
  type ContactInfo,
  type DhtEnvelope,
  type DhtRecord,
  type DhtRequest,
  type DhtResponse,
  type ProviderRecord,
} from './messages.ts';
import { randomIdInBucket, sameAddress, type NodeAddress } from './node-id.ts';
import { NO_AUTH_SIGNER, type EnvelopeSigner, type EnvelopeVerifier, type InboundMeta, type PuzzleChecker, type Scheduler, type SendPort } from './ports.ts';
import { RateLimiter, peerKeyOf } from './rate-limiter.ts';
import { checkRecord, DEFAULT_VALIDATORS, ProviderStore, RecordStore, recordKey, type RecordValidator, type RecordVerifier } from './records.ts';
import { RoutingTable } from './routing-table.ts';

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

export type Purpose = 'user' | 'maintenance';

/** Signs a provider record the core built for us; returns the signature (65 bytes in production). */
export type ProviderSigner = (unsigned: Omit<ProviderRecord, 'signature'>) => Uint8Array;
export type LookupKind = 'node' | 'value' | 'providers';

export interface LookupResult {
  target: NodeAddress;
  /** The k closest nodes that answered, closest first. */
  closest: ContactInfo[];
  /** The state machine, for analysis (hops, which nodes each path used). */
  lookup: DisjointLookup;
  /** RPCs sent by this lookup. */
  messages: number;
  /** FIND_VALUE: the first valid record found, else null. */
  record: DhtRecord | null;
  /** Depth (hops) of the answer that carried the record. */
  recordDepth: number;
  /** GET_PROVIDERS: valid provider records found, one per provider (the latest-expiring of its copies). */
  providers: ProviderRecord[];
}

interface PendingRpc {
  to: ContactInfo;
  sentAt: number;
  purpose: Purpose;
  cb: (response: DhtResponse | null) => void;
  /** Called when the answer arrives after the timeout fired (within a grace period). */
  late?: (response: DhtResponse) => void;
}

export class DhtNode {
  readonly self: ContactInfo;
  readonly options: DhtOptions;
  readonly table: RoutingTable;
  readonly stats: DhtStats = createStats();
  private readonly c: DhtComponents;
  private readonly validators: Readonly<Record<string, RecordValidator>>;
  private readonly pending = new Map<number, PendingRpc>();
  /** Timed-out RPCs whose late answer is still welcome (for maxTimeoutMs after the timeout). */
  private readonly expired = new Map<number, PendingRpc>();
  private nextRpcId: number;
  private readonly limiter: RateLimiter;
  private records: RecordStore | null = null;
  private providers: ProviderStore | null = null;
  /** Records we published ourselves: key hex → record; republished every republishIntervalMs. */
  private published: Map<string, { key: Uint8Array; record: DhtRecord; last: number }> | null = null;
  private running = false;
  private lastSelfLookup = 0;
  /** When a χ-refused stranger last triggered a confirming self-lookup, ms. */
  private lastChiConfirm = -Infinity;
  /** When start() ran: buckets untouched since then count as idle only a refresh interval later. */
  private startedAt = 0;
  /** Node-wide RTT estimate (ms) for peers with no sample of their own; -1 = none yet. */
  private srtt = -1;
  private rttvar = 0;

  constructor(components: DhtComponents, options: Partial<DhtOptions> = {}) {
    this.c = components;
    this.self = components.self;
    this.options = withDefaults(options);
    this.validators = components.validators ?? DEFAULT_VALIDATORS;
    this.table = new RoutingTable(this.self.address, this.options);
    this.limiter = new RateLimiter({ ratePerSecond: this.options.rateLimitPerSecond, burst: this.options.rateLimitBurst, trackedPeers: this.options.rateLimitTrackedPeers });
    const r = components.random.bytes(4);
    this.nextRpcId = ((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0;
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
        if (entry.record.expiresAt <= now) this.published.delete(toKeyString(entry.key));
        else if (now - entry.last >= o.republishIntervalMs) {
          entry.last = now;
          this.storeAt(entry.key, entry.record, 'maintenance', () => {});
        }
      }
    }
    this.limiter.prune(now);
    this.records?.sweep(now);
    this.providers?.sweep(now);
    this.scheduleTick();
  }

  /**
   * Join: look ourselves up through `seeds` (which fills the sibling zone and tells
   * our neighbours about us), then refresh the buckets farther than our closest
   * neighbour that are not full (Kademlia §2.3), one after another.
   */
  bootstrap(seeds: readonly ContactInfo[], done: (contacts: number) => void): void {
    const valid = seeds.filter((s) => this.c.puzzle.isValid(s.address) && !sameAddress(s.address, this.self.address));
    this.lookupFrom(this.self.address, 'node', 'maintenance', valid, () => {
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

  private timeoutFor(to: ContactInfo): number {
    const o = this.options;
    const c = this.table.get(to.address);
    let t: number;
    // Per-peer estimate when we have one. Otherwise the RFC 6298 initial 1 s, not the node-wide
    // average: base RTTs differ a lot between peers, and a far peer would time out on first contact.
    if (c && c.srtt >= 0) t = c.srtt + 4 * c.rttvar;
    else t = Math.max(o.initialTimeoutMs, this.srtt >= 0 ? this.srtt + 4 * this.rttvar : 0);
    return Math.min(o.maxTimeoutMs, Math.max(o.minTimeoutMs, t));
  }

  /**
   * When a lookup stops waiting for `to` and asks its next candidate (the request stays
   * pending), ms; 0 = not before the timeout. Only for peers without an RTT sample of
   * their own, whose timeout is the 1 s default: after the node-wide srtt + 4·rttvar
   * (at least minTimeoutMs) a live peer has almost always answered. Under churn these
   * are mostly contacts learned from answers, many of them departed.
   */
  private stallFor(to: ContactInfo): number {
    const o = this.options;
    if (o.lookupStall === 0 || this.srtt < 0) return 0;
    const c = this.table.get(to.address);
    if (c && c.srtt >= 0) return 0;
    const stall = Math.max(o.minTimeoutMs, this.srtt + 4 * this.rttvar);
    return stall < this.timeoutFor(to) ? stall : 0;
  }

  private observeRtt(rtt: number): void {
    if (this.srtt < 0) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = (1 - this.options.rttBeta) * this.rttvar + this.options.rttBeta * Math.abs(this.srtt - rtt);
      this.srtt = (1 - this.options.rttAlpha) * this.srtt + this.options.rttAlpha * rtt;
    }
  }

  /** Send one request; `cb(null)` on timeout. */
  request(to: ContactInfo, body: DhtRequest, purpose: Purpose, cb: (response: DhtResponse | null) => void, late?: (response: DhtResponse) => void): void {
    const rpcId = this.nextRpcId;
    this.nextRpcId = (this.nextRpcId + 1) >>> 0;
    const now = this.c.clock.now();
    this.pending.set(rpcId, late ? { to, sentAt: now, purpose, cb, late } : { to, sentAt: now, purpose, cb });
    let envelope: DhtEnvelope = { kind: 'request', rpcId, from: this.self, body };
    envelope = (this.c.signer ?? NO_AUTH_SIGNER).sign(envelope, to);
    const bytes = encodedEnvelopeBytes(envelope);
    this.stats.requestsSent++;
    this.stats.bytesSent += bytes;
    if (purpose === 'maintenance') this.stats.maintenanceBytes += bytes;
    this.c.scheduler.schedule(this.timeoutFor(to), () => this.expire(rpcId));
    this.c.send(to, envelope);
  }

  private expire(rpcId: number): void {
    const p = this.pending.get(rpcId);
    if (!p) return;
    this.pending.delete(rpcId);
    this.stats.timeouts++;
    this.table.recordFailure(p.to.address);
    if (p.late) {
      this.expired.set(rpcId, p);
      this.c.scheduler.schedule(this.options.maxTimeoutMs, () => this.expired.delete(rpcId));
    }
    p.cb(null);
  }

  ping(to: ContactInfo, cb: (alive: boolean) => void): void {
    this.request(to, { type: 'PING' }, 'maintenance', (r) => cb(r !== null && r.type === 'PONG'));
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  /** Iterative disjoint-path lookup of `target` starting from our own table. */
  lookup(target: NodeAddress, kind: LookupKind, purpose: Purpose, cb: (result: LookupResult) => void): DisjointLookup {
    const initial = this.table.closest(target, this.options.k).map((c) => c.info);
    return this.lookupFrom(target, kind, purpose, initial, cb, true);
  }

  private lookupFrom(target: NodeAddress, kind: LookupKind, purpose: Purpose, initial: readonly ContactInfo[], cb: (result: LookupResult) => void, fromTable = false): DisjointLookup {
    const o = this.options;
    this.stats.lookupsStarted++;
    this.table.touch(target, this.c.clock.now());
    const lk = new DisjointLookup(target, this.self.address, initial, {
      disjointPaths: o.disjointPaths,
      parallelism: perPathParallelism(o),
      quorum: pathQuorumOf(o),
      k: o.k,
      retries: o.lookupRetries,
      retryClosest: o.lookupRetryClosest,
      maxCandidates: Math.max(64, o.k * o.disjointPaths * 4),
    });
    let record: DhtRecord | null = null;
    let recordDepth = 0;
    // Several nodes hold the same provider's announcement: keep one per provider address.
    const providers = new Map<string, ProviderRecord>();
    let finished = false;
    const body: DhtRequest =
      kind === 'node' ? { type: 'FIND_NODE', target } : kind === 'value' ? { type: 'FIND_VALUE', key: target } : { type: 'GET_PROVIDERS', key: target };
    const finish = (): void => {
      if (finished) return;
      finished = true;
      cb({
        target,
        closest: lk.closestAnswered(o.k).map((c) => c.info),
        lookup: lk,
        messages: lk.requests,
        record,
        recordDepth,
        providers: [...providers.values()],
      });
    };
    const onAnswer = (cand: Candidate, r: DhtResponse | null, late = false): void => {
      if (finished) return;
      if (r === null) lk.onFailure(cand);
      else {
        let contacts: readonly ContactInfo[] = [];
        if (r.type === 'NODES') contacts = r.contacts;
        else if (r.type === 'VALUE') {
          contacts = r.contacts;
          if (r.record && record === null && this.acceptFoundRecord(target, r.record)) {
            record = r.record;
            recordDepth = cand.depth;
            lk.stop();
          }
        } else if (r.type === 'PROVIDERS') {
          contacts = r.contacts;
          for (const p of r.providers) {
            if (!this.acceptProvider(target, p)) continue;
            const id = toKeyString(p.provider.address);
            const seen = providers.get(id);
            if (seen === undefined || p.expiresAt > seen.expiresAt) providers.set(id, p);
          }
        }
        if (late) lk.onLateAnswer(cand, this.filterContacts(contacts));
        else lk.onAnswer(cand, this.filterContacts(contacts));
      }
      pump();
    };
    // Every contact we started from failed (under churn a table's closest entries may all have
    // left): start again from the next ones in our table, once per lookup.
    let refilled = !fromTable;
    const pump = (): void => {
      if (finished) return;
      for (const cand of lk.next()) {
        this.request(cand.info, body, purpose, (r) => onAnswer(cand, r), (r) => onAnswer(cand, r, true));
        const stall = this.stallFor(cand.info);
        if (stall > 0) {
          const attempt = cand.tries;
          this.c.scheduler.schedule(stall, () => {
            if (finished || cand.tries !== attempt) return;
            lk.onStall(cand);
            pump();
          });
        }
      }
      if (!lk.finished) return;
      if (!refilled && lk.closestAnswered(1).length === 0) {
        refilled = true;
        if (lk.addStart(this.table.closest(target, 4 * o.k).map((c) => c.info)) > 0) return pump();
      }
      finish();
    };
    pump();
    return lk;
  }

  /** Drop contacts without a valid puzzle (counted) and ourselves. */
  private filterContacts(contacts: readonly ContactInfo[]): readonly ContactInfo[] {
    let bad = false;
    for (const c of contacts) if (!this.c.puzzle.isValid(c.address)) bad = true;
    if (!bad) return contacts;
    return contacts.filter((c) => {
      if (this.c.puzzle.isValid(c.address)) return true;
      countDrop(this.stats, new DhtInputError('puzzle', 'contact without a valid static puzzle'));
      return false;
    });
  }

  private acceptFoundRecord(key: NodeAddress, record: DhtRecord): boolean {
    try {
      if (!bytesEqual(recordKey(record.namespace, record.name), key)) throw new DhtInputError('bad-record', 'record does not belong to the key asked for');
      checkRecord(record, this.validators, this.c.recordVerifier, this.c.clock.now(), this.options.maxRecordTtlMs);
      return true;
    } catch (error) {
      countDrop(this.stats, error instanceof DhtInputError ? error : new DhtInputError('bad-record', (error as Error).message));
      return false;
    }
  }

  private acceptProvider(key: NodeAddress, p: ProviderRecord): boolean {
    const now = this.c.clock.now();
    const ok =
      bytesEqual(p.key, key) &&
      p.expiresAt > now &&
      p.expiresAt <= now + this.options.providerTtlMs &&
      this.c.puzzle.isValid(p.provider.address) &&
      this.c.recordVerifier.verifyProvider(p);
    if (!ok) countDrop(this.stats, new DhtInputError('bad-record', 'invalid provider record'));
    return ok;
  }

  /** Find the closest nodes to `target`. */
  findNode(target: NodeAddress, cb: (result: LookupResult) => void): void {
    this.lookup(target, 'node', 'user', cb);
  }

  /** Fetch the record stored under (namespace, name). */
  get(namespace: string, name: Uint8Array, cb: (record: DhtRecord | null, result: LookupResult) => void): void {
    const key = recordKey(namespace, name);
    const local = this.records?.get(key, this.c.clock.now());
    this.lookup(key, 'value', 'user', (r) => cb(r.record ?? local ?? null, r));
  }

  /** Publish a record we signed: stored at the `replication` closest nodes and republished until it expires. */
  put(record: DhtRecord, cb: (storedAt: number) => void): void {
    checkRecord(record, this.validators, this.c.recordVerifier, this.c.clock.now(), this.options.maxRecordTtlMs);
    const key = recordKey(record.namespace, record.name);
    if (!this.published) this.published = new Map();
    this.published.set(toKeyString(key), { key, record, last: this.c.clock.now() });
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
    const unsigned: Omit<ProviderRecord, 'signature'> = { key, provider: this.self, expiresAt: this.c.clock.now() + this.options.providerTtlMs };
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
    if (envelope.kind === 'response') return this.handleResponse(envelope, now);
    if (!this.limiter.allow(meta.peerKey ?? peerKeyOf(envelope.from.address), now)) {
      return countDrop(this.stats, new DhtInputError('rate-limited', 'peer exceeded its request rate'));
    }
    this.stats.requestsReceived++;
    if (!sameAddress(envelope.from.address, this.self.address)) {
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
    const reply = this.answer(envelope, now);
    if (reply) {
      let out: DhtEnvelope = { kind: 'response', rpcId: envelope.rpcId, from: this.self, body: reply };
      out = (this.c.signer ?? NO_AUTH_SIGNER).sign(out, envelope.from);
      this.stats.bytesSent += encodedEnvelopeBytes(out);
      this.c.send(envelope.from, out);
    }
    return null;
  }

  private handleResponse(envelope: DhtEnvelope, now: number): DhtInputError | null {
    let p = this.pending.get(envelope.rpcId);
    let late = false;
    if (!p) {
      p = this.expired.get(envelope.rpcId);
      late = true;
    }
    if (!p || !sameAddress(p.to.address, envelope.from.address)) {
      return countDrop(this.stats, new DhtInputError('unexpected-response', `no pending rpc ${envelope.rpcId} for that sender`));
    }
    if (late) this.expired.delete(envelope.rpcId);
    else this.pending.delete(envelope.rpcId);
    this.stats.responsesReceived++;
    const rtt = now - p.sentAt;
    this.observeRtt(rtt);
    this.table.offer(envelope.from, now, true);
    this.table.recordSuccess(envelope.from.address, rtt, now, this.options);
    if (p.purpose === 'maintenance') this.stats.maintenanceBytes += encodedEnvelopeBytes(envelope);
    if (late) p.late!(envelope.body as DhtResponse);
    else p.cb(envelope.body as DhtResponse);
    return null;
  }

  private closestInfos(target: NodeAddress, exclude: NodeAddress): ContactInfo[] {
    return this.table.closest(target, this.options.k, exclude, false, true).map((c) => c.info);
  }

  private answer(envelope: DhtEnvelope, now: number): DhtResponse | null {
    const body = envelope.body as DhtRequest;
    const from = envelope.from.address;
    switch (body.type) {
      case 'PING':
        return { type: 'PONG' };
      case 'FIND_NODE':
        return { type: 'NODES', contacts: this.closestInfos(body.target, from) };
      case 'FIND_VALUE': {
        const record = this.records?.get(body.key, now) ?? null;
        return { type: 'VALUE', record, contacts: record ? [] : this.closestInfos(body.key, from) };
      }
      case 'GET_PROVIDERS':
        return {
          type: 'PROVIDERS',
          providers: this.providers?.get(body.key, now, this.options.maxProvidersPerResponse) ?? [],
          contacts: this.closestInfos(body.key, from),
        };
      case 'STORE': {
        const r = body.record;
        try {
          checkRecord(r, this.validators, this.c.recordVerifier, now, this.options.maxRecordTtlMs);
        } catch (error) {
          countDrop(this.stats, new DhtInputError('bad-record', (error as Error).message));
          return { type: 'STORED', ok: false };
        }
        if (!this.records) this.records = new RecordStore(this.options.maxStoredRecords);
        const ok = this.records.put(recordKey(r.namespace, r.name), r, this.validators[r.namespace]!);
        return { type: 'STORED', ok };
      }
      case 'ADD_PROVIDER': {
        const p = body.provider;
        const ok =
          sameAddress(p.provider.address, from) && // a node announces only itself
          p.expiresAt > now &&
          p.expiresAt <= now + this.options.providerTtlMs &&
          this.c.recordVerifier.verifyProvider(p);
        if (!ok) {
          countDrop(this.stats, new DhtInputError('bad-record', 'invalid provider announcement'));
          return { type: 'STORED', ok: false };
        }
        if (!this.providers) this.providers = new ProviderStore(this.options.maxProvidersPerKey);
        this.providers.add(p);
        return { type: 'STORED', ok: true };
      }
    }
  }

  /** Records held for others (tests, the simulator). */
  storedRecord(key: Uint8Array): DhtRecord | null {
    return this.records?.get(key, this.c.clock.now()) ?? null;
  }

  /** Provider records held for others under `key` (tests, the simulator). */
  storedProviders(key: Uint8Array): ProviderRecord[] {
    return this.providers?.get(key, this.c.clock.now(), this.options.maxProvidersPerResponse) ?? [];
  }

  get pendingRpcs(): number {
    return this.pending.size;
  }
}

function toKeyString(key: Uint8Array): string {
  let s = '';
  for (const b of key) s += b.toString(16).padStart(2, '0');
  return s;
}
