/**
 * The provider records a node holds for others (whitepaper §1.1; issue 12 items 2 and 4): bounded
 * in total, per key, per /24 per key, per provider and per /24 overall. Within a key the earliest
 * live providers are kept: a full key refuses newcomers, and a provider that re-announces keeps
 * its first-seen time, so sybils arriving after an honest provider cannot push it out. Answers are
 * a sample a flood cannot crowd: one provider per /24 in turn, each /24's earliest first, the /24s
 * ordered by their earliest provider. Overall, a full store evicts as the record store does: a
 * key we are not responsible for (farthest first), else the newest entry of the largest /24.
 */
import { toHex } from '../common/bytes.ts';
import type { ProviderRecord } from './messages.ts';
import { ShareCounter } from './share-counter.ts';
import { ownBytes, type StoreOrigin, type StoreOutcome } from './store-origin.ts';

export interface ProviderStoreLimits {
  /** Provider records in total. */
  maxRecords: number;
  /** Providers per key. */
  maxPerKey: number;
  /** Providers per key from one /24. */
  maxPerSubnetPerKey: number;
  /** Keys one provider may announce here. */
  maxPerProvider: number;
  /** Provider records from one /24 in total. */
  maxPerSubnet: number;
}

interface Held {
  record: ProviderRecord;
  key: string;
  provider: string;
  subnet: number;
  firstSeen: number;
  responsible: boolean;
  closeness: number;
}

function detached(p: ProviderRecord): ProviderRecord {
  return { ...p, key: ownBytes(p.key), provider: { ...p.provider, address: ownBytes(p.provider.address) }, signature: ownBytes(p.signature) };
}

export class ProviderStore {
  private readonly map = new Map<string, Held[]>();
  private readonly perProvider = new ShareCounter<string>();
  private readonly perSubnet = new ShareCounter<number>();
  private readonly limits: ProviderStoreLimits;
  private count = 0;

  constructor(limits: ProviderStoreLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.count;
  }

  /** Add or refresh `p` (already checked by the caller). */
  add(p: ProviderRecord, origin: StoreOrigin): StoreOutcome {
    const k = toHex(p.key);
    const provider = toHex(p.provider.address);
    const list = this.map.get(k);
    const same = list?.find((h) => h.provider === provider);
    if (same) {
      // A re-announcement refreshes the record and keeps the first-seen time (and the slot).
      same.record = detached(p);
      return 'stored';
    }
    let inSubnet = 0;
    if (list) for (const h of list) if (h.subnet === origin.subnet) inSubnet++;
    if (inSubnet >= this.limits.maxPerSubnetPerKey) return 'refused-subnet-share';
    if (list && list.length >= this.limits.maxPerKey) return 'refused-key-full';
    if (this.perProvider.get(provider) >= this.limits.maxPerProvider) return 'refused-publisher-share';
    if (this.perSubnet.get(origin.subnet) >= this.limits.maxPerSubnet) return 'refused-subnet-share';
    if (this.count >= this.limits.maxRecords && !this.evictFor(origin)) return 'refused-full';
    const held: Held = { record: detached(p), key: k, provider, subnet: origin.subnet, firstSeen: origin.now, responsible: origin.responsible, closeness: origin.closeness };
    const target = this.map.get(k); // evictFor may have emptied and deleted this key's list
    if (target) target.push(held);
    else this.map.set(k, [held]);
    this.count++;
    this.perProvider.add(provider, 1);
    this.perSubnet.add(origin.subnet, 1);
    return 'stored';
  }

  /** Up to `limit` live providers of `key`: one per /24 in turn, each /24's earliest first. */
  get(key: Uint8Array, now: number, limit: number): ProviderRecord[] {
    const list = this.map.get(toHex(key));
    if (!list) return [];
    const groups = new Map<number, Held[]>(); // insertion order = each /24's earliest entry (list is in arrival order)
    for (const h of list) {
      if (h.record.expiresAt <= now) continue;
      const g = groups.get(h.subnet);
      if (g) g.push(h);
      else groups.set(h.subnet, [h]);
    }
    const out: ProviderRecord[] = [];
    for (let round = 0; out.length < limit; round++) {
      let any = false;
      for (const g of groups.values()) {
        if (round < g.length) {
          any = true;
          out.push(g[round]!.record);
          if (out.length === limit) break;
        }
      }
      if (!any) break;
    }
    return out;
  }

  private remove(list: Held[], i: number): void {
    const [h] = list.splice(i, 1);
    this.count--;
    this.perProvider.add(h!.provider, -1);
    this.perSubnet.add(h!.subnet, -1);
    if (list.length === 0) this.map.delete(h!.key);
  }

  /** Make room for a newcomer from `origin` (see the module header). O(records). */
  private evictFor(origin: StoreOrigin): boolean {
    if (!origin.responsible) return false;
    let victim: Held | undefined;
    for (const list of this.map.values()) {
      for (const h of list) {
        if (h.responsible) continue;
        if (!victim || h.closeness < victim.closeness || (h.closeness === victim.closeness && h.firstSeen > victim.firstSeen)) victim = h;
      }
    }
    if (!victim) {
      const largest = this.perSubnet.largest();
      if (!largest || largest.count <= this.perSubnet.get(origin.subnet) + 1) return false;
      for (const list of this.map.values()) for (const h of list) if (h.subnet === largest.group && (!victim || h.firstSeen > victim.firstSeen)) victim = h;
    }
    if (!victim) return false;
    const list = this.map.get(victim.key)!;
    this.remove(list, list.indexOf(victim));
    return true;
  }

  /** Drop expired provider records; returns how many. */
  sweep(now: number): number {
    let n = 0;
    for (const list of [...this.map.values()]) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i]!.record.expiresAt <= now) (this.remove(list, i), n++);
    }
    return n;
  }
}
