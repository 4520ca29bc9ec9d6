/**
 * One member's side of the Joint-Feldman DKG with complaints and justifications (whitepaper §2.2.1;
 * docs/threshold.md §3; drand's phases). Pure: clock, randomness and delivery are injected; every method returns
 * the packets to broadcast, and the caller (the in-memory harness in src/testnet, later the community server's
 * relay) delivers them to every member.
 *
 * Phases (DKG_TRANSITIONS, below, is the whole table):
 *   deal           send my deal; collect the others' until all n arrived or the deal deadline
 *   response       check my shares (one batched check), broadcast ok / complaints and the commitment hashes;
 *                  fast path: all n responses arrived, no complaint, all hashes equal → done
 *   justification  accused dealers reveal the complainers' shares; members forward signed deals of dealers whose
 *                  hashes conflict; done when every accused dealer answered (and no conflict), or at the deadline
 *
 * Qualified dealers (QUAL) are decided from the transcript every honest member holds (assuming broadcasts reach all
 * honest members, as drand does): a dealer is out when it sent no valid deal, equivocated (two signed deals or a
 * justification with different commitments), or left a complaint unanswered or answered with a share that does not
 * match its commitments. The group key is Σ_{d∈QUAL} C_{d,0}; member j's share is Σ_{d∈QUAL} s_{d,j}.
 */
import type { Clock, Random } from '../../common/clock.ts';
import { bytesEqual, concatBytes } from '../../common/bytes.ts';
import { InvalidArgumentError, type BaseError } from '../../common/errors.ts';
import { keccak256 } from '../keccak.ts';
import { nodeAddressOf } from '../../identity/node-address.ts';
import { decodeEnvelope, recoverSender, strongSigningDigest, type Signer } from '../../wire/envelope.ts';
import { decode } from '../../wire/codec.ts';
import { sealStrong, openStrong } from '../../wire/strong-envelope.ts';
import { ReplayGuard } from '../../wire/replay-guard.ts';
import { WireError } from '../../wire/errors.ts';
import { decodeG2Native, encodeNativeG2, encodeScalar, Fr, decodeScalar, nativeAdd, type NativeG2 } from '../bls/points.ts';
import { commitPolynomial, evaluatePolynomial, MAX_MEMBERS, randomPolynomial } from '../bls/polynomial.ts';
import { encodeG2 } from '../bls/points.ts';
import { BlsEncodingError, DkgError } from '../bls/errors.ts';
import { openShare, sealShare } from './share-box.ts';
import { badDealers, shareMatches } from './share-checks.ts';
import { DKG_KINDS, MAX_EVIDENCE, SESSION_BYTES, STATUS, type DealBody, type JustificationBody, type ResponseBody } from './messages.ts';

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
}

export const DEFAULTS: DkgOptions = {
  dealPhaseMs: 10_000, // drand's per-phase timeout; a 64-member deal is ~16 KB, far below 10 s on any link
  responsePhaseMs: 10_000,
  justificationPhaseMs: 10_000,
  replayWindowMs: 60_000, // as the wire's replay guard: covers the whole 30 s DKG plus clock skew
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
  readonly threshold: number;
  readonly members: readonly DkgMemberInfo[];
  readonly myIndex: number;
  /** When the deal phase starts (ms, the clock's time), agreed by all members. */
  readonly startMs: number;
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

interface HeldDeal {
  body: DealBody;
  envelope: Uint8Array;
  hash: Uint8Array;
  commitments?: NativeG2[];
}

function commitmentsHash(commitments: readonly Uint8Array[]): Uint8Array {
  return keccak256(concatBytes(...commitments));
}

export class DkgMember {
  readonly options: DkgOptions;
  phase: DkgPhase = 'deal';
  /** Every phase entered, in order (tests and logs: did this run take the fast path?). */
  readonly history: DkgPhase[] = ['deal'];
  /** Packets refused so far, by reason (a dishonest or broken peer shows up here, never as a crash). */
  readonly refused: BaseError[] = [];
  result: DkgResult | undefined;
  failure: DkgError | undefined;

  private readonly signer: Signer;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly config: DkgConfig;
  private readonly n: number;
  private readonly addresses: Uint8Array[];
  private readonly replay: ReplayGuard;
  private coefficients: bigint[] = [];
  private readonly deals = new Map<number, HeldDeal>();
  private readonly responses = new Map<number, ResponseBody>();
  private readonly justifications = new Map<number, JustificationBody>();
  /** dealer → commitment hashes seen in validly signed deals (mine and forwarded evidence). */
  private readonly signedHashes = new Map<number, Set<string>>();
  /** dealer → my share from it, once received and checked (or revealed in a justification). */
  private readonly myShares = new Map<number, bigint>();
  private myStatuses = new Map<number, number>();

  constructor(components: { signer: Signer; clock: Clock; random: Random }, config: DkgConfig, options: Partial<DkgOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.signer = components.signer;
    this.clock = components.clock;
    this.random = components.random;
    this.config = config;
    this.n = config.members.length;
    if (config.session.length !== SESSION_BYTES) throw new InvalidArgumentError('session', `must be ${SESSION_BYTES} bytes`);
    if (this.n < 1 || this.n > MAX_MEMBERS) throw new InvalidArgumentError('members', `1..${MAX_MEMBERS}`);
    if (!Number.isSafeInteger(config.threshold) || config.threshold < 1 || config.threshold > this.n) throw new InvalidArgumentError('threshold', `1..${this.n}`);
    config.members.forEach((m, k) => {
      if (m.index !== k + 1) throw new InvalidArgumentError('members', 'must be listed by index 1..n');
    });
    this.addresses = config.members.map((m) => nodeAddressOf(m.publicKey));
    if (!bytesEqual(this.addresses[config.myIndex - 1] ?? new Uint8Array(), this.signer.nodeAddress)) throw new InvalidArgumentError('myIndex', 'signer is not that member');
    this.replay = new ReplayGuard({ windowMs: this.options.replayWindowMs, maxEntries: 4 * this.n + 16 });
  }

  private get deadlines(): { deal: number; response: number; justification: number } {
    const deal = this.config.startMs + this.options.dealPhaseMs;
    const response = deal + this.options.responsePhaseMs;
    return { deal, response, justification: response + this.options.justificationPhaseMs };
  }

  private moveTo(to: DkgPhase): void {
    if (!DKG_TRANSITIONS[this.phase].some((t) => t.to === to)) throw new Error(`dkg: no transition ${this.phase} → ${to}`);
    this.phase = to;
    this.history.push(to);
  }

  /** Deals: returns my deal packet. */
  start(): Uint8Array[] {
    const { threshold, members, session, myIndex } = this.config;
    this.coefficients = randomPolynomial(threshold, this.random);
    const commitments = commitPolynomial(this.coefficients).map((c) => encodeG2(c));
    const boxes = members.map((m) => sealShare(encodeScalar(evaluatePolynomial(this.coefficients, m.index)), m.publicKey, session, myIndex, m.index, this.random));
    const body: DealBody = { session, dealer: myIndex, commitments, boxes };
    const envelope = sealStrong(DKG_KINDS.deal, body, { signer: this.signer, clock: this.clock, random: this.random });
    this.hold(body, envelope);
    return [envelope];
  }

  /** Takes one packet from the network. Refused packets are recorded in `refused` (and returned as the error); never throws for bad input. */
  receive(packet: Uint8Array): { out: Uint8Array[]; refused?: DkgError | WireError } {
    try {
      this.accept(packet);
    } catch (error) {
      if (error instanceof DkgError) {
        this.refused.push(error);
        return { out: this.tick(), refused: error };
      }
      if (error instanceof WireError || error instanceof BlsEncodingError) {
        this.refused.push(error);
        return { out: this.tick(), refused: error as WireError };
      }
      throw error;
    }
    return { out: this.tick() };
  }

  private senderIndex(nodeAddress: Uint8Array, claimed: number): number {
    const index = this.addresses.findIndex((a) => bytesEqual(a, nodeAddress)) + 1;
    if (index === 0) throw new DkgError('non-member');
    if (index !== claimed) throw new DkgError('index-mismatch', { sender: index, detail: `claims ${claimed}` });
    return index;
  }

  private accept(packet: Uint8Array): void {
    const envelope = decodeEnvelope(packet);
    const tag = envelope.kind === 'strong' ? envelope.value.domain : '';
    const ctx = { clock: this.clock, replayGuard: this.replay };
    if (tag === DKG_KINDS.deal.domain.tag) {
      const { message, sender } = openStrong(envelope, { ...ctx, kind: DKG_KINDS.deal });
      this.checkSession(message.session);
      const dealer = this.senderIndex(sender.nodeAddress, message.dealer);
      if (this.phase !== 'deal') throw new DkgError('late', { sender: dealer });
      if (this.deals.has(dealer)) throw new DkgError('duplicate', { sender: dealer });
      if (message.commitments.length !== this.config.threshold || message.boxes.length !== this.n) throw new DkgError('malformed', { sender: dealer, detail: 'counts' });
      this.hold(message, packet);
    } else if (tag === DKG_KINDS.response.domain.tag) {
      const { message, sender } = openStrong(envelope, { ...ctx, kind: DKG_KINDS.response });
      this.checkSession(message.session);
      const member = this.senderIndex(sender.nodeAddress, message.member);
      if (this.phase === 'done' || this.phase === 'failed' || this.phase === 'justification') throw new DkgError('late', { sender: member });
      if (this.responses.has(member)) throw new DkgError('duplicate', { sender: member });
      this.responses.set(member, message);
    } else if (tag === DKG_KINDS.justification.domain.tag) {
      const { message, sender } = openStrong(envelope, { ...ctx, kind: DKG_KINDS.justification });
      this.checkSession(message.session);
      const member = this.senderIndex(sender.nodeAddress, message.member);
      if (this.phase === 'done' || this.phase === 'failed') throw new DkgError('late', { sender: member });
      if (this.justifications.has(member)) throw new DkgError('duplicate', { sender: member });
      this.justifications.set(member, message);
      for (const forwarded of message.evidence) this.takeEvidence(forwarded);
    } else {
      throw new DkgError('unknown-kind', { detail: tag });
    }
  }

  private checkSession(session: Uint8Array): void {
    if (!bytesEqual(session, this.config.session)) throw new DkgError('wrong-session');
  }

  private hold(body: DealBody, envelope: Uint8Array): void {
    const hash = commitmentsHash(body.commitments);
    this.deals.set(body.dealer, { body, envelope, hash });
    this.noteSignedHash(body.dealer, hash);
  }

  private noteSignedHash(dealer: number, hash: Uint8Array): void {
    let set = this.signedHashes.get(dealer);
    if (!set) this.signedHashes.set(dealer, (set = new Set()));
    set.add(Buffer.from(hash).toString('hex'));
  }

  /** A forwarded deal: only its dealer's signature matters (it is a replay by design, so no freshness or nonce check). */
  private takeEvidence(bytes: Uint8Array): void {
    try {
      const envelope = decodeEnvelope(bytes);
      if (envelope.kind !== 'strong' || envelope.value.domain !== DKG_KINDS.deal.domain.tag) throw new DkgError('bad-evidence');
      const body = decode(DKG_KINDS.deal.schema, envelope.value.body);
      const sender = recoverSender(envelope.value.domain, envelope.value.sender, strongSigningDigest(DKG_KINDS.deal.domain, envelope.value), envelope.value.signature);
      this.checkSession(body.session);
      const dealer = this.senderIndex(sender.nodeAddress, body.dealer);
      this.noteSignedHash(dealer, commitmentsHash(body.commitments));
    } catch (error) {
      if (error instanceof DkgError || error instanceof WireError) this.refused.push(new DkgError('bad-evidence', { detail: (error as Error).message }));
      else throw error;
    }
  }

  /** Advances on the clock and on what has arrived; returns packets to broadcast. */
  tick(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const now = this.clock.now();
    if (this.phase === 'deal' && (this.deals.size === this.n || now >= this.deadlines.deal)) {
      this.moveTo('response');
      out.push(this.respond());
    }
    if (this.phase === 'response') {
      const all = this.responses.size === this.n;
      if (all && this.fastPath()) {
        this.finish();
        return out;
      }
      if (all || now >= this.deadlines.response) {
        this.moveTo('justification');
        const j = this.justify();
        if (j) out.push(j);
      }
    }
    if (this.phase === 'justification' && (now >= this.deadlines.justification || this.allAnswered())) this.finish();
    return out;
  }

  private respond(): Uint8Array {
    const { session, myIndex, threshold } = this.config;
    const received: { dealer: number; share: bigint; commitments: NativeG2[] }[] = [];
    const statuses = new Map<number, number>();
    for (let dealer = 1; dealer <= this.n; dealer++) {
      const deal = this.deals.get(dealer);
      if (!deal) {
        statuses.set(dealer, STATUS.missing);
        continue;
      }
      try {
        const raw = dealer === myIndex ? encodeScalar(evaluatePolynomial(this.coefficients, myIndex)) : openShare(deal.body.boxes[myIndex - 1]!, this.signer.secretKey, session, dealer, myIndex);
        if (raw === undefined) throw new DkgError('malformed', { sender: dealer, detail: 'box does not open' });
        deal.commitments ??= deal.body.commitments.map((c, k) => decodeG2Native(c, `commitment[${k}]`));
        if (deal.commitments.length !== threshold) throw new DkgError('malformed', { sender: dealer });
        received.push({ dealer, share: decodeScalar(raw, 'share'), commitments: deal.commitments });
        statuses.set(dealer, STATUS.ok);
      } catch (error) {
        if (!(error instanceof DkgError || error instanceof BlsEncodingError)) throw error;
        statuses.set(dealer, STATUS.badShare);
      }
    }
    const bad = new Set(badDealers(received, myIndex, this.random));
    for (const r of received) {
      if (bad.has(r.dealer)) statuses.set(r.dealer, STATUS.badShare);
      else this.myShares.set(r.dealer, r.share);
    }
    this.myStatuses = statuses;
    const entries = [...statuses].map(([dealer, status]) => ({ dealer, status, commitmentsHash: this.deals.get(dealer)?.hash ?? new Uint8Array(32) }));
    const body: ResponseBody = { session, member: myIndex, entries };
    this.responses.set(myIndex, body);
    return sealStrong(DKG_KINDS.response, body, { signer: this.signer, clock: this.clock, random: this.random });
  }

  /** dealer → members who complained about it (bad share or missing). */
  private complaints(): Map<number, Set<number>> {
    const out = new Map<number, Set<number>>();
    for (const [member, r] of this.responses) {
      for (const e of r.entries) {
        if (e.status === STATUS.ok || e.dealer < 1 || e.dealer > this.n) continue;
        let set = out.get(e.dealer);
        if (!set) out.set(e.dealer, (set = new Set()));
        set.add(member);
      }
    }
    return out;
  }

  /** Dealers for which some response reports a commitment hash other than the one I hold. */
  private conflicts(): Set<number> {
    const out = new Set<number>();
    for (const r of this.responses.values()) {
      for (const e of r.entries) {
        const held = this.deals.get(e.dealer);
        if (e.status !== STATUS.missing && held && !bytesEqual(held.hash, e.commitmentsHash)) out.add(e.dealer);
      }
    }
    return out;
  }

  private fastPath(): boolean {
    return this.complaints().size === 0 && this.conflicts().size === 0;
  }

  private justify(): Uint8Array | undefined {
    const { session, myIndex } = this.config;
    const against = this.complaints().get(myIndex);
    const evidence = [...this.conflicts()].slice(0, MAX_EVIDENCE).map((d) => this.deals.get(d)!.envelope);
    if (!against && evidence.length === 0) return undefined;
    const mine = this.deals.get(myIndex)!;
    const body: JustificationBody = {
      session,
      member: myIndex,
      commitments: against ? mine.body.commitments : [],
      revealed: against ? [...against].map((recipient) => ({ recipient, share: encodeScalar(evaluatePolynomial(this.coefficients, recipient)) })) : [],
      evidence,
    };
    this.justifications.set(myIndex, body);
    return sealStrong(DKG_KINDS.justification, body, { signer: this.signer, clock: this.clock, random: this.random });
  }

  private allAnswered(): boolean {
    if (this.conflicts().size > 0) return false;
    for (const dealer of this.complaints().keys()) if (!this.justifications.has(dealer)) return false;
    return true;
  }

  /** QUAL, the group key, the public polynomial and my share, from the transcript. */
  private finish(): void {
    const { threshold, myIndex } = this.config;
    const complaints = this.complaints();
    const qualified: number[] = [];
    const polys: NativeG2[][] = [];
    let secret = 0n;
    for (let dealer = 1; dealer <= this.n; dealer++) {
      const outcome = this.judgeDealer(dealer, complaints.get(dealer));
      if (!outcome) continue;
      qualified.push(dealer);
      polys.push(outcome.commitments);
      secret = Fr.add(secret, outcome.myShare);
    }
    if (qualified.length < threshold) {
      this.failure = new DkgError('too-few-qualified', { detail: `${qualified.length} < ${threshold}` });
      this.moveTo('failed');
      return;
    }
    const publicPolynomial = Array.from({ length: threshold }, (_, k) => encodeNativeG2(polys.map((p) => p[k]!).reduce((a, b) => nativeAdd(a, b))));
    this.result = { qualified, groupKey: publicPolynomial[0]!, publicPolynomial, share: { index: myIndex, secret } };
    this.moveTo('done');
  }

  /** A dealer's commitments and my share from it, or undefined when it is disqualified. */
  private judgeDealer(dealer: number, complainers: Set<number> | undefined): { commitments: NativeG2[]; myShare: bigint } | undefined {
    const { myIndex, threshold } = this.config;
    if ((this.signedHashes.get(dealer)?.size ?? 0) > 1) return undefined; // two signed deals: equivocation
    const held = this.deals.get(dealer);
    const justification = this.justifications.get(dealer);
    let commitments = held?.commitments;
    if (justification && justification.commitments.length > 0) {
      const hash = commitmentsHash(justification.commitments);
      if (held && !bytesEqual(hash, held.hash)) return undefined; // justified with other commitments: equivocation
      if (!commitments) {
        try {
          if (justification.commitments.length !== threshold) return undefined;
          commitments = justification.commitments.map((c) => decodeG2Native(c));
        } catch {
          return undefined;
        }
      }
    }
    if (!commitments) return undefined; // no valid deal reached me, and none was justified
    let myShare = this.myShares.get(dealer);
    for (const complainer of complainers ?? []) {
      const revealed = justification?.revealed.find((r) => r.recipient === complainer);
      if (!revealed) return undefined; // unanswered complaint
      let share: bigint;
      try {
        share = decodeScalar(revealed.share);
      } catch {
        return undefined;
      }
      if (!shareMatches({ dealer, share, commitments }, complainer)) return undefined; // answered with a bad share
      if (complainer === myIndex) myShare = share;
    }
    if (myShare === undefined) return undefined;
    return { commitments, myShare };
  }
}
