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
import { bytesEqual } from '../common/bytes.ts';
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
