/**
 * Kademlia k-buckets with replacement caches and the S/Kademlia sibling zone and
 * admission rules (whitepaper §1.1.1–§1.1.2; Kademlia §2.2, §4.1; S/Kademlia §4.2).
 *
 * - Bucket i holds contacts sharing exactly i leading bits with us, least recently
 *   seen first. A full bucket never evicts a live contact: newcomers wait in the
 *   replacement cache (most recent last) until a member fails `staleAfterFailures`
 *   RPCs in a row.
 * - Sibling zone: the deepest buckets may grow past k until they hold η·s contacts,
 *   so we always know the η·s nodes closest to us (the S/Kademlia sibling list,
 *   kept inside the buckets so closest() needs no second structure).
 * - IP diversity (discv5): ≤ maxPerSubnetPerBucket per /24 per bucket (and its
 *   cache), ≤ maxPerSubnetPerTable per /24 overall.
 * - χ rule: a contact that reached us unsolicited (it sent us a request) may only
 *   enter buckets at least χ levels above our deepest one; our neighbourhood is
 *   filled only with nodes we found ourselves, so a Sybil cannot push itself next
 *   to us by talking to us.
 * Puzzle validity is checked by the caller (DhtNode) before offer().
 */
import { ipToBytes, isIpv4Mapped } from '../wire/ip.ts';
import { commonPrefixLength, compareDistance, type NodeAddress, sameAddress } from './node-id.ts';
import type { ContactInfo } from './messages.ts';
import type { DhtOptions } from './defaults.ts';

/** A routing-table entry. `srtt`/`rttvar` are integer ms (kept small-integer for V8 memory). */
export interface Contact {
  readonly info: ContactInfo;
  readonly subnet: number;
  lastSeen: number;
  fails: number;
  srtt: number;
  rttvar: number;
}

export type AdmissionResult =
  | 'added'
  | 'updated'
  | 'replacement'
  | 'self'
  | 'rejected-subnet-bucket'
  | 'rejected-subnet-table'
  | 'rejected-chi';

interface Bucket {
  contacts: Contact[];
  replacements: Contact[];
  /** Last time a lookup or refresh touched this bucket's range, ms. */
  touched: number;
}

/** subnetOf per shared (frozen) ContactInfo: the simulator offers the same object millions of times. */
const subnetCache = new WeakMap<object, number>();

function subnetOfContact(info: ContactInfo): number {
  let s = subnetCache.get(info);
  if (s === undefined) {
    s = subnetOf(info.ip);
    if (Object.isFrozen(info)) subnetCache.set(info, s);
  }
  return s;
}

/**
 * /24 of an IPv4 address or a hash of the /48 of an IPv6 address, as a small number. Parsed by src/wire/ip.ts (the
 * one IP parser: every spelling of an address gives the same bytes); throws InvalidArgumentError for text that is
 * not an IP (validateContact refuses such contacts before they reach a table).
 */
export function subnetOf(ip: string): number {
  const b = ipToBytes(ip);
  // IPv4-mapped (::ffff:a.b.c.d): the /24 is bytes 12..14.
  if (isIpv4Mapped(b)) return (b[12]! << 16) | (b[13]! << 8) | b[14]!;
  let h = 0x811c9dc5; // FNV-1a over the /48 (bytes 0..5)
  for (let i = 0; i < 6; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return (h >>> 0) | 0x1000000; // keep clear of the IPv4 range (24 bits)
}

export type RoutingTableOptions = Pick<
  DhtOptions,
  'k' | 'replication' | 'siblingFactor' | 'replacementCacheSize' | 'staleAfterFailures' | 'staleAfterFailuresWithReplacement' | 'maxPerSubnetPerBucket' | 'maxPerSubnetPerTable' | 'chi'
>;

export class RoutingTable {
  readonly self: NodeAddress;
  private readonly o: RoutingTableOptions;
  private readonly buckets: (Bucket | undefined)[] = [];
  /** Contacts per subnet over all buckets (not caches); created on first use. */
  private subnetCounts: Map<number, number> | null = null;
  private count = 0;
  private deepest = -1;

  constructor(self: NodeAddress, options: RoutingTableOptions) {
    this.self = self;
    this.o = options;
  }

  get size(): number {
    return this.count;
  }

  /** Index of the deepest non-empty bucket (-1 when empty). */
  get deepestBucket(): number {
    return this.deepest;
  }

  private siblingCapacity(): number {
    return this.o.siblingFactor * this.o.replication;
  }

  private bucket(i: number): Bucket {
    let b = this.buckets[i];
    if (!b) {
      b = { contacts: [], replacements: [], touched: 0 };
      this.buckets[i] = b;
    }
    return b;
  }

  /** Contacts in buckets i..255 (the zone at least as close to us as bucket i). */
  private countFrom(i: number): number {
    let n = 0;
    for (let j = i; j <= this.deepest; j++) n += this.buckets[j]?.contacts.length ?? 0;
    return n;
  }

  private subnetCount(subnet: number): number {
    return this.subnetCounts?.get(subnet) ?? 0;
  }

  private addSubnet(subnet: number, delta: number): void {
    if (!this.subnetCounts) this.subnetCounts = new Map();
    const n = (this.subnetCounts.get(subnet) ?? 0) + delta;
    if (n <= 0) this.subnetCounts.delete(subnet);
    else this.subnetCounts.set(subnet, n);
  }

  /** The table entry for `address`, if it is a bucket member. */
  get(address: NodeAddress): Contact | undefined {
    const i = commonPrefixLength(this.self, address);
    const b = this.buckets[i];
    if (!b) return undefined;
    for (const c of b.contacts) if (sameAddress(c.info.address, address)) return c;
    return undefined;
  }

  /**
   * Offer a contact we just heard from (a response: solicited; a request: unsolicited).
   * Updates an existing entry's lastSeen and moves it to the tail; otherwise applies the rules.
   */
  offer(info: ContactInfo, now: number, solicited: boolean): AdmissionResult {
    const i = commonPrefixLength(this.self, info.address);
    if (i === 256) return 'self';
    const b = this.bucket(i);
    const list = b.contacts;
    for (let j = 0; j < list.length; j++) {
      const c = list[j]!;
      if (c.info.address === info.address || sameAddress(c.info.address, info.address)) {
        c.lastSeen = now;
        if (j !== list.length - 1) {
          list.splice(j, 1);
          list.push(c);
        }
        return 'updated';
      }
    }
    // χ applies once the table holds a bucket's worth: before that "our deepest bucket" says
    // nothing about where our neighbourhood is, and a joining network needs its first contacts.
    if (!solicited && this.count >= this.o.k && i + this.o.chi > this.deepest) return 'rejected-chi';
    const subnet = subnetOfContact(info);
    let inBucket = 0;
    for (const c of list) if (c.subnet === subnet) inBucket++;
    if (inBucket >= this.o.maxPerSubnetPerBucket) return 'rejected-subnet-bucket';
    const contact: Contact = { info, subnet, lastSeen: now, fails: 0, srtt: -1, rttvar: 0 };
    const roomInBucket = list.length < this.o.k || this.countFrom(i) < this.siblingCapacity();
    if (roomInBucket) {
      if (this.subnetCount(subnet) >= this.o.maxPerSubnetPerTable) return 'rejected-subnet-table';
      list.push(contact);
      this.count++;
      this.addSubnet(subnet, 1);
      if (i > this.deepest) this.deepest = i;
      return 'added';
    }
    // Full: keep it in the replacement cache (most recent last, same subnet limit).
    const reps = b.replacements;
    for (let j = 0; j < reps.length; j++) {
      if (sameAddress(reps[j]!.info.address, info.address)) {
        reps.splice(j, 1);
        break;
      }
    }
    let inCache = 0;
    for (const c of reps) if (c.subnet === subnet) inCache++;
    if (inCache >= this.o.maxPerSubnetPerBucket) return 'rejected-subnet-bucket';
    reps.push(contact);
    if (reps.length > this.o.replacementCacheSize) reps.shift();
    return 'replacement';
  }

  /** A response arrived from `address` after `rttMs`: reset its failure count and update its RTT estimate. */
  recordSuccess(address: NodeAddress, rttMs: number, now: number, gains: { rttAlpha: number; rttBeta: number }): Contact | undefined {
    const c = this.get(address);
    if (!c) return undefined;
    c.fails = 0;
    c.lastSeen = now;
    const r = Math.max(1, Math.round(rttMs));
    if (c.srtt < 0) {
      c.srtt = r;
      c.rttvar = Math.round(r / 2);
    } else {
      c.rttvar = Math.round((1 - gains.rttBeta) * c.rttvar + gains.rttBeta * Math.abs(c.srtt - r));
      c.srtt = Math.round((1 - gains.rttAlpha) * c.srtt + gains.rttAlpha * r);
    }
    return c;
  }

  /** An RPC to `address` failed; returns true when that made it stale and it was evicted. */
  recordFailure(address: NodeAddress): boolean {
    const i = commonPrefixLength(this.self, address);
    const b = this.buckets[i];
    if (!b) return false;
    const idx = b.contacts.findIndex((c) => sameAddress(c.info.address, address));
    if (idx < 0) {
      // A failing cached replacement is simply forgotten.
      const r = b.replacements.findIndex((c) => sameAddress(c.info.address, address));
      if (r >= 0) b.replacements.splice(r, 1);
      return false;
    }
    const c = b.contacts[idx]!;
    c.fails++;
    const limit = b.replacements.length > 0 ? this.o.staleAfterFailuresWithReplacement : this.o.staleAfterFailures;
    if (c.fails < limit) return false;
    this.removeAt(i, b, idx);
    return true;
  }

  /** Remove a contact (e.g. it proved malicious); promotes a replacement. */
  remove(address: NodeAddress): boolean {
    const i = commonPrefixLength(this.self, address);
    const b = this.buckets[i];
    if (!b) return false;
    const idx = b.contacts.findIndex((c) => sameAddress(c.info.address, address));
    if (idx < 0) return false;
    this.removeAt(i, b, idx);
    return true;
  }

  private removeAt(i: number, b: Bucket, idx: number): void {
    const [gone] = b.contacts.splice(idx, 1);
    this.count--;
    this.addSubnet(gone!.subnet, -1);
    // Promote the most recently seen replacement that still fits the table-wide subnet cap.
    for (let r = b.replacements.length - 1; r >= 0; r--) {
      const cand = b.replacements[r]!;
      if (this.subnetCount(cand.subnet) >= this.o.maxPerSubnetPerTable) continue;
      b.replacements.splice(r, 1);
      b.contacts.push(cand);
      this.count++;
      this.addSubnet(cand.subnet, 1);
      break;
    }
    if (b.contacts.length === 0 && i === this.deepest) {
      while (this.deepest >= 0 && (this.buckets[this.deepest]?.contacts.length ?? 0) === 0) this.deepest--;
    }
  }

  /**
   * The `count` contacts closest to `target`, closest first.
   * With b = cpl(self, target): bucket b holds everything closer than all others;
   * buckets deeper than b come next (all share b bits with the target, sorted among
   * themselves); then buckets b−1, b−2, …, each farther than the one before. Only
   * the group that crosses `count` needs sorting beyond its own bucket.
   * With `sorted` false (answers to FIND_NODE: the asker sorts anyway) the result
   * is the right set in group order. `skipSuspect` leaves out contacts whose last
   * RPC failed (answers should not send others to probably-dead nodes).
   */
  closest(target: NodeAddress, count: number, exclude?: NodeAddress, sorted = true, skipSuspect = false): Contact[] {
    const out: Contact[] = [];
    const cmp = (x: Contact, y: Contact) => compareDistance(target, x.info.address, y.info.address);
    const pushGroup = (group: Contact[]) => {
      // Groups are ordered among themselves; inside one, sorting is needed only for a sorted
      // result or when the group crosses `count` (to keep its closest members).
      if (group.length > 1 && (sorted || out.length + group.length > count)) group.sort(cmp);
      for (const c of group) {
        if (skipSuspect && c.fails > 0) continue;
        if (!exclude || !sameAddress(c.info.address, exclude)) out.push(c);
      }
    };
    const b = commonPrefixLength(this.self, target);
    if (b >= 256) {
      for (let i = this.deepest; i >= 0 && out.length < count; i--) {
        const bk = this.buckets[i];
        if (bk && bk.contacts.length > 0) pushGroup(bk.contacts.slice());
      }
    } else {
      const own = this.buckets[b];
      if (own && own.contacts.length > 0) pushGroup(own.contacts.slice());
      if (out.length < count) {
        const deeper: Contact[] = [];
        for (let i = b + 1; i <= this.deepest; i++) {
          const bk = this.buckets[i];
          if (bk) for (const c of bk.contacts) deeper.push(c);
        }
        pushGroup(deeper);
      }
      for (let i = b - 1; i >= 0 && out.length < count; i--) {
        const bk = this.buckets[i];
        if (bk && bk.contacts.length > 0) pushGroup(bk.contacts.slice());
      }
    }
    if (out.length > count) out.length = count;
    return out;
  }

  /** The η·s nodes closest to us (the S/Kademlia sibling list). */
  siblings(): Contact[] {
    return this.closest(this.self, this.siblingCapacity());
  }

  /** Per bucket, its least recently seen contact if that was last seen before `before`. */
  quietContacts(before: number): Contact[] {
    const out: Contact[] = [];
    for (let i = 0; i <= this.deepest; i++) {
      const c = this.buckets[i]?.contacts[0];
      if (c && c.lastSeen < before) out.push(c);
    }
    return out;
  }

  /** Mark bucket `i` (the range a lookup target falls in) as recently used. */
  touch(target: NodeAddress, now: number): void {
    const i = commonPrefixLength(this.self, target);
    if (i < 256) this.bucket(i).touched = now;
  }

  /** Bucket indices 0..deepest whose range no lookup has touched since `before`. */
  staleBuckets(before: number): number[] {
    const out: number[] = [];
    for (let i = 0; i <= this.deepest; i++) {
      const b = this.buckets[i];
      if (!b || b.touched < before) out.push(i);
    }
    return out;
  }

  markTouched(i: number, now: number): void {
    this.bucket(i).touched = now;
  }

  /** Number of contacts in bucket i (tests, stats). */
  bucketSize(i: number): number {
    return this.buckets[i]?.contacts.length ?? 0;
  }

  replacementsOf(i: number): readonly Contact[] {
    return this.buckets[i]?.replacements ?? [];
  }

  /** Every bucket member (tests, the simulator's checks). */
  *all(): IterableIterator<Contact> {
    for (const b of this.buckets) if (b) yield* b.contacts;
  }
}
