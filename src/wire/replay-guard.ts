/**
 * Replay guard for strongly signed messages (§2.1.2: "nonces are incorporated within the RPC
 * messages"; docs/spec/wire.md §5).
 *
 * A strong message carries (sender, 16-byte nonce, timestamp in ms). It is accepted only when
 *   |now − timestamp| ≤ windowMs,  timestamp > floor,  and (sender, nonce) was not seen before.
 * An accepted (sender, nonce) is remembered until now > timestamp + windowMs; after that the
 * window check alone refuses it, so memory is bounded by the message rate × 2·windowMs.
 *
 * Hard cap (`maxEntries`): when full, a newcomer whose timestamp is not newer than the oldest
 * cached entry is refused as expired; otherwise the entry with the OLDEST timestamp is evicted
 * and the floor rises to that timestamp, so every message at or before it is refused as
 * expired from then on. The guard therefore never accepts a replay, even under a flood; the price is that a
 * flood shrinks the effective window (honest messages older than the floor are refused and
 * must be re-sent with a fresh timestamp). Per-peer rate limits belong to the transport/DHT.
 *
 * Pure: the caller passes `nowMs` from its injected Clock.
 */
import { InvalidArgumentError } from '../common/errors.ts';
import { ExpiredError, ReplayedError } from './errors.ts';
import { toHex } from '../common/bytes.ts';

export interface ReplayGuardOptions {
  /** Accepted clock difference between sender and receiver, in ms, either way. */
  windowMs: number;
  /** Most (sender, nonce) pairs remembered at once. */
  maxEntries: number;
}

export const DEFAULTS: ReplayGuardOptions = {
  // ±60 s: NTP-synchronised hosts agree within a few ms; 60 s tolerates unsynchronised
  // laptops and slow multi-hop delivery, and keeps the cache small.
  windowMs: 60_000,
  // 65,536 entries ≈ 10 MB at most (key string + heap slot + Map overhead ≈ 150 B each);
  // at a 120 s lifetime that sustains ~540 strong messages/s before the floor rises.
  maxEntries: 65_536,
};

interface Entry {
  timestamp: number;
  key: string;
}

export class ReplayGuard {
  readonly options: ReplayGuardOptions;
  private readonly seen = new Set<string>();
  /** Binary min-heap on timestamp: the next entry to expire (or to evict) is at index 0. */
  private readonly heap: Entry[] = [];
  private floor = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<ReplayGuardOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    const { windowMs, maxEntries } = this.options;
    if (!Number.isSafeInteger(windowMs) || windowMs < 0) throw new InvalidArgumentError('windowMs', 'must be a non-negative integer');
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new InvalidArgumentError('maxEntries', 'must be a positive integer');
  }

  get size(): number {
    return this.seen.size;
  }

  /** Timestamp (ms) at or below which every message is refused; −∞ until the cap was hit. */
  get floorMs(): number {
    return this.floor;
  }

  /**
   * Throws ExpiredError when `timestampMs` is outside the window or at/below the floor. Does not
   * remember anything: call it before the (expensive) signature check.
   */
  checkFresh(timestampMs: number, nowMs: number): void {
    const { windowMs } = this.options;
    if (!Number.isSafeInteger(timestampMs) || Math.abs(nowMs - timestampMs) > windowMs) {
      throw new ExpiredError(`timestamp ${timestampMs} is outside ${nowMs} ± ${windowMs} ms`, { timestamp: timestampMs, now: nowMs, windowMs });
    }
    if (timestampMs <= this.floor) {
      throw new ExpiredError(`timestamp ${timestampMs} is at or before the replay floor ${this.floor} (cache was full)`, {
        timestamp: timestampMs,
        now: nowMs,
        windowMs,
        floor: this.floor,
      });
    }
  }

  /**
   * Accepts a verified message's (sender, nonce, timestamp) once: ExpiredError outside the
   * window, ReplayedError for a pair already seen. Call only after the signature verified, so
   * forged messages cannot fill the cache or block a real nonce.
   */
  admit(sender: Uint8Array, nonce: Uint8Array, timestampMs: number, nowMs: number): void {
    this.expire(nowMs);
    this.checkFresh(timestampMs, nowMs);
    const key = Buffer.from(sender).toString('latin1') + Buffer.from(nonce).toString('latin1');
    if (this.seen.has(key)) throw new ReplayedError(toHex(sender), toHex(nonce));
    if (this.seen.size >= this.options.maxEntries) {
      const oldest = this.heap[0]!;
      if (timestampMs <= oldest.timestamp) {
        // The newcomer would be the first evicted: refuse it and keep the cache as it is.
        throw new ExpiredError(`timestamp ${timestampMs} is not newer than the oldest cached ${oldest.timestamp} (cache full)`, {
          timestamp: timestampMs,
          now: nowMs,
          windowMs: this.options.windowMs,
          floor: oldest.timestamp,
        });
      }
      this.pop();
      this.seen.delete(oldest.key);
      if (oldest.timestamp > this.floor) this.floor = oldest.timestamp;
    }
    this.seen.add(key);
    this.push({ timestamp: timestampMs, key });
  }

  /** Forgets every entry whose timestamp is more than windowMs before `nowMs`. */
  expire(nowMs: number): void {
    const horizon = nowMs - this.options.windowMs;
    while (this.heap.length > 0 && this.heap[0]!.timestamp < horizon) this.seen.delete(this.pop()!.key);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.timestamp <= entry.timestamp) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = entry;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.timestamp < h[l]!.timestamp ? r : l;
      if (h[c]!.timestamp >= last.timestamp) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
