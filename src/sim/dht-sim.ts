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
 * from a sorted view of the network when the lookup starts) answered it; with the
 * `value` workload, when it fetched the record published for it (lookup-judge.ts).
 */
import { SeededRandom } from '../common/clock.ts';
import type { LookupResult } from '../dht/dht-node.ts';
import { FAILED } from '../dht/lookup.ts';
import { withDefaults, type DhtOptions } from '../dht/defaults.ts';
import type { ContactInfo, DhtEnvelope, DhtRecord } from '../dht/messages.ts';
import { recordKey } from '../dht/records.ts';
import { VirtualClock } from '../transport/memory-clock.ts';
import { MemoryNetwork } from '../transport/memory-network.ts';
import { Colluders, isFloodMode, type AdversaryMode } from './colluders.ts';
import { exposure, floodProviders, startFlood } from './floods.ts';
import { liveHeapBytes, loadGc } from './heap-meter.ts';
import { LookupJudge, round, type Workload } from './lookup-judge.ts';
import { SimPopulation, type SimNode } from './population.ts';
import { seedTables } from './seeded-tables.ts';

export type { AdversaryMode } from './colluders.ts';
export type { Workload } from './lookup-judge.ts';

/** Namespace of the `value` workload's records: HCS descriptors, the records the network publishes most. */
const VALUE_NAMESPACE = '/hcs/';
/** Bytes of a simulated record's value, about an HCS descriptor's size. */
const VALUE_BYTES = 200;
/** Lifetime of a simulated record, ms: longer than any run, so nothing expires while measured. */
const VALUE_TTL_MS = 3_600_000;

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
  /**
   * `node`: FIND_NODE lookups for random targets, judged against the closest live node. `value`:
   * each lookup first has a random honest node publish a record (put: stored at the s closest),
   * then another random honest node fetches it (FIND_VALUE), judged by whether it got the record.
   */
  workload: Workload;
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
  workload: 'node', // what S/Kademlia's and Kademlia's evaluations measure
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

/** Expected wall time left, in a unit a person reads at a glance. */
function wallLeft(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 5400) return `${seconds.toFixed(0)} s`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

export async function runDhtSim(input: Partial<DhtSimOptions> = {}): Promise<DhtSimResult> {
  const o: DhtSimOptions = { ...DEFAULTS, dht: {}, ...input };
  const log = o.log ?? (() => {});
  const t0 = performance.now();
  const wall = (): string => ((performance.now() - t0) / 1000).toFixed(1);
  /**
   * Advance the virtual clock to `untilMs` in steps of `stepMs` simulated (one minute unless the
   * phase is dense), logging progress every 10 s of wall time (a 10,000-node churn run takes most
   * of an hour), and once as soon as `early()` holds (the measuring phase's first estimate).
   */
  const runWithProgress = (untilMs: number, phase: string, extra: () => string, stepMs = 60_000, early: () => boolean = () => false): void => {
    let lastLog = performance.now();
    let earlyLogged = false;
    while (clock.now() < untilMs) {
      clock.runUntil(Math.min(untilMs, clock.now() + stepMs));
      const firstEstimate = !earlyLogged && early();
      if (firstEstimate || performance.now() - lastLog >= 10_000) {
        earlyLogged = true;
        lastLog = performance.now();
        log(`${phase}: t=${(clock.now() / 60_000).toFixed(1)} of ${(untilMs / 60_000).toFixed(1)} min, ${extra()}, wall ${((lastLog - t0) / 1000).toFixed(0)} s`);
      }
    }
  };
  const gc = await loadGc();
  const heapBefore = liveHeapBytes(gc);

  const rng = new SeededRandom(o.seed);
  const clock = new VirtualClock(0);
  const net = new MemoryNetwork<ContactInfo, DhtEnvelope>(clock, { seed: (o.seed * 2654435761) >>> 0, loss: o.loss, duplicate: o.duplicate });
  const dhtOptions = withDefaults({ ...o.dht, k: o.k, alpha: o.alpha, disjointPaths: o.disjoint });
  const churn = o.churnSessionMin > 0;
  const warmupMs = (o.warmupMin >= 0 ? o.warmupMin : churn ? Math.min(30, 3 * o.churnSessionMin) : 2) * 60_000;
  const colluders = new Colluders(o.adversary, o.k);
  const population = new SimPopulation(rng, clock, net, dhtOptions, colluders);
  const flood = isFloodMode(o.adversary) ? o.adversary : null;
  population.clusterAdversaries = flood !== null;
  const { all, liveHonest, byAddress } = population;

  // ---- build
  const nAdv = Math.round(o.nodes * o.adversaries);
  const advFlags = new Array<boolean>(o.nodes).fill(false);
  for (let placed = 0; placed < nAdv; ) {
    const i = rng.nextU32() % o.nodes;
    if (!advFlags[i]) (advFlags[i] = true, placed++);
  }
  for (let i = 0; i < o.nodes; i++) population.spawn(advFlags[i]!);
  log(`built ${o.nodes} nodes (${nAdv} adversarial) in ${wall()} s`);

  if (o.bootstrap === 'seeded') {
    seedTables(
      all.map((s) => ({ info: s.info, table: s.node.table })),
      o.k,
      dhtOptions.siblingFactor * dhtOptions.replication,
      rng,
    );
    for (const s of all) s.node.start();
    log(`seeded tables in ${wall()} s`);
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
    log(`joined ${all.length} nodes by t=${(clock.now() / 1000).toFixed(0)} s, wall ${wall()} s`);
  }
  const memoryBytesPerNode = Math.round((liveHeapBytes(gc) - heapBefore) / o.nodes);
  log(`memory ${memoryBytesPerNode} B/node`);

  // ---- churn: each honest node leaves after Exp(mean); a fresh node joins in its place at once.
  if (churn) population.startChurn(o.churnSessionMin * 60_000);

  // ---- warm-up
  runWithProgress(clock.now() + warmupMs, 'warm-up', () => `${population.joins} joins`);
  log(`warm-up to t=${(clock.now() / 60_000).toFixed(1)} min: ${population.joins} joins, wall ${wall()} s`);

  // ---- measurement
  population.attackOn = true;
  const maintenanceStart = population.honestMaintenanceBytes();
  const measureStart = clock.now();
  const victim = population.randomLiveHonestAddress();
  if (o.adversary === 'eclipse' && nAdv > 0) {
    // Every adversary keeps pinging the victim (unsolicited contacts: the χ rule and IP limits must hold them off).
    const victimInfo = byAddress.get(victim)!.info;
    for (const s of all) {
      if (!s.adversarial) continue;
      const ping = (): void => {
        s.node.ping(victimInfo, () => {});
        clock.schedule(60_000, ping);
      };
      clock.schedule(rng.nextFloat() * 60_000, ping);
    }
  }

  if (flood && nAdv > 0) startFlood(flood, population, net, clock, rng);

  const durationMs = o.durationMin * 60_000;
  const debug = typeof process !== 'undefined' && process.env.SIM_DEBUG ? (line: string) => log(`debug: ${line}`) : null;
  const judge = new LookupJudge(
    (a) => byAddress.has(a),
    debug === null
      ? undefined
      : ((i, why, truth, r: LookupResult, durationMs) =>
        debug(
          `lookup ${i} failed (${why}): ${(durationMs / 1000).toFixed(2)} s, ${r.messages} msgs, answered ${r.closest.length}, ` +
            `failed ${r.lookup.candidates.filter((x) => x.state === FAILED).length}, truth rank ${startTops.get(i)!.indexOf(truth)}, ` +
            `truth age ${((clock.now() - (population.bornAt.get(truth) ?? 0)) / 1000).toFixed(0)} s, ` +
            `closest answered rank ${r.closest.length ? startTops.get(i)!.indexOf(r.closest[0]!.address) : -2}`,
        )),
    o.workload,
  );
  const pickInitiator = (): SimNode => {
    for (;;) {
      const s = byAddress.get(population.randomLiveHonestAddress());
      if (s && s.alive && !s.adversarial) return s;
    }
  };
  /** Copies each `value` lookup's put reported stored (acknowledged STOREs; colluders acknowledge and drop). */
  const storedCopies: number[] = [];
  /** Of the s live honest nodes closest to each record's key when its put ended, how many hold it. */
  const honestCopies: number[] = [];
  const startValueLookup = (i: number): void => {
    const publisher = pickInitiator();
    const name = rng.bytes(32);
    const record: DhtRecord = {
      namespace: VALUE_NAMESPACE,
      name,
      value: rng.bytes(VALUE_BYTES),
      publisher: publisher.info.address,
      seq: 1,
      expiresAt: Math.floor(clock.now()) + VALUE_TTL_MS, // whole ms, as the wire requires (the virtual clock is fractional)
      signature: new Uint8Array(65), // not checked (signatures are skipped), but sized as a real one on the wire
    };
    judge.started(i);
    publisher.node.put(record, (stored) => {
      if (!publisher.alive) return judge.excuse(i, 'publisherDeparted');
      storedCopies.push(stored);
      const key = recordKey(VALUE_NAMESPACE, name);
      // A diagnostic: `closest` beyond the first is exact up to its window (sorted-ids.ts), ample for 16.
      honestCopies.push(liveHonest.closest(key, dhtOptions.replication).filter((a) => byAddress.get(a)!.node.storedRecord(key)).length);
      let initiator = pickInitiator();
      for (let tries = 0; initiator === publisher && tries < 10; tries++) initiator = pickInitiator();
      const startedMs = clock.now();
      initiator.node.get(VALUE_NAMESPACE, name, (found, r) => judge.finishedValue(i, startedMs, record, found, r, clock.now(), initiator.alive));
    });
  };
  /**
   * `providers`: a random honest node announces a fresh key (provide: ADD_PROVIDER at the s closest);
   * with `provider-flood` sybils then announce the same key at the 16 honest nodes closest to it;
   * 2 s later another random honest node asks for the key's providers and must find the honest one.
   */
  const startProvidersLookup = (i: number): void => {
    const provider = pickInitiator();
    const key = rng.bytes(32);
    judge.started(i);
    provider.node.provide(key, () => new Uint8Array(65), () => {
      if (!provider.alive) return judge.excuse(i, 'publisherDeparted');
      if (flood === 'provider-flood' && nAdv > 0) {
        const holders = liveHonest.closest(key, dhtOptions.replication).map((a) => byAddress.get(a)!.info);
        floodProviders(key, holders, population, net, clock, rng);
      }
      clock.schedule(2_000, () => {
        let initiator = pickInitiator();
        for (let tries = 0; initiator === provider && tries < 10; tries++) initiator = pickInitiator();
        const startedMs = clock.now();
        initiator.node.getProviders(key, (found, r) => judge.finishedProviders(i, startedMs, provider.info.address, found, r, clock.now(), initiator.alive));
      });
    });
  };
  /** Closest-at-start lists kept for the failure diagnostics (SIM_DEBUG only). */
  const startTops = new Map<number, Uint8Array[]>();
  if (o.lookups >= 100_000) log(`scheduling ${o.lookups} lookups over ${o.durationMin} simulated min before the first progress line`);
  for (let i = 0; i < o.lookups; i++) {
    const at = measureStart + ((i + rng.nextFloat()) * durationMs) / o.lookups;
    clock.at(at, () => {
      if (o.workload === 'value') return startValueLookup(i);
      if (o.workload === 'providers') return startProvidersLookup(i);
      const initiator = pickInitiator();
      const target = o.adversary === 'eclipse' && nAdv > 0 ? victimTarget(rng) : rng.bytes(32);
      const self = initiator.info.address;
      const closestAtStart = liveHonest.closest(target, 9).filter((a) => a !== self);
      if (debug) startTops.set(i, closestAtStart);
      const judged = { closestAtStart, startedMs: clock.now() };
      judge.started(i);
      initiator.node.findNode(target, (r: LookupResult) => judge.finished(i, judged, r, clock.now(), initiator.alive));
    });
  }
  // Eclipse: lookups for the victim itself, or for keys that the victim is closest to.
  function victimTarget(r: SeededRandom): Uint8Array {
    const t = r.bytes(32);
    t.set(victim.subarray(0, 3)); // share 24 bits with the victim: almost always the victim's own key range
    return liveHonest.closest(t, 1)[0] === victim ? t : victim;
  }
  // Progress of the measuring phase with the expected wall time left, from the rate so far; the first
  // line once 1% of the lookups are done. Steps hold about 1,000 lookups each, so a run of millions of
  // lookups still reports (each step runs to completion before a line can be printed).
  const measureWall0 = performance.now();
  const measuring = (): string => {
    const done = judge.completed;
    const seconds = (performance.now() - measureWall0) / 1000;
    const left = done > 0 ? ((o.lookups - done) * seconds) / done : Number.NaN;
    return `${done}/${o.lookups} lookups done, ~${wallLeft(left)} left (wall)`;
  };
  const stepMs = Math.min(60_000, Math.max(100, (durationMs * 1000) / o.lookups));
  runWithProgress(measureStart + durationMs + 30_000, 'measuring', measuring, stepMs, () => judge.completed >= Math.max(1, o.lookups / 100));
  const elapsedSec = (clock.now() - measureStart) / 1000;
  const maintenanceBytesPerNodePerSec = (population.honestMaintenanceBytes() - maintenanceStart) / (o.nodes - nAdv) / elapsedSec;
  const memoryEnd = Math.round((liveHeapBytes(gc) - heapBefore) / o.nodes);
  return {
    nodes: o.nodes,
    lookups: o.lookups,
    ...judge.headline(),
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
      ...(o.workload === 'node' ? {} : { workload: o.workload }),
      dht: o.dht,
    },
    details: {
      ...judge.details(o.lookups),
      ...(o.workload === 'value'
        ? {
            storedCopies: { mean: meanOf(storedCopies), none: storedCopies.filter((c) => c === 0).length },
            honestCopiesAmongClosest: { mean: meanOf(honestCopies), none: honestCopies.filter((c) => c === 0).length },
          }
        : {}),
      ...(flood ? { attack: exposure(population) } : {}),
      joins: population.joins,
      departures: population.departures,
      memoryBytesPerNodeAtEnd: memoryEnd,
      gcAvailable: gc !== null,
      events: clock.executed,
      network: { ...net.stats },
      simulatedSeconds: round(clock.now() / 1000, 1),
    },
  };
}

/** Mean of `xs` to two decimals, 0 when empty. */
function meanOf(xs: number[]): number {
  return round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length), 2);
}
