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
 * Resharing (drand's): the old committee deals its shares of the existing key to a new committee. Dealer d's
 * polynomial has g_d(0) = x_d, its old share, so its commitment C_{d,0} must equal its old public share (checked by
 * everyone); the new shares are y_j = Σ_{d∈S} λ_d·g_d(j) over the first t_old qualified dealers S, and the group key
 * is unchanged. Dealers and recipients are then two lists (a node may be in either or both).
 *
 * Qualified dealers (QUAL) are decided from the transcript every honest member holds (assuming broadcasts reach all
 * honest members, as drand does): a dealer is out when it sent no valid deal, equivocated (two signed deals or a
 * justification with different commitments), or left a complaint unanswered or answered with a share that does not
 * match its commitments. The group key is Σ_{d∈QUAL} C_{d,0}; member j's share is Σ_{d∈QUAL} s_{d,j}.
 */
import type { Clock, Random } from '../../common/clock.ts';
import { bytesEqual } from '../../common/bytes.ts';
import { InvalidArgumentError, type BaseError } from '../../common/errors.ts';
import { nodeAddressOf } from '../../identity/node-address.ts';
import { decodeEnvelope, recoverSender, strongSigningDigest, type Envelope, type Signer } from '../../wire/envelope.ts';
import { decode } from '../../wire/codec.ts';
import { sealStrong, openStrong } from '../../wire/strong-envelope.ts';
import { ReplayGuard } from '../../wire/replay-guard.ts';
import { WireError } from '../../wire/errors.ts';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { decodeG2, decodeG2Native, encodeG2, encodeNativeG2, encodeScalar, Fr, G2, decodeScalar, nativeAdd, type NativeG2 } from '../bls/points.ts';
import { commitPolynomial, evaluatePolynomial, lagrangeAtZero, MAX_MEMBERS, randomPolynomial } from '../bls/polynomial.ts';
import { BlsEncodingError, DkgError } from '../bls/errors.ts';
import { openShare, sealShare } from './share-box.ts';
import { badDealers, evaluateNative, shareMatches } from './share-checks.ts';
import { commitmentsHash, complaintsOf, conflictsOf } from './transcript.ts';
import { checkReshare, DEFAULTS, DKG_TRANSITIONS, type DkgConfig, type DkgOptions, type DkgPhase, type DkgMemberInfo, type DkgResult } from './phases.ts';
import { DKG_KINDS, MAX_EVIDENCE, SESSION_BYTES, STATUS, type DealBody, type JustificationBody, type ResponseBody } from './messages.ts';

interface HeldDeal {
  body: DealBody;
  envelope: Uint8Array;
  hash: Uint8Array;
  commitments?: NativeG2[];
}

export class DkgMember {
  readonly options: DkgOptions;
  phase: DkgPhase = 'deal';
  /** Every phase entered, in order (tests and logs: did this run take the fast path?). */
  readonly history: DkgPhase[] = ['deal'];
  /** Packets refused, by reason (a dishonest or broken peer shows up here, never as a crash): the first
   *  `maxRefusedKept`; `refusedCount` counts them all. */
  readonly refused: BaseError[] = [];
  refusedCount = 0;
  result: DkgResult | undefined;
  failure: DkgError | undefined;

  private readonly signer: Signer;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly config: DkgConfig;
  private readonly n: number;
  private readonly addresses: Uint8Array[];
  private readonly dealerInfos: readonly DkgMemberInfo[];
  private readonly dealerAddresses: Uint8Array[];
  private readonly myDealerIndex: number;
  /** Resharing: each dealer's old public share, which its C_0 must equal (computed on first use). */
  private oldPublicShares?: Map<number, Uint8Array>;
  private readonly replay: ReplayGuard;
  private coefficients: bigint[] = [];
  private readonly deals = new Map<number, HeldDeal>();
  private readonly responses = new Map<number, ResponseBody>();
  /** dealer → its justification (answers to complaints). */
  private readonly justifications = new Map<number, JustificationBody>();
  /** Members whose forwarded evidence arrived (one justification packet each). */
  private readonly evidenceFrom = new Set<number>();
  /** `${kind tag} ${sender}` of every packet accepted: one per kind and sender, at most 3·(n + dealers). */
  private readonly accepted = new Set<string>();
  /** Refused packets per claimed sender (known senders only), capped by options.maxRefusalsPerSender. */
  private readonly refusalsBySender = new Map<string, number>();
  /** dealer → commitment hashes seen in validly signed deals (mine and forwarded evidence). */
  private readonly signedHashes = new Map<number, Set<string>>();
  /** dealer → my share from it, once received and checked (or revealed in a justification). */
  private readonly myShares = new Map<number, bigint>();

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
    this.dealerInfos = config.reshare?.dealers ?? config.members;
    this.dealerInfos.forEach((m, k) => {
      if (m.index !== k + 1) throw new InvalidArgumentError('dealers', 'must be listed by index 1..n');
    });
    this.dealerAddresses = config.reshare ? this.dealerInfos.map((m) => nodeAddressOf(m.publicKey)) : this.addresses;
    this.myDealerIndex = config.reshare ? config.reshare.myDealerIndex : config.myIndex;
    if (config.myIndex !== 0 && !bytesEqual(this.addresses[config.myIndex - 1] ?? new Uint8Array(), this.signer.nodeAddress)) throw new InvalidArgumentError('myIndex', 'signer is not that member');
    if (this.myDealerIndex !== 0 && !bytesEqual(this.dealerAddresses[this.myDealerIndex - 1] ?? new Uint8Array(), this.signer.nodeAddress)) throw new InvalidArgumentError('myDealerIndex', 'signer is not that dealer');
    if (config.myIndex === 0 && this.myDealerIndex === 0) throw new InvalidArgumentError('myIndex', 'neither a dealer nor a member');
    checkReshare(config.reshare);
    // Every nonce remembered belongs to a known sender's accepted packet (≤ 3 each) or refused one (≤ maxRefusalsPerSender).
    const senders = this.n + this.dealerInfos.length;
    this.replay = new ReplayGuard({ windowMs: this.options.replayWindowMs, maxEntries: senders * (3 + this.options.maxRefusalsPerSender) + 16 });
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

  /** Deals: returns my deal packet (none when I only receive, at a reshare). */
  start(): Uint8Array[] {
    const { threshold, members, session } = this.config;
    const dealer = this.myDealerIndex;
    if (dealer === 0) return [];
    this.coefficients = randomPolynomial(threshold, this.random, this.config.reshare?.myOldShare);
    const commitments = commitPolynomial(this.coefficients).map((c) => encodeG2(c));
    const boxes = members.map((m) => sealShare(encodeScalar(evaluatePolynomial(this.coefficients, m.index)), m.publicKey, session, dealer, m.index, this.random));
    const body: DealBody = { session, dealer, commitments, boxes };
    const envelope = sealStrong(DKG_KINDS.deal, body, { signer: this.signer, clock: this.clock, random: this.random });
    this.hold(body, envelope);
    return [envelope];
  }

  /** Takes one packet from the network. Refused packets are recorded in `refused` (and returned as the error); never throws for bad input. */
  receive(packet: Uint8Array): { out: Uint8Array[]; refused?: DkgError | WireError } {
    try {
      this.accept(packet);
    } catch (error) {
      if (error instanceof DkgError || error instanceof WireError || error instanceof BlsEncodingError) {
        this.noteRefused(error);
        return { out: this.tick(), refused: error as DkgError | WireError };
      }
      throw error;
    }
    return { out: this.tick() };
  }

  private noteRefused(error: BaseError): void {
    this.refusedCount++;
    if (this.refused.length < this.options.maxRefusedKept) this.refused.push(error);
  }

  /**
   * Cheap checks on the claimed sender before any signature is checked or any nonce remembered: a stranger's
   * address, a second packet of a kind already accepted from that sender, or a sender that has already had
   * `maxRefusalsPerSender` packets refused. This keeps the replay guard (and the CPU) bounded by the committee's
   * size whatever a member or an outsider sends.
   */
  private precheck(tag: string, claimed: Uint8Array): string {
    const key = Buffer.from(claimed).toString('hex');
    const known = this.addresses.some((a) => bytesEqual(a, claimed)) || this.dealerAddresses.some((a) => bytesEqual(a, claimed));
    if (!known) throw new DkgError('non-member');
    if (this.accepted.has(`${tag} ${key}`)) throw new DkgError('duplicate');
    const refusals = this.refusalsBySender.get(key) ?? 0;
    if (refusals >= this.options.maxRefusalsPerSender) throw new DkgError('flooding', { detail: key });
    this.refusalsBySender.set(key, refusals + 1); // undone when the packet is accepted
    return key;
  }

  private senderIndex(nodeAddress: Uint8Array, claimed: number, list: Uint8Array[] = this.addresses): number {
    const index = list.findIndex((a) => bytesEqual(a, nodeAddress)) + 1;
    if (index === 0) throw new DkgError('non-member');
    if (index !== claimed) throw new DkgError('index-mismatch', { sender: index, detail: `claims ${claimed}` });
    return index;
  }

  private accept(packet: Uint8Array): void {
    const envelope = decodeEnvelope(packet);
    if (envelope.kind !== 'strong') throw new DkgError('unknown-kind', { detail: 'weak envelope' });
    const tag = envelope.value.domain;
    const key = this.precheck(tag, envelope.value.sender);
    this.acceptOpened(envelope, tag, packet);
    this.accepted.add(`${tag} ${key}`);
    this.refusalsBySender.set(key, (this.refusalsBySender.get(key) ?? 1) - 1);
  }

  private acceptOpened(envelope: Envelope, tag: string, packet: Uint8Array): void {
    const ctx = { clock: this.clock, replayGuard: this.replay };
    if (tag === DKG_KINDS.deal.domain.tag) {
      const { message, sender } = openStrong(envelope, { ...ctx, kind: DKG_KINDS.deal });
      this.checkSession(message.session);
      const dealer = this.senderIndex(sender.nodeAddress, message.dealer, this.dealerAddresses);
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
      const dealers = new Set<number>();
      for (const e of message.entries) {
        const known = e.status === STATUS.ok || e.status === STATUS.badShare || e.status === STATUS.missing;
        if (!known || e.dealer < 1 || e.dealer > this.dealerInfos.length || dealers.has(e.dealer)) throw new DkgError('malformed', { sender: member, detail: 'response entry' });
        dealers.add(e.dealer);
      }
      this.responses.set(member, message);
    } else if (tag === DKG_KINDS.justification.domain.tag) {
      const { message, sender } = openStrong(envelope, { ...ctx, kind: DKG_KINDS.justification });
      this.checkSession(message.session);
      // As a dealer it answers complaints; as a member it forwards evidence. Each non-zero index must be the sender's.
      if (message.dealer === 0 && message.member === 0) throw new DkgError('malformed', { detail: 'justification names no role' });
      const dealer = message.dealer === 0 ? 0 : this.senderIndex(sender.nodeAddress, message.dealer, this.dealerAddresses);
      const member = message.member === 0 ? 0 : this.senderIndex(sender.nodeAddress, message.member);
      const from = dealer || member;
      if (this.phase === 'done' || this.phase === 'failed') throw new DkgError('late', { sender: from });
      if (dealer !== 0 && this.justifications.has(dealer)) throw new DkgError('duplicate', { sender: dealer });
      if (member !== 0 && this.evidenceFrom.has(member)) throw new DkgError('duplicate', { sender: member });
      if (dealer !== 0) this.justifications.set(dealer, message);
      if (member !== 0) this.evidenceFrom.add(member);
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
      const dealer = this.senderIndex(sender.nodeAddress, body.dealer, this.dealerAddresses);
      this.noteSignedHash(dealer, commitmentsHash(body.commitments));
    } catch (error) {
      if (error instanceof DkgError || error instanceof WireError) this.noteRefused(new DkgError('bad-evidence', { detail: (error as Error).message }));
      else throw error;
    }
  }

  /** Advances on the clock and on what has arrived; returns packets to broadcast. */
  tick(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const now = this.clock.now();
    if (this.phase === 'deal' && (this.deals.size === this.dealerInfos.length || now >= this.deadlines.deal)) {
      this.moveTo('response');
      if (this.config.myIndex !== 0) out.push(this.respond());
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
    for (let dealer = 1; dealer <= this.dealerInfos.length; dealer++) {
      const deal = this.deals.get(dealer);
      if (!deal) {
        statuses.set(dealer, STATUS.missing);
        continue;
      }
      try {
        const raw = dealer === this.myDealerIndex ? encodeScalar(evaluatePolynomial(this.coefficients, myIndex)) : openShare(deal.body.boxes[myIndex - 1]!, this.signer.secretKey, session, dealer, myIndex);
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
    const entries = [...statuses].map(([dealer, status]) => ({ dealer, status, commitmentsHash: this.deals.get(dealer)?.hash ?? new Uint8Array(32) }));
    const body: ResponseBody = { session, member: myIndex, entries };
    this.responses.set(myIndex, body);
    return sealStrong(DKG_KINDS.response, body, { signer: this.signer, clock: this.clock, random: this.random });
  }

  private complaints(): Map<number, Set<number>> {
    return complaintsOf(this.responses.entries(), this.dealerInfos.length);
  }

  private conflicts(): Set<number> {
    return conflictsOf(this.responses.values(), (dealer) => this.deals.get(dealer)?.hash);
  }

  private fastPath(): boolean {
    return this.complaints().size === 0 && this.conflicts().size === 0;
  }

  private justify(): Uint8Array | undefined {
    const { session, myIndex } = this.config;
    const dealer = this.myDealerIndex;
    const against = dealer === 0 ? undefined : this.complaints().get(dealer);
    const evidence = myIndex === 0 ? [] : [...this.conflicts()].slice(0, MAX_EVIDENCE).map((d) => this.deals.get(d)!.envelope);
    if (!against && evidence.length === 0) return undefined;
    const body: JustificationBody = {
      session,
      dealer: against ? dealer : 0,
      member: evidence.length > 0 ? myIndex : 0,
      commitments: against ? this.deals.get(dealer)!.body.commitments : [],
      revealed: against ? [...against].map((recipient) => ({ recipient, share: encodeScalar(evaluatePolynomial(this.coefficients, recipient)) })) : [],
      evidence,
    };
    if (against) this.justifications.set(dealer, body);
    return sealStrong(DKG_KINDS.justification, body, { signer: this.signer, clock: this.clock, random: this.random });
  }

  private allAnswered(): boolean {
    if (this.conflicts().size > 0) return false;
    for (const dealer of this.complaints().keys()) if (!this.justifications.has(dealer)) return false;
    return true;
  }

  /** QUAL, the group key, the public polynomial and my share, from the transcript. */
  private finish(): void {
    const { threshold, myIndex, reshare } = this.config;
    const complaints = this.complaints();
    const qualified: number[] = [];
    const outcomes: { commitments: NativeG2[]; myShare?: bigint }[] = [];
    for (let dealer = 1; dealer <= this.dealerInfos.length; dealer++) {
      const outcome = this.judgeDealer(dealer, complaints.get(dealer));
      if (!outcome) continue;
      qualified.push(dealer);
      outcomes.push(outcome);
    }
    // A fresh key needs t honest-majority dealers; a reshare needs t_old dealers to interpolate the old secret.
    const needed = reshare ? reshare.oldThreshold : threshold;
    if (qualified.length < needed) {
      this.failure = new DkgError('too-few-qualified', { detail: `${qualified.length} < ${needed}` });
      this.moveTo('failed');
      return;
    }
    if (myIndex === 0) {
      this.result = undefined; // a dealer leaving the committee holds no new share
      this.moveTo('done');
      return;
    }
    let secret = 0n;
    let publicPolynomial: Uint8Array[];
    if (!reshare) {
      for (const o of outcomes) secret = Fr.add(secret, o.myShare!);
      publicPolynomial = Array.from({ length: threshold }, (_, k) => encodeNativeG2(outcomes.map((o) => o.commitments[k]!).reduce((a, b) => nativeAdd(a, b))));
    } else {
      // y_j = Σ_{d∈S} λ_d·g_d(j) and B_k = Σ_{d∈S} λ_d·C_{d,k}, S = the first t_old qualified dealers.
      const chosen = outcomes.slice(0, needed);
      const lambdas = lagrangeAtZero(qualified.slice(0, needed));
      chosen.forEach((o, k) => (secret = Fr.add(secret, Fr.mul(lambdas[k]!, o.myShare!))));
      publicPolynomial = Array.from({ length: threshold }, (_, k) =>
        encodeG2(pippenger(G2, chosen.map((o) => decodeG2(encodeNativeG2(o.commitments[k]!))), lambdas)),
      );
    }
    this.result = { qualified, groupKey: publicPolynomial[0]!, publicPolynomial, share: { index: myIndex, secret } };
    this.moveTo('done');
  }

  /** Resharing: dealer d's old public share Σ_k d^k·A_k, which its C_0 must equal. */
  private oldPublicShare(dealer: number): Uint8Array {
    const reshare = this.config.reshare!;
    if (!this.oldPublicShares) {
      const oldPolynomial = reshare.oldPublicPolynomial.map((a, k) => decodeG2Native(a, `oldPublicPolynomial[${k}]`));
      this.oldPublicShares = new Map(this.dealerInfos.map((d) => [d.index, encodeNativeG2(evaluateNative(oldPolynomial, d.index))]));
    }
    return this.oldPublicShares.get(dealer)!;
  }

  /** A dealer's commitments and my share from it, or undefined when it is disqualified. */
  private judgeDealer(dealer: number, complainers: Set<number> | undefined): { commitments: NativeG2[]; myShare?: bigint } | undefined {
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
    if (!commitments) {
      // A dealer-only node never decoded the deals it holds (it does not respond): decode now.
      if (!held) return undefined; // no valid deal reached me, and none was justified
      try {
        commitments = held.commitments = held.body.commitments.map((c) => decodeG2Native(c));
      } catch {
        return undefined;
      }
    }
    if (this.config.reshare && !bytesEqual(encodeNativeG2(commitments[0]!), this.oldPublicShare(dealer))) return undefined; // not dealing its old share
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
    if (myShare === undefined && myIndex !== 0) return undefined;
    return { commitments, myShare };
  }
}
