/**
 * The DKG's phases, transition table, settings and shapes (whitepaper §2.2.1; docs/threshold.md §3). The state
 * machine itself is DkgMember (member.ts).
 */
import { InvalidArgumentError } from '../../common/errors.ts';
import { MAX_MEMBERS } from '../bls/polynomial.ts';

export type DkgPhase = 'deal' | 'response' | 'justification' | 'done' | 'failed';

/** The transition table, as data: from each phase, where it may go and on what. */
export const DKG_TRANSITIONS: Readonly<Record<DkgPhase, readonly { to: DkgPhase; on: string }[]>> = {
  deal: [{ to: 'response', on: 'all n deals arrived, or the deal deadline passed' }],
  response: [
    { to: 'done', on: 'fast path: all n responses arrived, none complains, every commitment hash agrees' },
    { to: 'failed', on: 'fast path taken but fewer than t dealers qualify (cannot happen with t ≤ n)' },
    { to: 'justification', on: 'the response deadline passed, or all responses arrived with a complaint or a conflict' },
  ],
  justification: [
    { to: 'done', on: 'every accused dealer answered and no hash conflicts, or the justification deadline passed; ≥ t qualify' },
    { to: 'failed', on: 'fewer than t dealers qualify' },
  ],
  done: [],
  failed: [],
};

export interface DkgOptions {
  /** Deal phase length, ms (drand: 10 s). */
  dealPhaseMs: number;
  /** Response phase length, ms. */
  responsePhaseMs: number;
  /** Justification phase length, ms. */
  justificationPhaseMs: number;
  /** Accepted clock difference for packets, ms (the strong envelopes' replay window). */
  replayWindowMs: number;
  /** Packets refused from one member before its further packets are dropped unread. */
  maxRefusalsPerSender: number;
  /** Refused packets kept in `DkgMember.refused` for inspection (the rest are only counted). */
  maxRefusedKept: number;
}

export const DEFAULTS: DkgOptions = {
  dealPhaseMs: 10_000, // drand's per-phase timeout; a 64-member deal is ~16 KB, far below 10 s on any link
  responsePhaseMs: 10_000,
  justificationPhaseMs: 10_000,
  replayWindowMs: 60_000, // as the wire's replay guard: covers the whole 30 s DKG plus clock skew
  maxRefusalsPerSender: 8, // packets; an honest member sends 3 and is never refused, a broken one is seen after a few
  maxRefusedKept: 256, // errors; enough to diagnose any run, bounded whatever is sent
};

export interface DkgMemberInfo {
  /** 1..n. */
  readonly index: number;
  /** Uncompressed secp256k1 node key (65 bytes): shares are sealed to it, packets must recover to its address. */
  readonly publicKey: Uint8Array;
}

export interface DkgConfig {
  /** 32 bytes naming this run (e.g. keccak of committee id, key id and the member list); bound into every packet and box. */
  readonly session: Uint8Array;
  /** Threshold of the key being made (the new threshold when resharing). */
  readonly threshold: number;
  /** Who receives shares (the new committee when resharing), listed by index 1..n. */
  readonly members: readonly DkgMemberInfo[];
  /** My index among `members`; 0 when I only deal (a member leaving at a reshare). */
  readonly myIndex: number;
  /** When the deal phase starts (ms, the clock's time), agreed by all members. */
  readonly startMs: number;
  /** Present when resharing an existing key instead of making a fresh one. */
  readonly reshare?: ReshareConfig;
}

export interface ReshareConfig {
  /** The old committee, by its old indices 1..n_old: they deal. */
  readonly dealers: readonly DkgMemberInfo[];
  readonly oldThreshold: number;
  /** The old key's public polynomial A_0..A_{t_old−1} (EIP-2537 G2): dealer d must commit to Σ_k d^k·A_k. */
  readonly oldPublicPolynomial: readonly Uint8Array[];
  /** My index among the dealers, 0 when I am new. */
  readonly myDealerIndex: number;
  /** My old share (when myDealerIndex > 0). Secret. */
  readonly myOldShare?: bigint;
}

export interface DkgResult {
  readonly qualified: number[];
  /** 256-byte EIP-2537 G2. */
  readonly groupKey: Uint8Array;
  /** A_k = Σ_{d∈QUAL} C_{d,k}, EIP-2537 each: public share of member i is Σ_k i^k·A_k. */
  readonly publicPolynomial: Uint8Array[];
  /** This member's secret share x_j. */
  readonly share: { index: number; secret: bigint };
}

/** Throws InvalidArgumentError for a reshare configuration that cannot work. */
export function checkReshare(reshare: ReshareConfig | undefined): void {
  if (!reshare) return;
  if (reshare.dealers.length < 1 || reshare.dealers.length > MAX_MEMBERS) throw new InvalidArgumentError('dealers', `1..${MAX_MEMBERS}`);
  if (!Number.isSafeInteger(reshare.oldThreshold) || reshare.oldThreshold < 1 || reshare.oldThreshold > reshare.dealers.length) {
    throw new InvalidArgumentError('oldThreshold', `1..${reshare.dealers.length}`);
  }
  if (reshare.oldPublicPolynomial.length !== reshare.oldThreshold) throw new InvalidArgumentError('oldPublicPolynomial', 'one point per coefficient');
  if (reshare.myDealerIndex !== 0 && reshare.myOldShare === undefined) throw new InvalidArgumentError('myOldShare', 'an old member deals its share');
}
