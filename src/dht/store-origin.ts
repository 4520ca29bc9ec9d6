/**
 * Where a STORE or ADD_PROVIDER came from, as the record and provider stores weigh it (issue 12;
 * whitepaper §1.1.2): the sender's /24, whether we are one of the s nodes the key belongs at, and
 * how close the key is to us. The stores' eviction rules prefer what honest use looks like (keys
 * we are responsible for, close keys, early arrivals, small groups) over what a flood looks like.
 */
import { subnetOf } from './routing-table.ts';

export interface StoreOrigin {
  /** /24 (IPv6: /48) of the IP the request came from (routing-table.ts subnetOf of the observed IP). */
  readonly subnet: number;
  /** We are among the s closest nodes we know to the key: an honest publisher stores here. */
  readonly responsible: boolean;
  /** Leading bits the key shares with our address; lower is farther (evicted first among the keys we are not responsible for). */
  readonly closeness: number;
  /** Arrival time, ms. */
  readonly now: number;
}

/** Why a store accepted or refused an entry (STORED.ok is `stored`; the rest are counted). */
export type StoreOutcome =
  | 'stored'
  /** An older or equal record under the key wins (the validator's select). */
  | 'kept-current'
  | 'refused-publisher-share'
  | 'refused-subnet-share'
  /** Provider records: the key's list is full; its earliest live providers are kept. */
  | 'refused-key-full'
  /** Full, and nothing a flood could have put there is left to evict for this entry. */
  | 'refused-full';

/** The /24 (IPv6 /48) group of an IP for shares and rate limits; every unparsable IP falls in one group (-1). */
export function subnetGroup(ip: string): number {
  try {
    return subnetOf(ip);
  } catch {
    return -1;
  }
}

/** A copy whose bytes own their memory: decoded fields may be views into a whole network frame. */
export function ownBytes(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}
