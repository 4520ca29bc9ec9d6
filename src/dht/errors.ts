/**
 * Typed errors and drop counters of the DHT (DESIGN.md §4: a bad input from the
 * network is a typed error and a dropped message, never a crash, never a silent pass).
 */
import { BaseError } from '../common/errors.ts';

/** Why an inbound message or record was dropped; each has a counter in DhtStats.dropped. */
export type DropCode =
  | 'malformed'
  | 'oversized'
  | 'unsigned'
  | 'bad-signature'
  | 'replayed'
  /** A strong message outside the acceptance window (too old or from the future). */
  | 'expired'
  /** A strong message signed for another node (its signed recipient is not us). */
  | 'wrong-recipient'
  | 'puzzle'
  | 'rate-limited'
  | 'unexpected-response'
  | 'bad-record'
  | 'ip-diversity';

export const DROP_CODES: readonly DropCode[] = [
  'malformed', 'oversized', 'unsigned', 'bad-signature', 'replayed', 'expired', 'wrong-recipient', 'puzzle', 'rate-limited', 'unexpected-response', 'bad-record', 'ip-diversity',
];

/** An inbound DHT message or record rejected at the boundary. */
export class DhtInputError extends BaseError<{ drop: DropCode; reason: string }> {
  constructor(drop: DropCode, reason: string) {
    super(`DHT_${drop.toUpperCase().replace(/-/g, '_')}`, `dropped DHT input (${drop}): ${reason}`, { details: { drop, reason } });
  }
}

/** A record refused by its namespace validator. */
export class RecordRejectedError extends BaseError<{ namespace: string; reason: string }> {
  constructor(namespace: string, reason: string) {
    super('DHT_RECORD_REJECTED', `record in ${namespace} rejected: ${reason}`, { details: { namespace, reason } });
  }
}

/** A lookup, store or get that could not complete. */
export class DhtOperationError extends BaseError<{ operation: string; reason: string }> {
  constructor(operation: string, reason: string) {
    super('DHT_OPERATION_FAILED', `${operation} failed: ${reason}`, { details: { operation, reason } });
  }
}

export interface DhtStats {
  /** Inputs dropped, by reason. */
  dropped: Record<DropCode, number>;
  requestsSent: number;
  requestsReceived: number;
  responsesReceived: number;
  timeouts: number;
  /** Estimated wire bytes of RPCs this node started for maintenance (refresh, self-lookup, republish, pings), both ways. */
  maintenanceBytes: number;
  /** Estimated wire bytes of everything this node sent. */
  bytesSent: number;
  lookupsStarted: number;
  /**
   * Requesters answered but not offered to the routing table: `client` — they declared that they
   * do not serve (port 0, Kademlia's client mode); `unproven` — their claimed IP is not the IP the
   * transport observed (an address spoofer, or a host behind a NAT that announced another IP).
   */
  notAdmitted: { client: number; unproven: number };
  /** The last DhtInputError, for logs. */
  lastDrop: DhtInputError | null;
}

export function createStats(): DhtStats {
  const dropped = {} as Record<DropCode, number>;
  for (const code of DROP_CODES) dropped[code] = 0;
  return { dropped, requestsSent: 0, requestsReceived: 0, responsesReceived: 0, timeouts: 0, maintenanceBytes: 0, bytesSent: 0, lookupsStarted: 0, notAdmitted: { client: 0, unproven: 0 }, lastDrop: null };
}

/** Count a drop; returns the error so callers may log or rethrow it. */
export function countDrop(stats: DhtStats, error: DhtInputError): DhtInputError {
  stats.dropped[error.details.drop]++;
  stats.lastDrop = error;
  return error;
}
