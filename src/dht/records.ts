/**
 * Signed records and provider records with expiry (whitepaper §1.1; Kademlia §2.3,
 * js-libp2p's validators/selectors per key prefix).
 *
 * A record lives under key keccak256(utf8(namespace) ‖ name). Each namespace has a
 * validator: is this record acceptable (shape, publisher rights, lifetime)? and,
 * of two valid ones, which wins? The publisher's signature is checked by an
 * injected RecordVerifier (secp256k1 over a domain-tagged encoding in production,
 * a stand-in in the simulator), so this file stays free of crypto choices.
 */
import { keccak256Concat } from '../crypto/keccak.ts';
import { bytesEqual, toHex } from '../common/bytes.ts';
import { nodeAddressOf } from '../identity/node-address.ts';
import { RecordRejectedError } from './errors.ts';
import type { DhtRecord, ProviderRecord } from './messages.ts';

const utf8 = new TextEncoder();

/** DHT key of a record: keccak256(utf8(namespace) ‖ name). */
export function recordKey(namespace: string, name: Uint8Array): Uint8Array {
  return keccak256Concat(utf8.encode(namespace), name);
}

/** Checks publisher signatures on records and provider records. */
export interface RecordVerifier {
  verifyRecord(record: DhtRecord): boolean;
  verifyProvider(provider: ProviderRecord): boolean;
}

export interface RecordValidator {
  /** null when acceptable, else the reason. `maxTtlMs` bounds expiresAt − now. */
  validate(record: DhtRecord, now: number, maxTtlMs: number): string | null;
  /** Of two valid records under the same key, the one to keep. */
  select(current: DhtRecord, incoming: DhtRecord): DhtRecord;
}

function lifetimeProblem(record: DhtRecord, now: number, maxTtlMs: number): string | null {
  if (record.expiresAt <= now) return 'expired';
  if (record.expiresAt > now + maxTtlMs) return 'lifetime longer than allowed';
  return null;
}

const newerSeq = (current: DhtRecord, incoming: DhtRecord): DhtRecord => (incoming.seq > current.seq ? incoming : current);

/** "/pk/<nodeAddress>": the 65-byte uncompressed public key whose keccak is the name, published by that node. */
export const publicKeyValidator: RecordValidator = {
  validate(record, now, maxTtlMs) {
    if (record.name.length !== 32) return 'name must be a 32-byte NodeAddress';
    if (record.value.length !== 65 || record.value[0] !== 4) return 'value must be an uncompressed public key';
    if (!bytesEqual(nodeAddressOf(record.value), record.name)) return 'key does not hash to the name';
    if (!bytesEqual(record.publisher, record.name)) return 'only the key owner may publish it';
    return lifetimeProblem(record, now, maxTtlMs);
  },
  select: newerSeq,
};

/** "/hcs/<name>": a community server descriptor; the name is owned by its first publisher's address. */
export const hcsValidator: RecordValidator = {
  validate(record, now, maxTtlMs) {
    if (record.name.length === 0) return 'empty name';
    if (record.value.length === 0) return 'empty descriptor';
    return lifetimeProblem(record, now, maxTtlMs);
  },
  // Same publisher: newer wins; a different publisher never replaces the holder (no hijacking a name).
  select: (current, incoming) => (bytesEqual(current.publisher, incoming.publisher) ? newerSeq(current, incoming) : current),
};

export const DEFAULT_VALIDATORS: Readonly<Record<string, RecordValidator>> = {
  '/pk/': publicKeyValidator,
  '/hcs/': hcsValidator,
};

/** Check a record fully: namespace known, validator passes, signature valid. Throws RecordRejectedError. */
export function checkRecord(
  record: DhtRecord,
  validators: Readonly<Record<string, RecordValidator>>,
  verifier: RecordVerifier,
  now: number,
  maxTtlMs: number,
): void {
  const v = validators[record.namespace];
  if (!v) throw new RecordRejectedError(record.namespace, 'unknown namespace');
  const problem = v.validate(record, now, maxTtlMs);
  if (problem) throw new RecordRejectedError(record.namespace, problem);
  if (!verifier.verifyRecord(record)) throw new RecordRejectedError(record.namespace, 'bad publisher signature');
}

/** Records this node holds for others, keyed by hex DHT key. Bounded; expired entries are swept. */
export class RecordStore {
  private readonly map = new Map<string, DhtRecord>();
  private readonly maxRecords: number;

  constructor(maxRecords: number) {
    this.maxRecords = maxRecords;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: Uint8Array, now: number): DhtRecord | null {
    const k = toHex(key);
    const r = this.map.get(k);
    if (!r) return null;
    if (r.expiresAt <= now) {
      this.map.delete(k);
      return null;
    }
    return r;
  }

  /** Store after validation (done by the caller); returns false when full or the current record wins. */
  put(key: Uint8Array, record: DhtRecord, validator: RecordValidator): boolean {
    const k = toHex(key);
    const current = this.map.get(k);
    if (current) {
      const winner = validator.select(current, record);
      if (winner === current) return winner.seq === record.seq && bytesEqual(winner.publisher, record.publisher);
      this.map.set(k, winner);
      return true;
    }
    if (this.map.size >= this.maxRecords) return false;
    this.map.set(k, record);
    return true;
  }

  /** Drop expired records; returns how many. */
  sweep(now: number): number {
    let n = 0;
    for (const [k, r] of this.map) if (r.expiresAt <= now) (this.map.delete(k), n++);
    return n;
  }
}

/** Provider records per key, newest kept, bounded per key. */
export class ProviderStore {
  private readonly map = new Map<string, ProviderRecord[]>();
  private readonly maxPerKey: number;

  constructor(maxPerKey: number) {
    this.maxPerKey = maxPerKey;
  }

  add(p: ProviderRecord): void {
    const k = toHex(p.key);
    let list = this.map.get(k);
    if (!list) this.map.set(k, (list = []));
    const i = list.findIndex((q) => bytesEqual(q.provider.address, p.provider.address));
    if (i >= 0) list.splice(i, 1);
    list.push(p);
    if (list.length > this.maxPerKey) list.shift();
  }

  get(key: Uint8Array, now: number, limit: number): ProviderRecord[] {
    const list = this.map.get(toHex(key));
    if (!list) return [];
    const live = list.filter((p) => p.expiresAt > now);
    return live.slice(-limit);
  }

  sweep(now: number): number {
    let n = 0;
    for (const [k, list] of this.map) {
      const live = list.filter((p) => p.expiresAt > now);
      n += list.length - live.length;
      if (live.length === 0) this.map.delete(k);
      else this.map.set(k, live);
    }
    return n;
  }
}
