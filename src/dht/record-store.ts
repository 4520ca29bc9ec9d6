/**
 * The records a node holds for others (whitepaper §1.1.2; Kademlia §2.3; issue 12 item 3):
 * bounded in total, per publisher and per /24 of the sender, with an eviction rule that keeps what
 * honest use looks like. When full, an entry the node is responsible for (one of the s closest
 * nodes it knows to the key) evicts, in order: a record it is not responsible for (the key
 * farthest from us first), else the newest record of the /24 holding the most — but only when
 * that /24 holds more than the newcomer's would, so a flood can neither refuse an honest record
 * nor churn one out: a full store refuses an honest record only when every /24 already holds as
 * many as the newcomer's (an attacker would need as many /24s as the store has slots).
 */
import { bytesEqual, toHex } from '../common/bytes.ts';
import type { DhtRecord } from './messages.ts';
import type { RecordValidator } from './records.ts';
import { ShareCounter } from './share-counter.ts';
import { ownBytes, type StoreOrigin, type StoreOutcome } from './store-origin.ts';

export interface RecordStoreLimits {
  /** Records in total. */
  maxRecords: number;
  /** Records per publisher. */
  maxPerPublisher: number;
  /** Records per /24 of the sender. */
  maxPerSubnet: number;
}

interface Held {
  record: DhtRecord;
  key: string;
  publisher: string;
  subnet: number;
  responsible: boolean;
  closeness: number;
  arrived: number;
}

/** The record with every byte field copied out of its frame (a stored record must not pin a 16 KiB frame). */
function detached(r: DhtRecord): DhtRecord {
  return { ...r, name: ownBytes(r.name), value: ownBytes(r.value), publisher: ownBytes(r.publisher), signature: ownBytes(r.signature) };
}

export class RecordStore {
  private readonly map = new Map<string, Held>();
  private readonly perPublisher = new ShareCounter<string>();
  private readonly perSubnet = new ShareCounter<number>();
  private readonly limits: RecordStoreLimits;

  constructor(limits: RecordStoreLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.map.size;
  }

  /** Records held for `publisher` (hex) and from `subnet` (tests, stats). */
  shareOf(publisher: Uint8Array): number {
    return this.perPublisher.get(toHex(publisher));
  }

  get(key: Uint8Array, now: number): DhtRecord | null {
    const h = this.map.get(toHex(key));
    if (!h) return null;
    if (h.record.expiresAt <= now) {
      this.delete(h);
      return null;
    }
    return h.record;
  }

  /** Store a validated record (the caller checked it); see the module header for the rules. */
  put(key: Uint8Array, record: DhtRecord, validator: RecordValidator, origin: StoreOrigin): StoreOutcome {
    const k = toHex(key);
    const current = this.map.get(k);
    if (current) {
      const winner = validator.select(current.record, record);
      if (winner === current.record) return winner.seq === record.seq && bytesEqual(winner.publisher, record.publisher) ? 'stored' : 'kept-current';
      // The holder's own update (select lets only it win): it keeps its slot and its arrival time.
      this.delete(current);
      this.insert(k, record, { ...origin, now: current.arrived });
      return 'stored';
    }
    const publisher = toHex(record.publisher);
    if (this.perPublisher.get(publisher) >= this.limits.maxPerPublisher) return 'refused-publisher-share';
    if (this.perSubnet.get(origin.subnet) >= this.limits.maxPerSubnet) return 'refused-subnet-share';
    if (this.map.size >= this.limits.maxRecords && !this.evictFor(origin)) return 'refused-full';
    this.insert(k, record, origin);
    return 'stored';
  }

  private insert(key: string, record: DhtRecord, origin: StoreOrigin): void {
    const publisher = toHex(record.publisher);
    this.map.set(key, { record: detached(record), key, publisher, subnet: origin.subnet, responsible: origin.responsible, closeness: origin.closeness, arrived: origin.now });
    this.perPublisher.add(publisher, 1);
    this.perSubnet.add(origin.subnet, 1);
  }

  private delete(h: Held): void {
    this.map.delete(h.key);
    this.perPublisher.add(h.publisher, -1);
    this.perSubnet.add(h.subnet, -1);
  }

  /** Make room for a newcomer from `origin`, or say it cannot be made fairly. O(records). */
  private evictFor(origin: StoreOrigin): boolean {
    if (!origin.responsible) return false; // a full store takes only what belongs here
    let victim: Held | undefined;
    for (const h of this.map.values()) {
      if (h.responsible) continue;
      if (!victim || h.closeness < victim.closeness || (h.closeness === victim.closeness && h.arrived > victim.arrived)) victim = h;
    }
    if (!victim) {
      const largest = this.perSubnet.largest();
      if (!largest || largest.count <= this.perSubnet.get(origin.subnet) + 1) return false;
      for (const h of this.map.values()) if (h.subnet === largest.group && (!victim || h.arrived > victim.arrived)) victim = h;
    }
    if (!victim) return false;
    this.delete(victim);
    return true;
  }

  /** Drop expired records; returns how many. */
  sweep(now: number): number {
    let n = 0;
    for (const h of this.map.values()) if (h.record.expiresAt <= now) (this.delete(h), n++);
    return n;
  }
}
