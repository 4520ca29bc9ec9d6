/**
 * An in-memory network on a virtual clock (DESIGN.md §3; whitepaper §2: the
 * asynchronous network may lose, delay, duplicate or reorder messages).
 *
 * - Latency: each pair of endpoints has a stable base one-way delay drawn once
 *   from the configured distribution (lognormal or uniform), as real paths do;
 *   each message adds uniform jitter on top, which reorders messages sent close
 *   together.
 * - Loss and duplication: independent per message (a duplicate gets its own jitter).
 * - Messages are byte arrays or objects: the simulator passes envelope objects
 *   (no encoding cost; receivers must treat them as immutable), tests may pass
 *   encoded bytes. All randomness comes from one seed.
 */
import { SeededRandom } from '../common/clock.ts';
import type { VirtualClock } from './memory-clock.ts';

export type LatencyModel =
  | { kind: 'lognormal'; medianMs: number; sigma: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'constant'; ms: number };

export interface MemoryNetworkOptions {
  latency: LatencyModel;
  /** Extra per-message delay, uniform in [0, jitterMs]: reorders messages. */
  jitterMs: number;
  /** Probability a message is lost. */
  loss: number;
  /** Probability a message is delivered twice. */
  duplicate: number;
  seed: number;
}

export const DEFAULTS: Readonly<MemoryNetworkOptions> = {
  // Median one-way 40 ms with a long tail (σ = 0.6 → p99 ≈ 160 ms): wide-area paths between home and cloud hosts.
  latency: { kind: 'lognormal', medianMs: 40, sigma: 0.6 },
  jitterMs: 10, // queueing noise; enough to reorder back-to-back messages
  loss: 0, // faults are opt-in
  duplicate: 0,
  seed: 1,
};

export type Handler<K, M> = (from: K, message: M, bytes: number | undefined) => void;

export interface MemoryNetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Sent to an endpoint that was not attached at delivery time. */
  undeliverable: number;
  bytes: number;
}

export class MemoryNetwork<K, M = unknown> {
  readonly options: MemoryNetworkOptions;
  readonly stats: MemoryNetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, undeliverable: 0, bytes: 0 };
  private readonly clock: VirtualClock;
  private readonly random: SeededRandom;
  private readonly handlers = new Map<K, Handler<K, M>>();
  /** Per-endpoint salt for the stable per-pair base delay. */
  private readonly salts = new Map<K, number>();

  constructor(clock: VirtualClock, options: Partial<MemoryNetworkOptions> = {}) {
    this.clock = clock;
    this.options = { ...DEFAULTS, ...options };
    this.random = new SeededRandom(this.options.seed);
  }

  attach(endpoint: K, handler: Handler<K, M>): void {
    this.handlers.set(endpoint, handler);
    if (!this.salts.has(endpoint)) this.salts.set(endpoint, this.random.nextU32());
  }

  /** Messages to a detached endpoint vanish (a crashed node, no goodbye). */
  detach(endpoint: K): void {
    this.handlers.delete(endpoint);
    this.salts.delete(endpoint);
  }

  isAttached(endpoint: K): boolean {
    return this.handlers.has(endpoint);
  }

  get size(): number {
    return this.handlers.size;
  }

  /** Stable one-way base delay between two endpoints, ms. */
  baseDelay(a: K, b: K): number {
    const sa = this.salts.get(a) ?? 0;
    const sb = this.salts.get(b) ?? 0;
    // Symmetric pair hash → two uniforms.
    let h = Math.imul((sa ^ sb) >>> 0, 0x9e3779b1) ^ Math.imul((sa + sb) >>> 0, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    const u1 = ((h >>> 0) + 1) / 4294967297;
    h = Math.imul(h ^ (h >>> 13), 0x297a2d39);
    const u2 = ((h >>> 0) + 1) / 4294967297;
    const m = this.options.latency;
    switch (m.kind) {
      case 'constant':
        return m.ms;
      case 'uniform':
        return m.minMs + u1 * (m.maxMs - m.minMs);
      case 'lognormal': {
        const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        return m.medianMs * Math.exp(m.sigma * z);
      }
    }
  }

  /** Send `message` from `from` to `to`; `bytes` is its encoded size if known (counted, passed on). */
  send(from: K, to: K, message: M, bytes?: number): void {
    const o = this.options;
    this.stats.sent++;
    if (bytes !== undefined) this.stats.bytes += bytes;
    if (o.loss > 0 && this.random.nextFloat() < o.loss) {
      this.stats.lost++;
      return;
    }
    const copies = o.duplicate > 0 && this.random.nextFloat() < o.duplicate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    const base = this.baseDelay(from, to);
    for (let i = 0; i < copies; i++) {
      const delay = base + (o.jitterMs > 0 ? this.random.nextFloat() * o.jitterMs : 0);
      this.clock.schedule(delay, () => {
        const h = this.handlers.get(to);
        if (!h) {
          this.stats.undeliverable++;
          return;
        }
        this.stats.delivered++;
        h(from, message, bytes);
      });
    }
  }
}
