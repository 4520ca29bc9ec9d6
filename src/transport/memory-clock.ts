/**
 * A virtual clock with a discrete-event queue: the time source of the in-memory
 * network and the simulator. Events at the same time run in scheduling order
 * (a sequence number breaks ties), so a run is a pure function of its seed.
 * Implements Clock (now) and the DHT's Scheduler (schedule).
 */
import type { Clock } from '../common/clock.ts';

interface Event {
  t: number;
  seq: number;
  fn: () => void;
}

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly heap: Event[] = [];
  /** Events run so far. */
  executed = 0;

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Run `fn` after `delayMs` (≥ 0) of virtual time. */
  schedule(delayMs: number, fn: () => void): void {
    this.at(this.time + Math.max(0, delayMs), fn);
  }

  /** Run `fn` at absolute virtual time `t` (clamped to now). */
  at(t: number, fn: () => void): void {
    const e: Event = { t: Math.max(t, this.time), seq: this.seq++, fn };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[m]!, last)) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }

  /** Run events up to and including time `t`, then set the clock to `t`. Returns events run. */
  runUntil(t: number): number {
    let n = 0;
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.t > t) break;
      this.pop();
      this.time = top.t;
      top.fn();
      n++;
    }
    this.executed += n;
    if (t > this.time) this.time = t;
    return n;
  }

  /** Run until no events remain or `maxEvents` ran. */
  runUntilIdle(maxEvents = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < maxEvents) {
      const e = this.pop();
      if (!e) break;
      this.time = e.t;
      e.fn();
      n++;
    }
    this.executed += n;
    return n;
  }

  /** Advance by `ms`, running what falls due. */
  advance(ms: number): number {
    return this.runUntil(this.time + ms);
  }
}

function before(a: Event, b: Event): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
