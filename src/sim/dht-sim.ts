/**
 * The DHT simulator (issue 3, "Simulator"; whitepaper §1.1.2): thousands to a
 * hundred thousand DhtNodes — the real pure core, not a model of it — on the
 * in-memory network and a virtual clock, with colluding adversaries, churn, loss
 * and duplication. One seed → one result.
 *
 * Identities are random 32-byte NodeAddresses marked puzzle-valid (no grinding,
 * no signatures: the injected verifier skips crypto), but every admission rule
 * stays on: the puzzle flag is checked on each contact, IP-diversity limits and
 * the χ rule apply. Honest nodes get distinct random IPv4 addresses (collisions
 * within a /24 happen as they would by chance); adversaries too, so IP diversity
 * does not help us against them (the worst case).
 *
 * Bootstrap ('seeded', the default): every node's buckets are filled with up to k
 * nodes drawn uniformly at random from that bucket's range, plus its η·s nearest
 * nodes, as a long-running Kademlia table looks after its refreshes; adversaries
 * are included in proportion. This does not flatter the results: it is the state
 * the protocol converges to without churn, adversaries sit in tables at their
 * natural rate, and under churn the seeded tables decay and are repaired only by
 * the protocol's own maintenance during a warm-up of several session lengths
 * before anything is measured. ('join': nodes join one by one through a random
 * earlier node, slower; used to check the seeded figures at small n.)
 *
 * A lookup succeeds when the live honest node closest to its random target (found
 * from a sorted view of the network when the lookup starts) answered it.
 */
import { SeededRandom } from '../common/clock.ts';
import { DhtNode, type LookupResult } from '../dht/dht-node.ts';
import { withDefaults, type DhtOptions } from '../dht/defaults.ts';
import { ANSWERED, FAILED } from '../dht/lookup.ts';
import { commonPrefixLength, compareDistance, type NodeAddress } from '../dht/node-id.ts';
import type { ContactInfo, DhtEnvelope, DhtResponse } from '../dht/messages.ts';
import { NO_AUTH_VERIFIER, type PuzzleChecker } from '../dht/ports.ts';
import type { RecordVerifier } from '../dht/records.ts';
import { VirtualClock } from '../transport/memory-clock.ts';
import { MemoryNetwork } from '../transport/memory-network.ts';

export type AdversaryMode = 'drop' | 'misroute' | 'eclipse';

export interface DhtSimOptions {
  nodes: number;
  lookups: number;
  /** Fraction of the nodes that are colluding adversaries. */
  adversaries: number;
  adversary: AdversaryMode;
  /** Disjoint paths d. */
  disjoint: number;
  k: number;
  alpha: number;
  /** Mean session length in minutes (exponential); 0 = no churn. */
  churnSessionMin: number;
  loss: number;
  duplicate: number;
  seed: number;
  bootstrap: 'seeded' | 'join';
  /** Simulated minutes of operation before lookups start (churn: default 30). */
  warmupMin: number;
  /** Simulated minutes over which lookups are spread. */
  durationMin: number;
  /** Overrides for the remaining DHT options. */
  dht: Partial<DhtOptions>;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

export const DEFAULTS: Readonly<Omit<DhtSimOptions, 'dht' | 'log'>> = {
  nodes: 10_000, // the reference size and the S/Kademlia evaluation's N
  lookups: 1_000, // ±0.3% resolution on a success rate near 99.7%
  adversaries: 0,
  adversary: 'misroute',
  disjoint: 8, // as the DHT default
  k: 16, // as the DHT default
  alpha: 3,
  churnSessionMin: 0,
  loss: 0,
  duplicate: 0,
  seed: 1,
  bootstrap: 'seeded',
  warmupMin: -1, // -1: 3 mean sessions with churn (at most 30 min), 2 min without
  durationMin: 10, // lookups spread over 10 simulated minutes
};

export interface DhtSimResult {
  nodes: number;
  lookups: number;
  successRate: number;
  hops: { mean: number; p50: number; p99: number; max: number };
  messagesPerLookup: number;
  maintenanceBytesPerNodePerSec: number;
  memoryBytesPerNode: number;
  wallSeconds: number;
  parameters: Record<string, unknown>;
  details: Record<string, unknown>;
}

interface SimNode {
  /** Position in `all` (swap-removed on departure). */
  index: number;
  info: ContactInfo;
  node: DhtNode;
  adversarial: boolean;
  alive: boolean;
}

function prefixCompare(a: Uint8Array, b: Uint8Array, bits: number): number {
  const full = bits >>> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  const rest = bits & 7;
  if (rest === 0) return 0;
  const mask = (0xff00 >>> rest) & 0xff;
  return (a[full]! & mask) - (b[full]! & mask);
}

const ZERO = new Uint8Array(32);
const lexCompare = (a: Uint8Array, b: Uint8Array): number => compareDistance(ZERO, a, b);

/** First index in sorted `ids` whose first `bits` bits are ≥ (or > when `strict`) those of `p`. */
function lowerBound(ids: Uint8Array[], p: Uint8Array, bits: number, strict: boolean): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = prefixCompare(ids[mid]!, p, bits);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A sorted set of addresses with exact XOR-closest queries. */
class SortedIds {
  readonly ids: Uint8Array[] = [];
  insert(a: Uint8Array): void {
    const i = this.position(a);
    this.ids.splice(i, 0, a);
  }
  remove(a: Uint8Array): void {
    const i = this.position(a);
    if (this.ids[i] === a) this.ids.splice(i, 1);
  }
  position(a: Uint8Array): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lexCompare(this.ids[mid]!, a) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** The `count` ids closest to `target` by XOR (exact for count = 1; window-approximate beyond). */
  closest(target: Uint8Array, count: number): Uint8Array[] {
    const n = this.ids.length;
    if (n === 0) return [];
    const pos = this.position(target);
    // The XOR-closest id shares the longest prefix with target; such ids are contiguous around pos.
    let best = -1;
    for (const j of [pos - 1, pos]) if (j >= 0 && j < n) best = Math.max(best, commonPrefixLength(this.ids[j]!, target));
    let lo = pos;
    while (lo > 0 && commonPrefixLength(this.ids[lo - 1]!, target) >= best) lo--;
    let hi = pos;
    while (hi < n && commonPrefixLength(this.ids[hi]!, target) >= best) hi++;
    lo = Math.max(0, Math.min(lo, pos - 2 * count));
    hi = Math.min(n, Math.max(hi, pos + 2 * count));
    const window = this.ids.slice(lo, hi);
    window.sort((a, b) => compareDistance(target, a, b));
    return window.slice(0, count);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function exposeGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  return typeof g === 'function' ? g : null;
}

export async function loadGc(): Promise<(() => void) | null> {
  const existing = exposeGc();
  if (existing) return existing;
  try {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

export async function runDhtSim(input: Partial<DhtSimOptions> = {}): Promise<DhtSimResult> {
  const o: DhtSimOptions = { ...DEFAULTS, dht: {}, ...input };
  const log = o.log ?? (() => {});
  /**
   * Advance the virtual clock to `untilMs` in one-simulated-minute steps, logging progress at
   * most every 10 s of wall time (a 10,000-node churn run takes most of an hour).
   */
  const runWithProgress = (untilMs: number, phase: string, extra: () => string): void => {
    let lastLog = performance.now();
    while (clock.now() < untilMs) {
      clock.runUntil(Math.min(untilMs, clock.now() + 60_000));
      if (performance.now() - lastLog >= 10_000) {
        lastLog = performance.now();
        log(`${phase}: t=${(clock.now() / 60_000).toFixed(1)} of ${(untilMs / 60_000).toFixed(1)} min, ${extra()}, wall ${((lastLog - t0) / 1000).toFixed(0)} s`);
      }
    }
  };
  const t0 = performance.now();
  const gc = await loadGc();
  const heap = (): number => {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const heapBefore = heap();

  const rng = new SeededRandom(o.seed);
  const clock = new VirtualClock(0);
  const net = new MemoryNetwork<ContactInfo, DhtEnvelope>(clock, { seed: (o.seed * 2654435761) >>> 0, loss: o.loss, duplicate: o.duplicate });
  const dhtOptions = withDefaults({ ...o.dht, k: o.k, alpha: o.alpha, disjointPaths: o.disjoint });
  const churn = o.churnSessionMin > 0;
  const warmupMs = (o.warmupMin >= 0 ? o.warmupMin : churn ? Math.min(30, 3 * o.churnSessionMin) : 2) * 60_000;

  const puzzleValid = new WeakSet<Uint8Array>();
  const puzzle: PuzzleChecker = { isValid: (a) => puzzleValid.has(a) };
  const recordVerifier: RecordVerifier = { verifyRecord: () => true, verifyProvider: () => true };
  const all: SimNode[] = [];
  const byInfo = new Map<ContactInfo, SimNode>();
  const liveHonest = new SortedIds();
  const adversaries = new SortedIds();
  const adversaryInfo = new Map<Uint8Array, ContactInfo>();
  /** Every node ever spawned, by its address object (the sim shares one object per node). */
  const infoByAddress = new Map<Uint8Array, ContactInfo>();
  /** When each live node was spawned, ms (failure diagnostics). */
  const bornAt = new Map<Uint8Array, number>();
  let attackOn = false;
  let retired = { maintenanceBytes: 0, requestsSent: 0 };

  const newIdentity = (): ContactInfo => {
    const address = rng.bytes(32);
    puzzleValid.add(address);
    const ip = `${1 + (rng.nextU32() % 223)}.${rng.nextU32() % 256}.${rng.nextU32() % 256}.${1 + (rng.nextU32() % 254)}`;
    return Object.freeze({ address, ip, port: 4001 });
  };

  const adversaryAnswer = (self: ContactInfo, env: DhtEnvelope): DhtResponse | null => {
    const b = env.body;
    if (b.type === 'PING') return { type: 'PONG' };
    if (o.adversary === 'drop') return null;
    const contactsNear = (t: NodeAddress): ContactInfo[] =>
      adversaries
        .closest(t, o.k + 1)
        .filter((a) => a !== self.address)
        .slice(0, o.k)
        .map((a) => adversaryInfo.get(a)!);
    switch (b.type) {
      case 'FIND_NODE':
        return { type: 'NODES', contacts: contactsNear(b.target) };
      case 'FIND_VALUE':
        return { type: 'VALUE', record: null, contacts: contactsNear(b.key) };
      case 'GET_PROVIDERS':
        return { type: 'PROVIDERS', providers: [], contacts: contactsNear(b.key) };
      case 'STORE':
      case 'ADD_PROVIDER':
        return { type: 'STORED', ok: true }; // lie
      default:
        return null;
    }
  };

  const spawn = (adversarial: boolean): SimNode => {
    const info = newIdentity();
    const node = new DhtNode(
      {
        self: info,
        clock,
        random: rng,
        send: (to, env) => net.send(info, to, env),
        scheduler: clock,
        puzzle,
        verifier: NO_AUTH_VERIFIER,
        recordVerifier,
      },
      dhtOptions,
    );
    const sn: SimNode = { index: all.length, info, node, adversarial, alive: true };
    net.attach(info, (_from, env) => {
      if (adversarial && attackOn && env.kind === 'request') {
        const reply = adversaryAnswer(info, env);
        if (reply) net.send(info, env.from, { kind: 'response', rpcId: env.rpcId, from: info, body: reply });
        return;
      }
      node.handle(env);
    });
    all.push(sn);
    byInfo.set(info, sn);
    infoByAddress.set(info.address, info);
    bornAt.set(info.address, clock.now());
    if (adversarial) {
      adversaries.insert(info.address);
      adversaryInfo.set(info.address, info);
    } else liveHonest.insert(info.address);
    return sn;
  };

  // ---- build
  const nAdv = Math.round(o.nodes * o.adversaries);
  const advFlags = new Array<boolean>(o.nodes).fill(false);
  for (let placed = 0; placed < nAdv; ) {
    const i = rng.nextU32() % o.nodes;
    if (!advFlags[i]) (advFlags[i] = true, placed++);
  }
  for (let i = 0; i < o.nodes; i++) spawn(advFlags[i]!);
  log(`built ${o.nodes} nodes (${nAdv} adversarial) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  if (o.bootstrap === 'seeded') {
    const sorted = all.map((s) => s.info.address).sort(lexCompare);
    const infoOf = new Map<Uint8Array, ContactInfo>();
    for (const s of all) infoOf.set(s.info.address, s.info);
    const siblingCap = dhtOptions.siblingFactor * dhtOptions.replication;
    const p = new Uint8Array(32);
    for (const s of all) {
      const self = s.info.address;
      const table = s.node.table;
      for (let i = 0; i < 256; i++) {
        p.set(self);
        p[i >>> 3]! ^= 0x80 >>> (i & 7);
        const lo = lowerBound(sorted, p, i + 1, false);
        const hi = lowerBound(sorted, p, i + 1, true);
        const size = hi - lo;
        if (size > 0) {
          if (size <= o.k) for (let j = lo; j < hi; j++) table.offer(infoOf.get(sorted[j]!)!, 0, true);
          else {
            const picked = new Set<number>();
            while (picked.size < o.k) picked.add(lo + (rng.nextU32() % size));
            for (const j of picked) table.offer(infoOf.get(sorted[j]!)!, 0, true);
          }
        }
        // Below our own region there is nobody left.
        const own = lowerBound(sorted, self, i + 1, true) - lowerBound(sorted, self, i + 1, false);
        if (own <= 1 && size === 0) break;
      }
      // The η·s nearest (sibling zone).
      const pos = lowerBound(sorted, self, 256, false);
      const window = sorted.slice(Math.max(0, pos - siblingCap), Math.min(sorted.length, pos + siblingCap + 1));
      window.sort((a, b) => compareDistance(self, a, b));
      for (const a of window.slice(0, siblingCap + 1)) if (a !== self) table.offer(infoOf.get(a)!, 0, true);
    }
    for (const s of all) s.node.start();
    log(`seeded tables in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    // Join one by one through a random earlier node, 100 ms apart.
    all[0]!.node.start();
    for (let i = 1; i < all.length; i++) {
      const s = all[i]!;
      const seed = all[rng.nextU32() % i]!;
      clock.at(i * 100, () => {
        s.node.bootstrap([seed.info], () => {});
        s.node.start();
      });
    }
    clock.runUntil(all.length * 100 + 60_000);
    log(`joined ${all.length} nodes by t=${(clock.now() / 1000).toFixed(0)} s, wall ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const memoryBytesPerNode = Math.round((heap() - heapBefore) / o.nodes);
  log(`memory ${memoryBytesPerNode} B/node`);

  // ---- churn: each honest node leaves after Exp(mean); a fresh node joins in its place at once.
  const sessionMs = o.churnSessionMin * 60_000;
  let joins = 0;
  let departures = 0;
  const expSample = (): number => -Math.log(1 - rng.nextFloat()) * sessionMs;
  const depart = (s: SimNode): void => {
    if (!s.alive) return;
    s.alive = false;
    departures++;
    s.node.stop();
    net.detach(s.info);
    liveHonest.remove(s.info.address);
    byInfo.delete(s.info);
    infoByAddress.delete(s.info.address);
    bornAt.delete(s.info.address);
    const last = all.pop()!;
    if (last !== s) {
      all[s.index] = last;
      last.index = s.index;
    }
    retired.maintenanceBytes += s.node.stats.maintenanceBytes;
    retired.requestsSent += s.node.stats.requestsSent;
    const fresh = spawn(false);
    joins++;
    const ids = liveHonest.ids;
    let seedInfo: ContactInfo | undefined;
    for (let tries = 0; tries < 10 && !seedInfo; tries++) {
      const a = ids[rng.nextU32() % ids.length]!;
      if (a !== fresh.info.address) seedInfo = infoByAddress.get(a);
    }
    // As a real host would, join again through another node while the table is still smaller
    // than a bucket (the seed may have left while we joined); at most 3 attempts.
    const join = (attempt: number, via: ContactInfo | undefined): void => {
      fresh.node.bootstrap(via ? [via] : [], (contacts) => {
        if (!fresh.alive || contacts >= o.k || attempt >= 3) return;
        const again = liveHonest.ids[rng.nextU32() % liveHonest.ids.length]!;
        join(attempt + 1, again !== fresh.info.address ? infoByAddress.get(again) : undefined);
      });
    };
    join(1, seedInfo);
    fresh.node.start();
    clock.schedule(expSample(), () => depart(fresh));
  };
  if (churn) {
    const initial = all.length;
    for (let i = 0; i < initial; i++) {
      const s = all[i]!;
      if (!s.adversarial) clock.schedule(expSample(), () => depart(s));
    }
  }

  // ---- warm-up
  runWithProgress(clock.now() + warmupMs, 'warm-up', () => `${joins} joins`);
  log(`warm-up to t=${(clock.now() / 60_000).toFixed(1)} min: ${joins} joins, wall ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // ---- measurement
  attackOn = true;
  const sumMaintenance = (): number => {
    let m = retired.maintenanceBytes;
    for (const s of all) if (s.alive && !s.adversarial) m += s.node.stats.maintenanceBytes;
    return m;
  };
  const maintenanceStart = sumMaintenance();
  const measureStart = clock.now();
  const victim = (() => {
    const ids = liveHonest.ids;
    return ids[rng.nextU32() % ids.length]!;
  })();
  if (o.adversary === 'eclipse' && nAdv > 0) {
    // Every adversary keeps pinging the victim (unsolicited contacts: the χ rule and IP limits must hold them off).
    const victimInfo = infoByAddress.get(victim)!;
    for (const s of all) {
      if (!s.adversarial) continue;
      const ping = (): void => {
        s.node.ping(victimInfo, () => {});
        clock.schedule(60_000, ping);
      };
      clock.schedule(rng.nextFloat() * 60_000, ping);
    }
  }

  const durationMs = o.durationMin * 60_000;
  let done = 0;
  let ok = 0;
  let okStrict = 0;
  let messages = 0;
  let judged = 0;
  const hops: number[] = [];
  const failures: Record<string, number> = { targetNotSeen: 0, targetTimedOut: 0, targetNeverAsked: 0, noAnswers: 0, unfinished: 0 };
  const excluded: Record<string, number> = { initiatorDeparted: 0 };
  let truthDeparted = 0;
  const debug = typeof process !== 'undefined' && process.env.SIM_DEBUG ? (line: string) => log(`debug: ${line}`) : null;
  const unfinished = new Set<number>();
  /** Simulated seconds from start to result, per completed lookup. */
  const durations: number[] = [];
  for (let i = 0; i < o.lookups; i++) {
    const at = measureStart + ((i + rng.nextFloat()) * durationMs) / o.lookups;
    clock.at(at, () => {
      const ids = liveHonest.ids;
      let initiator: SimNode | undefined;
      while (!initiator) {
        const s = byInfo.get(infoByAddress.get(ids[rng.nextU32() % ids.length]!)!);
        if (s && s.alive && !s.adversarial) initiator = s;
      }
      const target = o.adversary === 'eclipse' && nAdv > 0 ? victimTarget(rng) : rng.bytes(32);
      // The live honest nodes closest to the target when the lookup starts, initiator excluded,
      // closest first. The lookup is judged against the first of them still alive when it ends
      // (see "Success" in docs/dht.md §3): a node that left meanwhile cannot answer anyone, and a
      // node that joined meanwhile could not have been known to anyone when the lookup began.
      const self = initiator.info.address;
      const startTop = liveHonest.closest(target, 9).filter((a) => a !== self);
      const started = clock.now();
      unfinished.add(i);
      initiator.node.findNode(target, (r: LookupResult) => {
        unfinished.delete(i);
        done++;
        durations.push((clock.now() - started) / 1000);
        messages += r.messages;
        const first = startTop[0]!;
        const strict = r.lookup.find(first);
        if (strict && strict.state === ANSWERED) okStrict++;
        if (!infoByAddress.has(first)) truthDeparted++;
        if (!initiator!.alive) {
          excluded.initiatorDeparted!++; // nobody is left to use the answer
          return;
        }
        judged++;
        const truth = startTop.find((a) => infoByAddress.has(a)) ?? first;
        const c = r.lookup.find(truth);
        if (c && c.state === ANSWERED) {
          ok++;
          hops.push(c.depth);
          return;
        }
        const why = r.closest.length === 0 ? 'noAnswers' : !c ? 'targetNotSeen' : c.state === FAILED ? 'targetTimedOut' : 'targetNeverAsked';
        failures[why]!++;
        debug?.(
          `lookup ${i} failed (${why}): ${((clock.now() - started) / 1000).toFixed(2)} s, ${r.messages} msgs, answered ${r.closest.length}, ` +
            `failed ${r.lookup.candidates.filter((x) => x.state === FAILED).length}, truth rank ${startTop.indexOf(truth)}, ` +
            `truth age ${((clock.now() - (bornAt.get(truth) ?? 0)) / 1000).toFixed(0)} s, closest answered rank ${r.closest.length ? startTop.indexOf(r.closest[0]!.address) : -2}`,
        );
      });
    });
  }
  // Eclipse: lookups for the victim itself, or for keys that the victim is closest to.
  function victimTarget(r: SeededRandom): Uint8Array {
    const t = r.bytes(32);
    t.set(victim.subarray(0, 3)); // share 24 bits with the victim: almost always the victim's own key range
    return liveHonest.closest(t, 1)[0] === victim ? t : victim;
  }
  runWithProgress(measureStart + durationMs + 30_000, 'measuring', () => `${done}/${o.lookups} lookups done`);
  const elapsedSec = (clock.now() - measureStart) / 1000;
  const maintenanceBytesPerNodePerSec = (sumMaintenance() - maintenanceStart) / (o.nodes - nAdv) / elapsedSec;
  const memoryEnd = Math.round((heap() - heapBefore) / o.nodes);
  hops.sort((a, b) => a - b);
  const mean = hops.reduce((a, b) => a + b, 0) / Math.max(1, hops.length);
  const result: DhtSimResult = {
    nodes: o.nodes,
    lookups: o.lookups,
    successRate: judged + unfinished.size === 0 ? 0 : ok / (judged + unfinished.size),
    hops: { mean: round(mean, 3), p50: percentile(hops, 0.5), p99: percentile(hops, 0.99), max: hops[hops.length - 1] ?? 0 },
    messagesPerLookup: round(messages / Math.max(1, done), 2),
    maintenanceBytesPerNodePerSec: round(maintenanceBytesPerNodePerSec, 1),
    memoryBytesPerNode,
    wallSeconds: round((performance.now() - t0) / 1000, 2),
    parameters: {
      nodes: o.nodes,
      lookups: o.lookups,
      adversaries: o.adversaries,
      adversary: o.adversary,
      disjoint: o.disjoint,
      k: o.k,
      alpha: o.alpha,
      churnSessionMin: o.churnSessionMin,
      loss: o.loss,
      duplicate: o.duplicate,
      seed: o.seed,
      bootstrap: o.bootstrap,
      warmupMin: warmupMs / 60_000,
      durationMin: o.durationMin,
      dht: o.dht,
    },
    details: {
      completed: done,
      judged: judged + unfinished.size,
      succeeded: ok,
      failures: { ...failures, unfinished: unfinished.size },
      excluded,
      lookupSeconds: (() => {
        durations.sort((a, b) => a - b);
        return { mean: round(durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length), 2), p50: round(percentile(durations, 0.5), 2), p99: round(percentile(durations, 0.99), 2) };
      })(),
      closestAtStartDeparted: truthDeparted,
      successRateAgainstClosestAtStart: round(okStrict / o.lookups, 4),
      joins,
      departures,
      memoryBytesPerNodeAtEnd: memoryEnd,
      gcAvailable: gc !== null,
      events: clock.executed,
      network: { ...net.stats },
      simulatedSeconds: round(clock.now() / 1000, 1),
    },
  };
  return result;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
