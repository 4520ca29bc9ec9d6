/**
 * The iterative lookup over d disjoint paths (S/Kademlia §4.4; Kademlia §2.3), as a
 * pure state machine: it says whom to ask next and is told answers and failures.
 * DhtNode does the sending and the timeouts.
 *
 * - The k closest contacts we know are dealt round-robin to d paths.
 * - A contact learned from an answer on path p joins path p, unless any path has
 *   already seen it: every node is used by one path only, so a colluding group that
 *   captures one path cannot steer the others.
 * - Each path keeps `parallelism` requests in flight, always to its closest
 *   unqueried candidates that are due: among its own `quorum` closest live
 *   candidates, or among the k closest live candidates of the whole lookup. A path
 *   stops when nothing due is unanswered and nothing is in flight (a late answer
 *   may still bring closer nodes). The lookup ends when every path has stopped (or
 *   a value was found): as in Kademlia, the k closest have all been asked.
 * - `depth` counts hops: our own contacts are at depth 1, a contact learned from a
 *   depth-h answer is at depth h + 1.
 */
import { compareDistance, type NodeAddress, sameAddress } from './node-id.ts';
import type { ContactInfo } from './messages.ts';

export const NEW = 0;
export const PENDING = 1;
export const ANSWERED = 2;
export const FAILED = 3;
export type CandidateState = typeof NEW | typeof PENDING | typeof ANSWERED | typeof FAILED;

export interface Candidate {
  readonly info: ContactInfo;
  readonly path: number;
  readonly depth: number;
  state: CandidateState;
  /** Requests sent to it so far (retries after timeouts). */
  tries: number;
  /** Whether it was among the lookup's `retryClosest` closest live candidates when last asked. */
  retryable: boolean;
  /** The current request is slow (see onStall): it no longer holds its path's in-flight slot. */
  stalled: boolean;
  /** Requests to it still unanswered and not timed out (more than one after a hedge, see onStall). */
  outstanding: number;
}

export interface LookupOptions {
  disjointPaths: number;
  parallelism: number;
  quorum: number;
  /** The lookup as a whole ends only when its k closest live candidates have answered. */
  k: number;
  /** Extra attempts for a timed-out candidate among the `retryClosest` closest (a lost packet must not lose the answer). */
  retries: number;
  /** How many of the closest live candidates get retries (dead contacts elsewhere are just skipped). */
  retryClosest: number;
  /** Candidates kept at most (the farthest are forgotten beyond this). */
  maxCandidates: number;
}

export class DisjointLookup {
  readonly target: NodeAddress;
  private readonly self: NodeAddress;
  private readonly o: LookupOptions;
  /** Sorted by XOR distance to target, closest first. */
  readonly candidates: Candidate[] = [];
  private readonly inFlight: number[];
  private readonly pathDone: boolean[];
  private stopped = false;
  /** Requests handed out so far. */
  requests = 0;

  constructor(target: NodeAddress, self: NodeAddress, initial: readonly ContactInfo[], options: LookupOptions) {
    this.target = target;
    this.self = self;
    this.o = options;
    this.inFlight = new Array<number>(options.disjointPaths).fill(0);
    this.pathDone = new Array<boolean>(options.disjointPaths).fill(false);
    let p = 0;
    for (const info of initial) {
      if (this.insert(info, p, 1)) p = (p + 1) % options.disjointPaths;
    }
  }

  /** Binary search: index of `address` or the insertion point as ~index. */
  private search(address: NodeAddress): number {
    let lo = 0;
    let hi = this.candidates.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareDistance(this.target, this.candidates[mid]!.info.address, address);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return ~lo;
  }

  private insert(info: ContactInfo, path: number, depth: number): boolean {
    if (sameAddress(info.address, this.self)) return false;
    const at = this.search(info.address);
    if (at >= 0) return false; // already on some path: disjointness
    const pos = ~at;
    if (pos >= this.o.maxCandidates) return false;
    this.candidates.splice(pos, 0, { info, path, depth, state: NEW, tries: 0, retryable: false, stalled: false, outstanding: 0 });
    if (this.candidates.length > this.o.maxCandidates) {
      // Forget the farthest unqueried candidate (queried ones must stay so that late answers are recognised).
      for (let i = this.candidates.length - 1; i >= 0; i--) {
        if (this.candidates[i]!.state === NEW) {
          this.candidates.splice(i, 1);
          break;
        }
      }
    }
    return true;
  }

  get finished(): boolean {
    if (this.stopped) return true;
    for (let p = 0; p < this.o.disjointPaths; p++) if (!this.pathDone[p]) return false;
    return true;
  }

  /** End the lookup now (a value was found, or the caller gave up). */
  stop(): void {
    this.stopped = true;
  }

  /** Candidates to ask now; each is marked PENDING. Also updates which paths are done. */
  next(): Candidate[] {
    const out: Candidate[] = [];
    if (this.stopped) return out;
    const { disjointPaths: d, parallelism, quorum, k } = this.o;
    // A candidate is due when it is among its path's `quorum` closest live candidates, or among
    // the k closest live candidates of the whole lookup (whichever path owns it must ask it:
    // otherwise colluders closer to the target than the answer could fill a path's quorum).
    const seen = new Array<number>(d).fill(0);
    const dueOpen = new Array<number>(d).fill(0);
    let rank = 0;
    for (const c of this.candidates) {
      if (c.state === FAILED) continue;
      const p = c.path;
      const inQuorum = seen[p]! < quorum;
      seen[p]!++;
      const due = inQuorum || rank < k;
      rank++;
      if (!due) {
        if (rank >= k && this.allQuorumsSeen(seen, quorum)) break;
        continue;
      }
      if (c.state === PENDING) dueOpen[p]!++;
      else if (c.state === NEW) {
        dueOpen[p]!++;
        if (this.inFlight[p]! < parallelism) {
          c.state = PENDING;
          c.stalled = false;
          c.tries++;
          c.outstanding = 1;
          c.retryable = rank <= this.o.retryClosest;
          this.inFlight[p]!++;
          this.requests++;
          out.push(c);
        }
      }
    }
    for (let p = 0; p < d; p++) {
      // Done: nothing due is unanswered, and nothing of it is in flight (a late answer may bring closer nodes).
      this.pathDone[p] = dueOpen[p] === 0 && this.inFlight[p] === 0;
    }
    return out;
  }

  private allQuorumsSeen(seen: number[], quorum: number): boolean {
    for (const n of seen) if (n < quorum) return false;
    return true;
  }

  /** `c` answered with `contacts` (already filtered for puzzle validity by the caller). */
  onAnswer(c: Candidate, contacts: readonly ContactInfo[]): void {
    if (c.state !== PENDING) return;
    c.state = ANSWERED;
    if (!c.stalled) this.inFlight[c.path]!--;
    for (const info of contacts) this.insert(info, c.path, c.depth + 1);
  }

  /** One request to `c` timed out. */
  onFailure(c: Candidate): void {
    if (c.state !== PENDING) return;
    // A hedged copy (see onStall) is still out: wait for it.
    if (--c.outstanding > 0) return;
    // One of the few closest candidates gets `retries` more attempts (it goes back to NEW and is
    // asked again when due); others are simply skipped, as in Kademlia. Retrying all k closest
    // would triple the cost of every dead contact under churn.
    c.state = c.retryable && c.tries <= this.o.retries ? NEW : FAILED;
    if (!c.stalled) this.inFlight[c.path]!--;
  }

  /**
   * `c` has not answered within the time a live peer usually takes (but its timeout has
   * not fired): free its path's in-flight slot so the path asks its next candidate now
   * instead of waiting out the timeout (under churn most slow peers are dead). The request
   * stays pending: an answer still counts, and while it is due the path does not stop.
   *
   * With `hedge`, a candidate that has retries left (one of the closest) is asked again at
   * once, the first request still pending, instead of after the first one times out: at 5%
   * loss the retry is what saves the answer, and under churn a dead closest candidate then
   * costs one timeout instead of three in a row. Returns true when the caller must send that
   * extra request (counted in `requests`).
   */
  onStall(c: Candidate, hedge = false): boolean {
    if (c.state !== PENDING) return false;
    if (!c.stalled) {
      c.stalled = true;
      this.inFlight[c.path]!--;
    }
    if (!hedge || !c.retryable || c.tries > this.o.retries) return false;
    c.tries++;
    c.outstanding++;
    this.requests++;
    return true;
  }

  /**
   * An answer from `c` arrived after the timeout of the request it answers: count it (a
   * timed-out request was lost or slow, not necessarily its peer dead). If `c` is still
   * pending (a hedge or retry is out) this is its answer; if it went back to NEW or FAILED,
   * it holds no in-flight slot, so none is returned, and the new contacts may restart a path.
   */
  onLateAnswer(c: Candidate, contacts: readonly ContactInfo[]): void {
    if (this.stopped || c.state === ANSWERED) return;
    if (c.state === PENDING) return this.onAnswer(c, contacts);
    c.state = ANSWERED;
    for (const info of contacts) this.insert(info, c.path, c.depth + 1);
    this.pathDone[c.path] = false;
  }

  /**
   * Add more starting contacts (depth 1, dealt round-robin over the paths) and let the
   * paths run again; the caller does this when every contact it started from failed.
   * Returns how many were new.
   */
  addStart(infos: readonly ContactInfo[]): number {
    if (this.stopped) return 0;
    let added = 0;
    let p = 0;
    for (const info of infos) {
      if (this.insert(info, p, 1)) {
        added++;
        p = (p + 1) % this.o.disjointPaths;
      }
    }
    if (added > 0) this.pathDone.fill(false);
    return added;
  }

  /** The candidate entry for `address`, if the lookup has seen it. */
  find(address: NodeAddress): Candidate | undefined {
    const i = this.search(address);
    return i >= 0 ? this.candidates[i] : undefined;
  }

  /** The `count` closest candidates that answered, closest first. */
  closestAnswered(count: number): Candidate[] {
    const out: Candidate[] = [];
    for (const c of this.candidates) {
      if (c.state === ANSWERED) out.push(c);
      if (out.length >= count) break;
    }
    return out;
  }
}
