/**
 * A DKG among n members in one process (tests and bench/threshold.ts): pure message passing with a virtual clock,
 * every packet broadcast to every other node, and hooks for dishonest nodes — a tamper function that may rewrite
 * (and re-sign with that node's own key), redirect or drop what a node sends. `runReshare` runs drand's resharing
 * from a finished committee to a new one. The serving network will carry the same packets through the community
 * server; this harness is the in-memory stand-in for that relay.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ManualClock, SeededRandom, type Random } from '../common/clock.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { signerOf, type Signer } from '../wire/envelope.ts';
import { DkgMember } from '../crypto/dkg/member.ts';
import type { DkgConfig, DkgMemberInfo, DkgOptions, DkgResult } from '../crypto/dkg/phases.ts';
import type { BaseError } from '../common/errors.ts';

export type Tamper = (
  from: number,
  packet: Uint8Array,
  ctx: { signer: Signer; clock: ManualClock; random: Random },
) => (Uint8Array | { packet: Uint8Array; to: number[] })[];

export interface HarnessOptions {
  n: number;
  threshold: number;
  seed: number;
  dkg?: Partial<DkgOptions>;
  /** Rewrites what node `from` broadcasts: return the packets to send instead ([] drops them); `{ packet, to }` sends to some nodes only. */
  tamper?: Tamper;
  /** Nodes that never run (silent from the start). */
  offline?: number[];
  /** Per-node CPU time accounting (ms): the process's user + system CPU time around every call into that node
   *  (one thread runs them all, so this is that node's own work, not wall time on a shared machine). */
  measure?: boolean;
}

export interface HarnessRun {
  /** By node number (1-based at index 0); for a fresh DKG node k is member k. */
  members: (DkgMember | undefined)[];
  signers: Signer[];
  /** Results by member index (in the committee being made). */
  results: Map<number, DkgResult>;
  /** Refused packets by node number. */
  refused: Map<number, BaseError[]>;
  /** Virtual ms from the start until the last node finished. */
  virtualMs: number;
  packets: number;
  bytes: number;
  /** Per-node CPU ms (when `measure`), index 0 = node 1. */
  cpuMs: number[];
}

const START_MS = 1_800_000_000_000;

function keysFrom(random: Random, count: number): Signer[] {
  const out: Signer[] = [];
  for (let i = 0; i < count; i++) {
    let key: Uint8Array;
    do key = random.bytes(32);
    while (!secp256k1.utils.isValidSecretKey(key));
    out.push(signerOf(key));
  }
  return out;
}

interface Node {
  signer: Signer;
  random: SeededRandom;
  /** Undefined when offline. */
  member?: DkgMember;
  /** Index in the committee being made, 0 when not a member. */
  memberIndex: number;
}

/** Delivers every packet to every other node until all finished; advances the clock 1 s at a time when idle. */
function simulate(nodes: Node[], clock: ManualClock, options: { tamper?: Tamper; measure?: boolean }): HarnessRun {
  const cpuMs = new Array<number>(nodes.length).fill(0);
  const queue: { from: number; packet: Uint8Array; to?: number[] }[] = [];
  let packets = 0;
  let bytes = 0;
  const timed = <T>(k: number, f: () => T): T => {
    if (!options.measure) return f();
    const t0 = process.cpuUsage();
    try {
      return f();
    } finally {
      const d = process.cpuUsage(t0);
      cpuMs[k] = (cpuMs[k] ?? 0) + (d.user + d.system) / 1000;
    }
  };
  const send = (k: number, out: Uint8Array[]) => {
    const from = k + 1;
    for (const packet of out) {
      const sent = options.tamper ? options.tamper(from, packet, { signer: nodes[k]!.signer, clock, random: nodes[k]!.random }) : [packet];
      for (const p of sent) queue.push(p instanceof Uint8Array ? { from, packet: p } : { from, packet: p.packet, to: p.to });
    }
  };
  const startMs = clock.now();
  nodes.forEach((node, k) => node.member && send(k, timed(k, () => node.member!.start())));
  const active = () => nodes.filter((node) => node.member && node.member.phase !== 'done' && node.member.phase !== 'failed');
  for (let guard = 0; guard < 1_000_000 && active().length > 0; guard++) {
    if (queue.length > 0) {
      const { from, packet, to } = queue.shift()!;
      packets++;
      bytes += packet.length;
      nodes.forEach((node, k) => {
        if (node.member && k + 1 !== from && (to === undefined || to.includes(k + 1))) send(k, timed(k, () => node.member!.receive(packet).out));
      });
      continue;
    }
    clock.advance(1_000); // nothing in flight: time passes towards the next phase deadline
    nodes.forEach((node, k) => node.member && send(k, timed(k, () => node.member!.tick())));
  }
  const results = new Map<number, DkgResult>();
  const refused = new Map<number, BaseError[]>();
  nodes.forEach((node, k) => {
    if (node.member?.result) results.set(node.memberIndex, node.member.result);
    if (node.member) refused.set(k + 1, node.member.refused);
  });
  return {
    members: nodes.map((node) => node.member),
    signers: nodes.map((node) => node.signer),
    results,
    refused,
    virtualMs: clock.now() - startMs,
    packets,
    bytes,
    cpuMs,
  };
}

/** A fresh DKG among n members: node k is member k. */
export function runDkg(options: HarnessOptions): HarnessRun {
  const { n, threshold, seed } = options;
  const clock = new ManualClock(START_MS);
  const signers = keysFrom(new SeededRandom(seed), n);
  const session = keccak256(Uint8Array.of(seed & 0xff, n, threshold));
  const infos = signers.map((s, k) => ({ index: k + 1, publicKey: s.publicKey }));
  const offline = new Set(options.offline ?? []);
  const nodes: Node[] = signers.map((signer, k) => {
    const random = new SeededRandom(seed * 1000 + k + 1);
    const config: DkgConfig = { session, threshold, members: infos, myIndex: k + 1, startMs: clock.now() };
    return { signer, random, memberIndex: k + 1, member: offline.has(k + 1) ? undefined : new DkgMember({ signer, clock, random }, config, options.dkg) };
  });
  return simulate(nodes, clock, options);
}

export interface ReshareOptions extends Omit<HarnessOptions, 'n'> {
  /** The old committee's finished run (its node keys and shares). */
  from: HarnessRun;
  /** Old member indices that stay, in their new order: kept[k] becomes new member k + 1. */
  keep: number[];
  /** Fresh nodes joining after the kept ones. */
  newcomers: number;
}

/**
 * drand's resharing from `from` to a new committee (kept old members, then newcomers) with a new threshold. Nodes are
 * numbered old members 1..n_old, then newcomers; `tamper` and `offline` use those numbers.
 */
export function runReshare(options: ReshareOptions): HarnessRun {
  const { from, keep, newcomers, threshold, seed } = options;
  const oldResults = [...from.results.values()];
  const old = oldResults[0]!;
  const clock = new ManualClock(START_MS + 3_600_000);
  const oldSigners = from.signers;
  const fresh = keysFrom(new SeededRandom(seed), newcomers);
  const all = [...oldSigners, ...fresh];
  const newMembers = [...keep.map((i) => oldSigners[i - 1]!), ...fresh];
  const members: DkgMemberInfo[] = newMembers.map((s, k) => ({ index: k + 1, publicKey: s.publicKey }));
  const dealers: DkgMemberInfo[] = oldSigners.map((s, k) => ({ index: k + 1, publicKey: s.publicKey }));
  const session = keccak256(Uint8Array.of(seed & 0xff, 0xee, newMembers.length, threshold));
  const offline = new Set(options.offline ?? []);
  const nodes: Node[] = all.map((signer, k) => {
    const random = new SeededRandom(seed * 1000 + k + 1);
    const oldIndex = k < oldSigners.length ? k + 1 : 0;
    const oldShare = oldIndex ? from.results.get(oldIndex)?.share.secret : undefined;
    const memberIndex = newMembers.indexOf(signer) + 1;
    const config: DkgConfig = {
      session,
      threshold,
      members,
      myIndex: memberIndex,
      startMs: clock.now(),
      reshare: {
        dealers,
        oldThreshold: old.publicPolynomial.length,
        oldPublicPolynomial: old.publicPolynomial,
        myDealerIndex: oldShare === undefined ? 0 : oldIndex,
        ...(oldShare === undefined ? {} : { myOldShare: oldShare }),
      },
    };
    const runs = !offline.has(k + 1) && (memberIndex !== 0 || oldShare !== undefined);
    return { signer, random, memberIndex, member: runs ? new DkgMember({ signer, clock, random }, config, options.dkg) : undefined };
  });
  return simulate(nodes, clock, options);
}
