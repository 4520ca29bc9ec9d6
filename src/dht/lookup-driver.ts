/**
 * LookupDriver: runs one iterative disjoint-path lookup for a DhtNode (whitepaper §1.1.2,
 * S/Kademlia §4.4; docs/dht.md §1). The DisjointLookup state machine (lookup.ts) decides whom
 * to ask; this file sends those requests through the RpcClient, feeds answers, timeouts,
 * late answers and stalls back to it, accepts found records and provider records only
 * after checking them, and drops contacts without a valid static puzzle.
 */
import type { Clock } from '../common/clock.ts';
import { bytesEqual, toHex } from '../common/bytes.ts';
import { perPathParallelism, pathQuorumOf, type DhtOptions } from './defaults.ts';
import { countDrop, DhtInputError, type DhtStats } from './errors.ts';
import { DisjointLookup, type Candidate } from './lookup.ts';
import type { ContactInfo, DhtRecord, DhtRequest, DhtResponse, ProviderRecord } from './messages.ts';
import type { NodeAddress } from './node-id.ts';
import type { PuzzleChecker, Scheduler } from './ports.ts';
import { checkRecord, recordKey, type RecordValidator, type RecordVerifier } from './records.ts';
import type { RoutingTable } from './routing-table.ts';
import type { Purpose, RpcClient } from './rpc-client.ts';

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

/** The host ports a LookupDriver uses (a subset of DhtComponents). */
export interface LookupPorts {
  self: ContactInfo;
  clock: Clock;
  scheduler: Scheduler;
  puzzle: PuzzleChecker;
  recordVerifier: RecordVerifier;
}

export class LookupDriver {
  private readonly c: LookupPorts;
  private readonly options: DhtOptions;
  private readonly table: RoutingTable;
  private readonly stats: DhtStats;
  private readonly validators: Readonly<Record<string, RecordValidator>>;
  private readonly rpc: RpcClient;

  constructor(ports: LookupPorts, options: DhtOptions, table: RoutingTable, stats: DhtStats, validators: Readonly<Record<string, RecordValidator>>, rpc: RpcClient) {
    this.c = ports;
    this.options = options;
    this.table = table;
    this.stats = stats;
    this.validators = validators;
    this.rpc = rpc;
  }

  /**
   * Look `target` up starting from `initial`; `cb` runs once, when the lookup ends.
   * `fromTable`: `initial` came from our own table, so the lookup may start again from
   * its next entries if every initial contact fails.
   */
  run(target: NodeAddress, kind: LookupKind, purpose: Purpose, initial: readonly ContactInfo[], cb: (result: LookupResult) => void, fromTable = false): DisjointLookup {
    const o = this.options;
    this.stats.lookupsStarted++;
    this.table.touch(target, this.c.clock.now());
    const lk = new DisjointLookup(target, this.c.self.address, initial, {
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
            const id = toHex(p.provider.address);
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
    // One request to `cand`; for a peer without an RTT sample, a stall check after the time a
    // live peer usually takes (DisjointLookup.onStall), which may send a hedged copy.
    const send = (cand: Candidate): void => {
      this.rpc.request(cand.info, body, purpose, (r) => onAnswer(cand, r), (r) => onAnswer(cand, r, true));
      const stall = this.rpc.stallFor(cand.info);
      if (stall <= 0) return;
      const attempt = cand.tries;
      this.c.scheduler.schedule(stall, () => {
        if (finished || cand.tries !== attempt) return;
        if (lk.onStall(cand, o.lookupHedge === 1)) send(cand);
        pump();
      });
    };
    const pump = (): void => {
      if (finished) return;
      for (const cand of lk.next()) send(cand);
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

  /** Drop contacts without a valid puzzle (counted); DisjointLookup itself skips our own address. */
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
}
