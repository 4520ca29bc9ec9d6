/**
 * A DKG among n members in one process (tests and bench/threshold.ts): pure message passing with a virtual clock,
 * every packet broadcast to every other member, and hooks for dishonest members — a tamper function that may
 * rewrite (and re-sign with that member's own key) or drop what a member sends. The serving network will carry the
 * same packets through the community server; this harness is the in-memory stand-in for that relay.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ManualClock, SeededRandom, type Random } from '../common/clock.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { signerOf, type Signer } from '../wire/envelope.ts';
import { DkgMember, type DkgOptions, type DkgResult } from '../crypto/dkg/member.ts';
import type { BaseError } from '../common/errors.ts';

export interface HarnessOptions {
  n: number;
  threshold: number;
  seed: number;
  dkg?: Partial<DkgOptions>;
  /** Rewrites what member `from` broadcasts: return the packets to send instead ([] drops them); `{ packet, to }` sends to some members only. */
  tamper?: (from: number, packet: Uint8Array, ctx: { signer: Signer; clock: ManualClock; random: Random }) => (Uint8Array | { packet: Uint8Array; to: number[] })[];
  /** Members that never run (silent from the start). */
  offline?: number[];
  /** Per-member CPU time accounting (ms): the process's user + system CPU time around every call into that member
   *  (one thread runs them all, so this is that member's own work, not wall time on a shared machine). */
  measure?: boolean;
}

export interface HarnessRun {
  members: (DkgMember | undefined)[];
  signers: Signer[];
  results: Map<number, DkgResult>;
  refused: Map<number, BaseError[]>;
  /** Virtual ms from the start until the last member finished. */
  virtualMs: number;
  packets: number;
  bytes: number;
  /** Per-member CPU ms (when `measure`), index 0 = member 1. */
  cpuMs: number[];
}

export function runDkg(options: HarnessOptions): HarnessRun {
  const { n, threshold, seed } = options;
  const random = new SeededRandom(seed);
  const clock = new ManualClock(1_800_000_000_000);
  const startMs = clock.now();
  const signers: Signer[] = [];
  for (let i = 0; i < n; i++) {
    let key: Uint8Array;
    do key = random.bytes(32);
    while (!secp256k1.utils.isValidSecretKey(key));
    signers.push(signerOf(key));
  }
  const session = keccak256(Uint8Array.of(seed & 0xff, n, threshold));
  const infos = signers.map((s, k) => ({ index: k + 1, publicKey: s.publicKey }));
  const offline = new Set(options.offline ?? []);
  const cpuMs = new Array<number>(n + 1).fill(0);
  const memberRandom = signers.map((_, k) => new SeededRandom(seed * 1000 + k + 1));
  const members = signers.map((signer, k) =>
    offline.has(k + 1) ? undefined : new DkgMember({ signer, clock, random: memberRandom[k]! }, { session, threshold, members: infos, myIndex: k + 1, startMs }, options.dkg),
  );
  const queue: { from: number; packet: Uint8Array; to?: number[] }[] = [];
  let packets = 0;
  let bytes = 0;
  const timed = <T>(index: number, f: () => T): T => {
    if (!options.measure) return f();
    const t0 = process.cpuUsage();
    try {
      return f();
    } finally {
      const d = process.cpuUsage(t0);
      cpuMs[index] = (cpuMs[index] ?? 0) + (d.user + d.system) / 1000;
    }
  };
  const send = (from: number, out: Uint8Array[]) => {
    for (const packet of out) {
      const sent = options.tamper ? options.tamper(from, packet, { signer: signers[from - 1]!, clock, random: memberRandom[from - 1]! }) : [packet];
      for (const p of sent) queue.push(p instanceof Uint8Array ? { from, packet: p } : { from, packet: p.packet, to: p.to });
    }
  };
  members.forEach((m, k) => m && send(k + 1, timed(k + 1, () => m.start())));
  let finishedAt = startMs;
  const active = () => members.filter((m) => m && m.phase !== 'done' && m.phase !== 'failed');
  for (let guard = 0; guard < 100_000 && active().length > 0; guard++) {
    if (queue.length > 0) {
      const { from, packet, to } = queue.shift()!;
      packets++;
      bytes += packet.length;
      members.forEach((m, k) => {
        if (m && k + 1 !== from && (to === undefined || to.includes(k + 1))) send(k + 1, timed(k + 1, () => m.receive(packet).out));
      });
      continue;
    }
    // Nothing in flight: time passes to the next phase deadline.
    clock.advance(1_000);
    members.forEach((m, k) => m && send(k + 1, timed(k + 1, () => m.tick())));
    finishedAt = clock.now();
  }
  if (active().length === 0 && finishedAt === startMs) finishedAt = clock.now();
  const results = new Map<number, DkgResult>();
  const refused = new Map<number, BaseError[]>();
  members.forEach((m, k) => {
    if (m?.result) results.set(k + 1, m.result);
    if (m) refused.set(k + 1, m.refused);
  });
  return { members, signers, results, refused, virtualMs: finishedAt - startMs, packets, bytes, cpuMs: cpuMs.slice(1) };
}
