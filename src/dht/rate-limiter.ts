/**
 * Per-peer token buckets: flood protection for inbound requests (issue 3, "Bad
 * input"). Pure: the caller passes `now`. Memory is bounded: when more than
 * `trackedPeers` peers are tracked, peers whose bucket has refilled are forgotten
 * (a full bucket is the same as a fresh one, so nothing is lost); if none has,
 * the oldest entry goes.
 */
export interface RateLimiterOptions {
  /** Sustained requests per second per peer. */
  ratePerSecond: number;
  /** Burst size. */
  burst: number;
  /** Peers tracked before forgetting idle ones. */
  trackedPeers: number;
}

interface Entry {
  tokens: number;
  last: number;
}

export class RateLimiter {
  private readonly o: RateLimiterOptions;
  private peers: Map<number | string, Entry> | null = null;

  constructor(options: RateLimiterOptions) {
    this.o = options;
  }

  /** Take one token for `peer` at time `now` (ms); false means drop the request. */
  allow(peer: number | string, now: number): boolean {
    if (!this.peers) this.peers = new Map();
    let e = this.peers.get(peer);
    if (!e) {
      if (this.peers.size >= this.o.trackedPeers) this.prune(now);
      e = { tokens: this.o.burst, last: now };
      (this.peers ??= new Map()).set(peer, e);
    } else {
      e.tokens = Math.min(this.o.burst, e.tokens + ((now - e.last) * this.o.ratePerSecond) / 1000);
      e.last = now;
    }
    if (e.tokens < 1) return false;
    e.tokens -= 1;
    return true;
  }

  get tracked(): number {
    return this.peers?.size ?? 0;
  }

  /** Forget every peer whose bucket has refilled (lossless); called on each maintenance tick. */
  prune(now: number): void {
    const peers = this.peers;
    if (!peers) return;
    const refillMs = (this.o.burst * 1000) / this.o.ratePerSecond;
    for (const [k, e] of peers) if (now - e.last >= refillMs) peers.delete(k);
    if (peers.size === 0) this.peers = null;
    else if (peers.size >= this.o.trackedPeers) {
      const oldest = peers.keys().next();
      if (!oldest.done) peers.delete(oldest.value);
    }
  }
}

/** A rate-limiter key from an address: its first 6 bytes as a number (exact in a double). */
export function peerKeyOf(address: Uint8Array): number {
  return ((address[0]! << 8) | address[1]!) * 0x100000000 + (((address[2]! << 24) | (address[3]! << 16) | (address[4]! << 8) | address[5]!) >>> 0);
}
