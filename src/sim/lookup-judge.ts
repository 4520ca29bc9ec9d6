/**
 * Judges the simulator's lookups (docs/dht.md §3, "Success") and tallies what the result reports.
 *
 * When a lookup starts, the simulator lists the live honest nodes closest to the target (the
 * initiator excluded, closest first). The lookup succeeds when the first of them still alive when
 * it ends answered it: a node that left meanwhile can answer no one, and one that joined meanwhile
 * was known to no one when the lookup began. Lookups whose initiator left are not judged; the
 * stricter figure against the closest node at the start counts every lookup.
 *
 * A value lookup (FIND_VALUE, the `value` workload) succeeds when it returned the record that was
 * published for it; its hops are the depth of the answer that carried the record.
 */
import type { LookupResult } from '../dht/dht-node.ts';
import type { DhtRecord } from '../dht/messages.ts';
import { bytesEqual } from '../common/bytes.ts';
import { ANSWERED, FAILED } from '../dht/lookup.ts';

export type FailureKind = 'targetNotSeen' | 'targetTimedOut' | 'targetNeverAsked' | 'noAnswers' | 'unfinished' | 'recordNotFound' | 'providerNotFound';

/** What the simulated lookups look for: nodes (FIND_NODE) or published records (FIND_VALUE). */
export type Workload = 'node' | 'value' | 'providers';

/** What one started lookup is judged against. */
export interface JudgedLookup {
  /** Live honest nodes closest to the target when the lookup started, closest first. */
  closestAtStart: Uint8Array[];
  /** Simulated ms when it started. */
  startedMs: number;
}

/** Called with each failure's kind and the node it was judged against (diagnostics). */
export type FailureObserver = (lookup: number, kind: FailureKind, truth: Uint8Array, r: LookupResult, durationMs: number) => void;

export class LookupJudge {
  private readonly isLive: (address: Uint8Array) => boolean;
  private readonly onFailure: FailureObserver | undefined;
  private readonly workload: Workload;
  private done = 0;
  private ok = 0;
  private okStrict = 0;
  private messages = 0;
  private judged = 0;
  private truthDeparted = 0;
  private initiatorDeparted = 0;
  private publisherDeparted = 0;
  private readonly hops: number[] = [];
  private readonly failures: Partial<Record<FailureKind, number>>;
  private readonly unfinished = new Set<number>();
  /** Simulated seconds from start to result, per completed lookup. */
  private readonly durations: number[] = [];

  /**
   * @param isLive whether a node (by address) is still in the network
   * @param onFailure diagnostics for each failure (node lookups)
   */
  constructor(isLive: (address: Uint8Array) => boolean, onFailure?: FailureObserver, workload: Workload = 'node') {
    this.isLive = isLive;
    this.onFailure = onFailure;
    this.workload = workload;
    this.failures =
      workload === 'node'
        ? { targetNotSeen: 0, targetTimedOut: 0, targetNeverAsked: 0, noAnswers: 0, unfinished: 0 }
        : workload === 'value'
          ? { recordNotFound: 0, noAnswers: 0, unfinished: 0 }
          : { providerNotFound: 0, noAnswers: 0, unfinished: 0 };
  }

  started(lookup: number): void {
    this.unfinished.add(lookup);
  }

  finished(lookup: number, j: JudgedLookup, r: LookupResult, nowMs: number, initiatorAlive: boolean): void {
    this.complete(lookup, j.startedMs, r, nowMs);
    const first = j.closestAtStart[0]!;
    const strict = r.lookup.find(first);
    if (strict && strict.state === ANSWERED) this.okStrict++;
    if (!this.isLive(first)) this.truthDeparted++;
    if (!initiatorAlive) {
      this.initiatorDeparted++; // nobody is left to use the answer
      return;
    }
    this.judged++;
    const truth = j.closestAtStart.find((a) => this.isLive(a)) ?? first;
    const c = r.lookup.find(truth);
    if (c && c.state === ANSWERED) {
      this.ok++;
      this.hops.push(c.depth);
      return;
    }
    const why: FailureKind = r.closest.length === 0 ? 'noAnswers' : !c ? 'targetNotSeen' : c.state === FAILED ? 'targetTimedOut' : 'targetNeverAsked';
    this.failures[why]!++;
    this.onFailure?.(lookup, why, truth, r, nowMs - j.startedMs);
  }

  /**
   * A value lookup for `wanted` ended with `found` (the lookup's record, or a copy the initiator
   * itself holds, at depth 0). Any valid copy counts.
   */
  finishedValue(lookup: number, startedMs: number, wanted: DhtRecord, found: DhtRecord | null, r: LookupResult, nowMs: number, initiatorAlive: boolean): void {
    this.complete(lookup, startedMs, r, nowMs);
    if (!initiatorAlive) {
      this.initiatorDeparted++;
      return;
    }
    this.judged++;
    if (found && bytesEqual(found.publisher, wanted.publisher) && found.seq === wanted.seq && bytesEqual(found.value, wanted.value)) {
      this.ok++;
      this.hops.push(r.record ? r.recordDepth : 0);
      return;
    }
    this.failures[r.closest.length === 0 ? 'noAnswers' : 'recordNotFound']!++;
  }

  /** A provider lookup ended with `found`; it succeeds when the honest `provider` is among them. */
  finishedProviders(lookup: number, startedMs: number, provider: Uint8Array, found: readonly { provider: { address: Uint8Array } }[], r: LookupResult, nowMs: number, initiatorAlive: boolean): void {
    this.complete(lookup, startedMs, r, nowMs);
    if (!initiatorAlive) {
      this.initiatorDeparted++;
      return;
    }
    this.judged++;
    if (found.some((p) => bytesEqual(p.provider.address, provider))) {
      this.ok++;
      return;
    }
    this.failures[r.closest.length === 0 ? 'noAnswers' : 'providerNotFound']!++;
  }

  /** The lookup is not judged: its publisher left before the record was stored (value workload). */
  excuse(lookup: number, _why: 'publisherDeparted'): void {
    this.unfinished.delete(lookup);
    this.publisherDeparted++;
  }

  private complete(lookup: number, startedMs: number, r: LookupResult, nowMs: number): void {
    this.unfinished.delete(lookup);
    this.done++;
    this.durations.push((nowMs - startedMs) / 1000);
    this.messages += r.messages;
  }

  /** Success rate (unfinished lookups count as failures), hops and messages for the result's top level. */
  headline(): { successRate: number; hops: { mean: number; p50: number; p99: number; max: number }; messagesPerLookup: number } {
    const judged = this.judged + this.unfinished.size;
    const hops = [...this.hops].sort((a, b) => a - b);
    const mean = hops.reduce((a, b) => a + b, 0) / Math.max(1, hops.length);
    return {
      successRate: judged === 0 ? 0 : this.ok / judged,
      hops: { mean: round(mean, 3), p50: percentile(hops, 0.5), p99: percentile(hops, 0.99), max: hops[hops.length - 1] ?? 0 },
      messagesPerLookup: round(this.messages / Math.max(1, this.done), 2),
    };
  }

  /** The judge's part of the result's `details`. */
  details(lookups: number): Record<string, unknown> {
    const durations = [...this.durations].sort((a, b) => a - b);
    return {
      completed: this.done,
      judged: this.judged + this.unfinished.size,
      succeeded: this.ok,
      failures: { ...this.failures, unfinished: this.unfinished.size },
      excluded: this.workload === 'node' ? { initiatorDeparted: this.initiatorDeparted } : { initiatorDeparted: this.initiatorDeparted, publisherDeparted: this.publisherDeparted },
      lookupSeconds: {
        mean: round(durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length), 2),
        p50: round(percentile(durations, 0.5), 2),
        p99: round(percentile(durations, 0.99), 2),
      },
      // Value lookups have no "closest at start": any copy of the record is the answer.
      ...(this.workload === 'node'
        ? { closestAtStartDeparted: this.truthDeparted, successRateAgainstClosestAtStart: round(this.okStrict / lookups, 4) }
        : {}),
    };
  }

  get completed(): number {
    return this.done;
  }
}

/** The element at fraction `p` of a sorted array (nearest rank, floor), 0 when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
