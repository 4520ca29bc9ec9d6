/**
 * RequestAnswerer: a DhtNode's answers to authenticated, rate-limited requests, and the
 * records and provider announcements it holds for others (whitepaper §1.1.2, §2.1.2;
 * docs/dht.md §1). Both stores are created on first use: most simulated nodes never hold one.
 */
import type { DhtOptions } from './defaults.ts';
import { countDrop, DhtInputError, type DhtStats } from './errors.ts';
import type { ContactInfo, DhtEnvelope, DhtRecord, DhtRequest, DhtResponse, ProviderRecord } from './messages.ts';
import { commonPrefixLength, compareDistance, sameAddress, type NodeAddress } from './node-id.ts';
import { ProviderStore } from './provider-store.ts';
import { RecordStore } from './record-store.ts';
import { checkRecord, recordKey, type RecordValidator, type RecordVerifier } from './records.ts';
import type { RoutingTable } from './routing-table.ts';
import { subnetGroup, type StoreOrigin, type StoreOutcome } from './store-origin.ts';

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

  /** Store outcomes by kind (refusals by reason): what a flood achieved. */
  readonly outcomes: Partial<Record<StoreOutcome, number>> = {};

  /** Records and provider records held (stats, the flood bench). */
  get held(): { records: number; providers: number } {
    return { records: this.records?.size ?? 0, providers: this.providers?.size ?? 0 };
  }

  /** How a STORE or ADD_PROVIDER for `key` from `ip` weighs in the stores' shares and eviction. */
  private origin(key: Uint8Array, ip: string, now: number): StoreOrigin {
    const s = this.options.replication;
    const self = this.table.self;
    const closest = this.table.closest(key, s);
    const responsible = closest.length < s || compareDistance(key, self, closest[s - 1]!.info.address) < 0;
    return { subnet: subnetGroup(ip), responsible, closeness: commonPrefixLength(self, key), now };
  }

  private count(outcome: StoreOutcome): boolean {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    return outcome === 'stored';
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
        const o = this.options;
        this.records ??= new RecordStore({ maxRecords: o.maxStoredRecords, maxPerPublisher: o.maxRecordsPerPublisher, maxPerSubnet: o.maxRecordsPerSubnet });
        const key = recordKey(r.namespace, r.name);
        const ok = this.count(this.records.put(key, r, this.validators[r.namespace]!, this.origin(key, observedIp ?? envelope.from.ip, now)));
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
        const o = this.options;
        this.providers ??= new ProviderStore({
          maxRecords: o.maxProviderRecords,
          maxPerKey: o.maxProvidersPerKey,
          maxPerSubnetPerKey: o.maxProvidersPerSubnetPerKey,
          maxPerProvider: o.maxKeysPerProvider,
          maxPerSubnet: o.maxProviderRecordsPerSubnet,
        });
        return { type: 'STORED', ok: this.count(this.providers.add(p, this.origin(p.key, p.provider.ip, now))) };
      }
    }
  }
}
