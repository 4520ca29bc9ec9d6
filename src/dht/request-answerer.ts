/**
 * RequestAnswerer: a DhtNode's answers to authenticated, rate-limited requests, and the
 * records and provider announcements it holds for others (whitepaper §1.1.2, §2.1.2;
 * docs/dht.md §1). Both stores are created on first use: most simulated nodes never hold one.
 */
import type { DhtOptions } from './defaults.ts';
import { countDrop, DhtInputError, type DhtStats } from './errors.ts';
import type { ContactInfo, DhtEnvelope, DhtRecord, DhtRequest, DhtResponse, ProviderRecord } from './messages.ts';
import { sameAddress, type NodeAddress } from './node-id.ts';
import { checkRecord, ProviderStore, RecordStore, recordKey, type RecordValidator, type RecordVerifier } from './records.ts';
import type { RoutingTable } from './routing-table.ts';

export class RequestAnswerer {
  private readonly options: DhtOptions;
  private readonly table: RoutingTable;
  private readonly stats: DhtStats;
  private readonly validators: Readonly<Record<string, RecordValidator>>;
  private readonly c: { readonly recordVerifier: RecordVerifier };
  private records: RecordStore | null = null;
  private providers: ProviderStore | null = null;

  constructor(ports: { readonly recordVerifier: RecordVerifier }, options: DhtOptions, table: RoutingTable, stats: DhtStats, validators: Readonly<Record<string, RecordValidator>>) {
    this.c = ports;
    this.options = options;
    this.table = table;
    this.stats = stats;
    this.validators = validators;
  }

  /** The record held for others under `key`, if any and unexpired. */
  storedRecord(key: Uint8Array, now: number): DhtRecord | null {
    return this.records?.get(key, now) ?? null;
  }

  /** Provider records held for others under `key` (at most maxProvidersPerResponse). */
  storedProviders(key: Uint8Array, now: number): ProviderRecord[] {
    return this.providers?.get(key, now, this.options.maxProvidersPerResponse) ?? [];
  }

  /** Forget expired records, then expired provider records. */
  sweep(now: number): void {
    this.records?.sweep(now);
    this.providers?.sweep(now);
  }

  private closestInfos(target: NodeAddress, exclude: NodeAddress): ContactInfo[] {
    return this.table.closest(target, this.options.k, exclude, false, true).map((c) => c.info);
  }

  /**
   * The response body to a request envelope; invalid STORE / ADD_PROVIDER payloads are counted and
   * refused. `observedIp`: the IP the request came from (InboundMeta.observedIp); a provider may
   * announce only the address it speaks from, so we never hand out an address nobody showed us.
   */
  answer(envelope: DhtEnvelope, now: number, observedIp?: string): DhtResponse | null {
    const body = envelope.body as DhtRequest;
    const from = envelope.from.address;
    switch (body.type) {
      case 'PING':
        return { type: 'PONG' };
      case 'FIND_NODE':
        return { type: 'NODES', contacts: this.closestInfos(body.target, from) };
      case 'FIND_VALUE': {
        const record = this.storedRecord(body.key, now);
        return { type: 'VALUE', record, contacts: record ? [] : this.closestInfos(body.key, from) };
      }
      case 'GET_PROVIDERS':
        return {
          type: 'PROVIDERS',
          providers: this.storedProviders(body.key, now),
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
          p.provider.port !== 0 && // a client cannot be reached
          (observedIp === undefined || p.provider.ip === observedIp) && // at the IP it speaks from
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
}
