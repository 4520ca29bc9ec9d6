/**
 * The community server's scheduler: which k inference nodes answer a query (§2.2.3 "orchestrator"; issue 13 §2.3;
 * docs/serving.md §3). Pure: clock and randomness are injected; no timers, no I/O.
 *
 * Rules, in order:
 * 1. Eligible: serves the model, price per token ≤ the query's limit, not banned, below its in-flight limit.
 * 2. Independent: never two members of one operator, never two of one /24 (IPv4) or /48 (IPv6) — dht's `subnetOf`,
 *    over wire/ip.ts — so identities an operator or a server makes cheaply cannot fill a committee: they add at most
 *    one member per operator and per subnet, however many there are.
 * 3. Weighted random draw without replacement, weight = stake × price factor × load factor × latency factor:
 *    - stake, linear: splitting one stake over many identities does not raise its total weight;
 *    - price: cheapest eligible price / own price (1 for the cheapest);
 *    - load: 1 / (1 + in-flight queries);
 *    - latency: 1 / (1 + measured latency / latencyScaleMs), an EWMA of what `finished` reports (unmeasured nodes
 *      count as `initialLatencyMs`).
 *    Random rather than best-first so that no node (and no operator who games one figure) is chosen every time, and
 *    so that a committee is hard to predict.
 * 4. A node that fails or times out (`failed`) is banned for baseBanMs, doubling per failure up to maxBanMs; the
 *    doubling restarts only after forgiveAfterMs without a failure, so a flapping node's bans keep growing. Its share
 *    goes to another node (`replace`), chosen under the same rules against the rest of the committee. Penalties outlive
 *    a node's removal (bounded table), so leaving and rejoining does not clear a ban.
 * Fewer eligible independent nodes than k is a NotEnoughNodesError with the count per exclusion reason.
 */
import type { Clock, Random } from '../common/clock.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { subnetOf } from '../dht/routing-table.ts';
import { NotEnoughNodesError, SchedulerFullError, type Exclusions } from './scheduler-errors.ts';

export interface SchedulerOptions {
  /** Nodes in the table (admitted nodes of this server). */
  maxNodes: number;
  /** Penalty records kept for nodes that left (so a rejoin does not clear a ban). */
  maxPenaltyRecords: number;
  /** First ban after a failure, ms. */
  baseBanMs: number;
  /** Longest ban, ms (the doubling stops here). */
  maxBanMs: number;
  /** A node with no failure for this long starts again from baseBanMs, ms. */
  forgiveAfterMs: number;
  /** Queries in flight on one node at most. */
  maxInFlightPerNode: number;
  /** Largest committee. */
  maxK: number;
  /** Weight of a new latency sample in the EWMA (0..1]. */
  latencyEwmaWeight: number;
  /** Latency assumed for a node never measured, ms. */
  initialLatencyMs: number;
  /** Latency at which the latency factor is 1/2, ms. */
  latencyScaleMs: number;
  /** Latency samples are clamped to this, ms (one absurd report cannot dominate the EWMA for long). */
  maxLatencySampleMs: number;
}

export const DEFAULTS: Readonly<SchedulerOptions> = Object.freeze({
  // 10,000 admitted nodes per community server: beyond that a second server should take the load (DESIGN.md §2).
  maxNodes: 10_000,
  // One small record per departed node that had failed; as many as nodes, evicting the one whose ban ended first.
  maxPenaltyRecords: 10_000,
  // 5 s: about one query's run on the shipped models; a first failure is often transient (a restart, a lost packet).
  baseBanMs: 5_000,
  // 10 min: 5 s doubled 7 times; a flapping node then serves little, yet a repaired node is back within minutes.
  maxBanMs: 600_000,
  // 30 min without a failure: three times the longest ban, so a node must stay up well past its ban to be forgiven.
  forgiveAfterMs: 1_800_000,
  // 8 queries: the engine runs one at a time per core; more in flight only queues on the node and hides its latency.
  maxInFlightPerNode: 8,
  // 16: as the sequencer log's maxK.
  maxK: 16,
  // 0.2: the usual RTT-estimator weight (RFC 6298 uses 1/8 for SRTT); reacts within ~5 samples.
  latencyEwmaWeight: 0.2,
  // 200 ms: a cautious guess below a typical measured figure, so a new node is tried but not preferred.
  initialLatencyMs: 200,
  // 100 ms: a node 100 ms slower than instant has half the weight.
  latencyScaleMs: 100,
  // 60 s: above any query deadline the server sets.
  maxLatencySampleMs: 60_000,
});

/** What admission knows about a node. */
export interface NodeInfo {
  /** NodeAddress, hex. */
  readonly id: string;
  /** Operator's Ethereum address, hex (stake is held by the operator on chain). */
  readonly operator: string;
  /** The address the node connects from (text; IPv4 or IPv6). */
  readonly ip: string;
  /** Stake backing this node, wei. */
  readonly stake: bigint;
  /** Model hash (hex) → price per token, wei. */
  readonly prices: ReadonlyMap<string, bigint>;
}

interface Penalty {
  failures: number;
  bannedUntil: number;
  lastFailureAt: number;
}

interface NodeEntry {
  info: NodeInfo;
  operator: string;
  subnet: number;
  inFlight: number;
  latencyMs: number;
  measured: boolean;
  penalty: Penalty | null;
}

export interface PickRequest {
  /** Model hash, hex. */
  modelHash: string;
  /** Nodes wanted (beyond those in `keep`). */
  k: number;
  /** Highest acceptable price per token, wei; no limit when absent. */
  maxPricePerToken?: bigint;
  /** Members already in the committee: not picked again, and their operators and subnets are taken. */
  keep?: readonly string[];
}

export interface SchedulerComponents {
  clock: Clock;
  random: Random;
}

const MAX_ID_LENGTH = 130;

export class Scheduler {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly o: SchedulerOptions;
  private readonly nodes = new Map<string, NodeEntry>();
  /** Penalties of nodes no longer in the table. */
  private readonly departed = new Map<string, Penalty>();

  constructor(components: SchedulerComponents, options: Partial<SchedulerOptions> = {}) {
    this.clock = components.clock;
    this.random = components.random;
    this.o = { ...DEFAULTS, ...options };
  }

  get size(): number {
    return this.nodes.size;
  }

  get departedPenalties(): number {
    return this.departed.size;
  }

  /** Adds or updates an admitted node. Throws InvalidArgumentError for a bad record, SchedulerFullError at the bound. */
  upsert(info: NodeInfo): void {
    if (typeof info.id !== 'string' || info.id.length === 0 || info.id.length > MAX_ID_LENGTH) throw new InvalidArgumentError('id', 'must be a short non-empty string');
    if (typeof info.operator !== 'string' || info.operator.length === 0 || info.operator.length > MAX_ID_LENGTH) throw new InvalidArgumentError('operator', 'must be a short non-empty string');
    if (typeof info.stake !== 'bigint' || info.stake <= 0n) throw new InvalidArgumentError('stake', 'must be a positive bigint');
    for (const price of info.prices.values()) if (typeof price !== 'bigint' || price < 0n) throw new InvalidArgumentError('prices', 'must be non-negative bigints');
    const subnet = subnetOf(info.ip); // InvalidArgumentError for text that is not an IP
    const existing = this.nodes.get(info.id);
    if (existing !== undefined) {
      existing.info = info;
      existing.operator = info.operator.toLowerCase();
      existing.subnet = subnet;
      return;
    }
    if (this.nodes.size >= this.o.maxNodes) throw new SchedulerFullError(this.nodes.size, this.o.maxNodes);
    const penalty = this.departed.get(info.id) ?? null;
    this.departed.delete(info.id);
    this.nodes.set(info.id, { info, operator: info.operator.toLowerCase(), subnet, inFlight: 0, latencyMs: this.o.initialLatencyMs, measured: false, penalty });
  }

  /** Drops a node (it left, or liveness dropped it); a penalty it carries is kept in a bounded table. */
  remove(id: string): void {
    const entry = this.nodes.get(id);
    if (entry === undefined) return;
    this.nodes.delete(id);
    if (entry.penalty !== null) this.keepPenalty(id, entry.penalty);
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  /** Until when (ms) a node is banned, or 0. */
  bannedUntil(id: string): number {
    const p = this.nodes.get(id)?.penalty ?? this.departed.get(id);
    return p !== undefined && p !== null && p.bannedUntil > this.clock.now() ? p.bannedUntil : 0;
  }

  inFlight(id: string): number {
    return this.nodes.get(id)?.inFlight ?? 0;
  }

  /**
   * Picks `k` nodes for a query (module header); counts them as in flight. Throws NotEnoughNodesError when fewer than
   * k eligible independent nodes exist; then nothing is counted.
   */
  pick(request: PickRequest): string[] {
    const { k } = request;
    if (!Number.isInteger(k) || k < 1 || k > this.o.maxK) throw new InvalidArgumentError('k', `must be an integer in [1, ${this.o.maxK}]`);
    const now = this.clock.now();
    const exclusions: Exclusions = { otherModel: 0, tooExpensive: 0, banned: 0, busy: 0, alreadyChosen: 0, sameOperator: 0, sameSubnet: 0 };
    const keep = new Set(request.keep ?? []);
    const operators = new Set<string>();
    const subnets = new Set<number>();
    for (const id of keep) {
      const member = this.nodes.get(id);
      if (member === undefined) continue; // a departed member still blocks its own id, not its operator
      operators.add(member.operator);
      subnets.add(member.subnet);
    }
    // 1. Eligibility (independent of the draw).
    const eligible: { entry: NodeEntry; price: bigint }[] = [];
    for (const [id, entry] of this.nodes) {
      const price = entry.info.prices.get(request.modelHash);
      if (price === undefined) exclusions.otherModel++;
      else if (request.maxPricePerToken !== undefined && price > request.maxPricePerToken) exclusions.tooExpensive++;
      else if (entry.penalty !== null && entry.penalty.bannedUntil > now) exclusions.banned++;
      else if (entry.inFlight >= this.o.maxInFlightPerNode) exclusions.busy++;
      else if (keep.has(id)) exclusions.alreadyChosen++;
      else eligible.push({ entry, price });
    }
    let cheapest = -1n;
    for (const e of eligible) if (cheapest < 0n || e.price < cheapest) cheapest = e.price;
    const weights = eligible.map((e) => this.weight(e.entry, e.price, cheapest));
    // 2–3. Weighted draw without replacement under the independence rules.
    const chosen: string[] = [];
    const alive = eligible.map(() => true);
    while (chosen.length < k) {
      let total = 0;
      for (let i = 0; i < eligible.length; i++) {
        if (!alive[i]) continue;
        const entry = eligible[i]!.entry;
        if (operators.has(entry.operator) || subnets.has(entry.subnet)) {
          alive[i] = false;
          if (operators.has(entry.operator)) exclusions.sameOperator++;
          else exclusions.sameSubnet++;
          continue;
        }
        total += weights[i]!;
      }
      if (total <= 0) throw new NotEnoughNodesError(k, chosen.length, exclusions);
      let target = this.uniform() * total;
      let pickedIndex = -1;
      for (let i = 0; i < eligible.length; i++) {
        if (!alive[i]) continue;
        pickedIndex = i;
        target -= weights[i]!;
        if (target < 0) break;
      }
      const entry = eligible[pickedIndex]!.entry;
      alive[pickedIndex] = false;
      chosen.push(entry.info.id);
      operators.add(entry.operator);
      subnets.add(entry.subnet);
    }
    for (const id of chosen) this.nodes.get(id)!.inFlight++;
    return chosen;
  }

  /** A node answered in `latencyMs`: one fewer in flight, latency estimate updated. */
  finished(id: string, latencyMs: number): void {
    const entry = this.nodes.get(id);
    if (entry === undefined) return;
    if (entry.inFlight > 0) entry.inFlight--;
    const sample = Number.isFinite(latencyMs) ? Math.min(Math.max(latencyMs, 0), this.o.maxLatencySampleMs) : this.o.maxLatencySampleMs;
    const w = this.o.latencyEwmaWeight;
    entry.latencyMs = entry.measured ? (1 - w) * entry.latencyMs + w * sample : sample;
    entry.measured = true;
  }

  /** A node failed or timed out on a query: one fewer in flight, banned with doubling backoff. */
  failed(id: string): void {
    const entry = this.nodes.get(id);
    if (entry === undefined) return;
    if (entry.inFlight > 0) entry.inFlight--;
    entry.penalty = this.nextPenalty(entry.penalty);
  }

  /**
   * `failed` for the node that did not answer, then one replacement chosen under the same rules against the rest of
   * the committee (its operators and subnets stay taken; the failed node is banned, so it is not picked back).
   */
  replace(committee: readonly string[], failedId: string, request: Omit<PickRequest, 'k' | 'keep'>): string {
    this.failed(failedId);
    return this.pick({ ...request, k: 1, keep: committee.filter((id) => id !== failedId) })[0]!;
  }

  private nextPenalty(previous: Penalty | null): Penalty {
    const now = this.clock.now();
    const forgiven = previous === null || now - previous.lastFailureAt >= this.o.forgiveAfterMs;
    const failures = forgiven ? 1 : Math.min(previous.failures + 1, 64);
    const ban = Math.min(this.o.baseBanMs * 2 ** (failures - 1), this.o.maxBanMs);
    return { failures, bannedUntil: now + ban, lastFailureAt: now };
  }

  private keepPenalty(id: string, penalty: Penalty): void {
    const now = this.clock.now();
    // A penalty that is forgiven already carries nothing.
    if (now - penalty.lastFailureAt >= this.o.forgiveAfterMs) return;
    if (this.departed.size >= this.o.maxPenaltyRecords) {
      // Evict the record closest to being forgiven (oldest last failure).
      let oldestId: string | undefined;
      let oldest = Infinity;
      for (const [other, p] of this.departed) if (p.lastFailureAt < oldest) ((oldest = p.lastFailureAt), (oldestId = other));
      if (oldestId !== undefined) this.departed.delete(oldestId);
    }
    this.departed.set(id, penalty);
  }

  private weight(entry: NodeEntry, price: bigint, cheapest: bigint): number {
    const stake = Number(entry.info.stake);
    const priceFactor = Number(cheapest + 1n) / Number(price + 1n);
    const loadFactor = 1 / (1 + entry.inFlight);
    const latencyFactor = 1 / (1 + entry.latencyMs / this.o.latencyScaleMs);
    return stake * priceFactor * loadFactor * latencyFactor;
  }

  /** Uniform in [0, 1) from 6 random bytes (48 bits). */
  private uniform(): number {
    const b = this.random.bytes(6);
    let x = 0;
    for (const byte of b) x = x * 256 + byte;
    return x / 2 ** 48;
  }
}
