/**
 * The simulated population: every DhtNode on the in-memory network, the ground-truth indexes the
 * judge reads (live honest nodes sorted by address, who was born when), and churn — honest nodes
 * leave after exponential sessions, without goodbye, and a fresh node joins in each one's place
 * at once (n stays constant).
 */
import type { SeededRandom } from '../common/clock.ts';
import { DhtNode } from '../dht/dht-node.ts';
import type { DhtOptions } from '../dht/defaults.ts';
import type { ContactInfo, DhtEnvelope } from '../dht/messages.ts';
import { NO_AUTH_VERIFIER, type PuzzleChecker } from '../dht/ports.ts';
import type { RecordVerifier } from '../dht/records.ts';
import type { VirtualClock } from '../transport/memory-clock.ts';
import type { MemoryNetwork } from '../transport/memory-network.ts';
import { adversaryIp, type Colluders } from './colluders.ts';
import { SortedIds } from './sorted-ids.ts';

export interface SimNode {
  /** Position in `all` (swap-removed on departure). */
  index: number;
  info: ContactInfo;
  node: DhtNode;
  adversarial: boolean;
  alive: boolean;
}

/** How many times a newcomer joins through another random node while its table holds < k contacts. */
const MAX_JOIN_ATTEMPTS = 3;

export class SimPopulation {
  /** The live nodes (honest and adversarial), in no order. */
  readonly all: SimNode[] = [];
  readonly liveHonest = new SortedIds();
  /** Every live node, by its address object (the sim shares one object per node). */
  readonly byAddress = new Map<Uint8Array, SimNode>();
  /** When each live node was spawned, ms (failure diagnostics). */
  readonly bornAt = new Map<Uint8Array, number>();
  /** Set when the measurement starts: colluders answer as adversaries from then on. */
  attackOn = false;
  joins = 0;
  departures = 0;
  /** Maintenance bytes of honest nodes that have left (their counters leave with them). */
  private retiredMaintenanceBytes = 0;
  private readonly puzzleValid = new WeakSet<Uint8Array>();
  private readonly puzzle: PuzzleChecker = { isValid: (a) => this.puzzleValid.has(a) };
  private readonly recordVerifier: RecordVerifier = { verifyRecord: () => true, verifyProvider: () => true };

  private readonly rng: SeededRandom;
  private readonly clock: VirtualClock;
  private readonly net: MemoryNetwork<ContactInfo, DhtEnvelope>;
  private readonly dhtOptions: DhtOptions;
  private readonly colluders: Colluders;

  constructor(rng: SeededRandom, clock: VirtualClock, net: MemoryNetwork<ContactInfo, DhtEnvelope>, dhtOptions: DhtOptions, colluders: Colluders) {
    this.rng = rng;
    this.clock = clock;
    this.net = net;
    this.dhtOptions = dhtOptions;
    this.colluders = colluders;
  }

  /** Flooding adversaries (floods.ts) live in a few /24s; set before spawning. */
  clusterAdversaries = false;

  /** A puzzle-valid identity with a random IPv4 address (a /24 is shared only by chance), or a flooder's. */
  private newIdentity(adversarial: boolean): ContactInfo {
    const rng = this.rng;
    const address = rng.bytes(32);
    this.puzzleValid.add(address);
    const ip =
      adversarial && this.clusterAdversaries
        ? adversaryIp(rng)
        : `${1 + (rng.nextU32() % 223)}.${rng.nextU32() % 256}.${rng.nextU32() % 256}.${1 + (rng.nextU32() % 254)}`;
    return Object.freeze({ address, ip, port: 4001 });
  }

  spawn(adversarial: boolean): SimNode {
    const info = this.newIdentity(adversarial);
    const { clock, net } = this;
    const node = new DhtNode(
      {
        self: info,
        clock,
        random: this.rng,
        send: (to, env) => net.send(info, to, env),
        scheduler: clock,
        puzzle: this.puzzle,
        verifier: NO_AUTH_VERIFIER,
        recordVerifier: this.recordVerifier,
      },
      this.dhtOptions,
    );
    const sn: SimNode = { index: this.all.length, info, node, adversarial, alive: true };
    net.attach(info, (from, env) => {
      if (adversarial && this.attackOn && env.kind === 'request') {
        const reply = this.colluders.answer(info, env);
        if (reply) net.send(info, env.from, { kind: 'response', rpcId: env.rpcId, from: info, body: reply });
        return;
      }
      node.handle(env, { observedIp: from.ip, replyTo: from }); // the sending endpoint's real IP, whatever the envelope claims
    });
    this.all.push(sn);
    this.byAddress.set(info.address, sn);
    this.bornAt.set(info.address, clock.now());
    if (adversarial) this.colluders.add(info);
    else this.liveHonest.insert(info.address);
    return sn;
  }

  /** A uniformly random live honest node's address. */
  randomLiveHonestAddress(): Uint8Array {
    const ids = this.liveHonest.ids;
    return ids[this.rng.nextU32() % ids.length]!;
  }

  /** Maintenance bytes sent and received by honest nodes so far, including those that left. */
  honestMaintenanceBytes(): number {
    let m = this.retiredMaintenanceBytes;
    for (const s of this.all) if (s.alive && !s.adversarial) m += s.node.stats.maintenanceBytes;
    return m;
  }

  /** Starts churn: every live honest node leaves after an exponential session of mean `sessionMs`. */
  startChurn(sessionMs: number): void {
    const initial = this.all.length;
    for (let i = 0; i < initial; i++) {
      const s = this.all[i]!;
      if (!s.adversarial) this.clock.schedule(this.sessionLength(sessionMs), () => this.replace(s, sessionMs));
    }
  }

  private sessionLength(meanMs: number): number {
    return -Math.log(1 - this.rng.nextFloat()) * meanMs;
  }

  /** `s` leaves without goodbye; a fresh honest node joins through a random live one at once. */
  private replace(s: SimNode, sessionMs: number): void {
    if (!s.alive) return;
    this.depart(s);
    const fresh = this.spawn(false);
    this.joins++;
    let seedInfo: ContactInfo | undefined;
    for (let tries = 0; tries < 10 && !seedInfo; tries++) {
      const a = this.randomLiveHonestAddress();
      if (a !== fresh.info.address) seedInfo = this.byAddress.get(a)?.info;
    }
    // As a real host would, join again through another node while the table is still smaller
    // than a bucket (the seed may have left while we joined).
    const k = this.dhtOptions.k;
    const join = (attempt: number, via: ContactInfo | undefined): void => {
      fresh.node.bootstrap(via ? [via] : [], (contacts) => {
        if (!fresh.alive || contacts >= k || attempt >= MAX_JOIN_ATTEMPTS) return;
        const again = this.randomLiveHonestAddress();
        join(attempt + 1, again !== fresh.info.address ? this.byAddress.get(again)?.info : undefined);
      });
    };
    join(1, seedInfo);
    fresh.node.start();
    this.clock.schedule(this.sessionLength(sessionMs), () => this.replace(fresh, sessionMs));
  }

  private depart(s: SimNode): void {
    s.alive = false;
    this.departures++;
    s.node.stop();
    this.net.detach(s.info);
    this.liveHonest.remove(s.info.address);
    this.byAddress.delete(s.info.address);
    this.bornAt.delete(s.info.address);
    const last = this.all.pop()!;
    if (last !== s) {
      this.all[s.index] = last;
      last.index = s.index;
    }
    this.retiredMaintenanceBytes += s.node.stats.maintenanceBytes;
  }
}
