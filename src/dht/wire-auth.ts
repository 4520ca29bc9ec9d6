/**
 * The production implementations of the core's identity ports (ports.ts, records.ts) on top of
 * src/wire envelopes and src/crypto signatures (whitepaper §1.1.2, §2.1.2; docs/dht-network.md §4):
 *
 * - WireEnvelopeSigner: seals every outgoing envelope (weak for PING/PONG, strong otherwise, the
 *   strong ones bound to their recipient's NodeAddress) and attaches the bytes as `auth.sealed`,
 *   which the host's send port puts on the wire.
 * - WireEnvelopeVerifier: checks an inbound envelope produced by parseDhtEnvelope: weak — signed
 *   IP equals the IP the transport observed, time bucket within ±1, signature recovers to the
 *   sender; strong — signed recipient is this node, acceptance window, signature, then the replay
 *   guard; both — the envelope's
 *   content is exactly what was signed, and the sender is the peer the transport authenticated.
 *   Each refusal is a typed error (kept in `lastError`, counted by code in `refused`) and a
 *   DropCode for the core's counters.
 * - SignedRecordVerifier, signRecord, signProvider: publisher signatures on records and
 *   provider records under raw domains.
 * - staticPuzzleChecker: the network's c1 (src/identity/puzzle.ts).
 *
 * Pure: clock and randomness are injected.
 */
import type { Clock, Random } from '../common/clock.ts';
import { BaseError } from '../common/errors.ts';
import { bytesEqual, toHex } from '../common/bytes.ts';
import { recoverWithDomain, signWithDomain } from '../crypto/domains.ts';
import { SignatureError } from '../crypto/signature.ts';
import { nodeAddressOf } from '../identity/node-address.ts';
import { assertDifficulty, staticPuzzleBits } from '../identity/puzzle.ts';
import type { Signer } from '../wire/envelope.ts';
import { EnvelopeError, ForgedSignatureError, OversizedError, WireDecodeError, WireError, WrongDomainError } from '../wire/errors.ts';
import { ReplayGuard, type ReplayGuardOptions } from '../wire/replay-guard.ts';
import { openStrong } from '../wire/strong-envelope.ts';
import { openWeak, type WeakEnvelopeOptions } from '../wire/weak-envelope.ts';
import { DhtInputError, type DropCode } from './errors.ts';
import { needsStrongSignature, type ContactInfo, type DhtEnvelope, type DhtRecord, type ProviderRecord } from './messages.ts';
import type { NodeAddress } from './node-id.ts';
import type { EnvelopeSigner, EnvelopeVerifier, InboundMeta, PuzzleChecker } from './ports.ts';
import type { RecordVerifier } from './records.ts';
import { encodeBody, isWireAuth, providerSigningPayload, recordSigningPayload, sealDhtEnvelope } from './wire-codec.ts';
import { DHT_DOMAINS, dhtKindOfTag } from './wire-kinds.ts';

/** The envelope is signed by one node but arrived over a connection authenticated as another. */
export class SenderMismatchError extends BaseError<{ sender: string; peer: string }> {
  constructor(sender: Uint8Array, peer: Uint8Array) {
    super('DHT_SENDER_MISMATCH', `envelope signed by ${toHex(sender)} arrived from peer ${toHex(peer)}`, {
      details: { sender: toHex(sender), peer: toHex(peer) },
    });
  }
}

/** A strong envelope signed for another node (a replay or a relay to the wrong recipient). */
export class WrongRecipientError extends BaseError<{ recipient: string; self: string }> {
  constructor(recipient: Uint8Array | undefined, self: Uint8Array) {
    const r = recipient === undefined ? 'nobody' : toHex(recipient);
    super('DHT_WRONG_RECIPIENT', `envelope signed for ${r} arrived at ${toHex(self)}`, { details: { recipient: r, self: toHex(self) } });
  }
}

/** The envelope's decoded content differs from what its signature covers (never produced by parseDhtEnvelope). */
export class ContentMismatchError extends BaseError<{ type: string }> {
  constructor(type: string) {
    super('DHT_CONTENT_MISMATCH', `${type} envelope content is not what was signed`, { details: { type } });
  }
}

function allZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

/**
 * The core's drop code for a refusal: WIRE_REPLAYED (nonce seen) is `replayed`, WIRE_EXPIRED
 * (outside the acceptance window or below the replay floor; a weak time bucket out of range) is
 * `expired`, a strong message signed for another node is `wrong-recipient`.
 */
export function dropCodeOf(error: unknown, signature?: Uint8Array): DropCode {
  if (error instanceof DhtInputError) return error.details.drop;
  if (error instanceof OversizedError) return 'oversized';
  if (error instanceof WireDecodeError) return 'malformed';
  if (error instanceof ForgedSignatureError) return signature !== undefined && allZero(signature) ? 'unsigned' : 'bad-signature';
  if (error instanceof WrongDomainError) return 'malformed';
  if (error instanceof EnvelopeError) {
    switch (error.code) {
      case 'WIRE_EXPIRED':
        return 'expired';
      case 'WIRE_REPLAYED':
        return 'replayed';
      default:
        return 'bad-signature';
    }
  }
  if (error instanceof WrongRecipientError) return 'wrong-recipient';
  if (error instanceof SenderMismatchError || error instanceof ContentMismatchError) return 'bad-signature';
  if (error instanceof BaseError && error.code === 'IDENTITY_PUZZLE_TOO_WEAK') return 'puzzle';
  return 'malformed';
}

// ---------------------------------------------------------------------------------------------
// Signer

export interface WireSignerComponents {
  signer: Signer;
  clock: Clock;
  random: Random;
}

export class WireEnvelopeSigner implements EnvelopeSigner {
  private readonly c: WireSignerComponents;
  constructor(components: WireSignerComponents) {
    this.c = components;
  }
  /** Strong kinds are bound to `to.address` (DhtEnvelope.to, inside the signed body). */
  sign(envelope: DhtEnvelope, to: ContactInfo): DhtEnvelope {
    const bound: DhtEnvelope = needsStrongSignature(envelope.body) ? { ...envelope, to: to.address } : envelope;
    return { ...bound, auth: { sealed: sealDhtEnvelope(bound, this.c) } };
  }
}

// ---------------------------------------------------------------------------------------------
// Verifier

export interface WireVerifierOptions {
  replayGuard: Partial<ReplayGuardOptions>;
  weak: Partial<WeakEnvelopeOptions>;
}

export const DEFAULTS: WireVerifierOptions = {
  replayGuard: {}, // src/wire/replay-guard.ts DEFAULTS: ±60 s window, 65,536 entries
  weak: {}, // src/wire/weak-envelope.ts DEFAULTS: ±1 five-minute bucket
};

export class WireEnvelopeVerifier implements EnvelopeVerifier {
  readonly replayGuard: ReplayGuard;
  /** Refusals by typed-error code (WIRE_FORGED, WIRE_REPLAYED, DHT_UNSIGNED, …). */
  readonly refused: Record<string, number> = {};
  /** The last refusal, for logs and tests. */
  lastError: BaseError | null = null;
  private readonly clock: Clock;
  private readonly self: NodeAddress;
  private readonly options: WireVerifierOptions;

  /** `self`: this node's NodeAddress; strong envelopes signed for anyone else are refused. */
  constructor(components: { clock: Clock; self: NodeAddress }, options: Partial<WireVerifierOptions> = {}) {
    this.clock = components.clock;
    this.self = components.self;
    this.options = { ...DEFAULTS, ...options };
    this.replayGuard = new ReplayGuard(this.options.replayGuard);
  }

  verify(envelope: DhtEnvelope, _meta: InboundMeta): DropCode | null {
    const auth = envelope.auth;
    if (!isWireAuth(auth)) return this.refuse(new DhtInputError('unsigned', 'envelope carries no wire signature'));
    const wire = auth.wire;
    try {
      const entry = dhtKindOfTag(wire.value.domain);
      if (entry === undefined || entry.type !== envelope.body.type) throw new WrongDomainError(envelope.body.type, wire.value.domain);
      if (wire.kind === 'weak' && entry.kind.domain.scheme === 'strong') throw new DhtInputError('unsigned', `${entry.type} in a weak envelope`);
      if (!bytesEqual(wire.value.sender, envelope.from.address)) throw new ContentMismatchError(entry.type);
      if (auth.peerAddress !== undefined && !bytesEqual(auth.peerAddress, wire.value.sender)) {
        throw new SenderMismatchError(wire.value.sender, auth.peerAddress);
      }
      if (wire.kind === 'weak') {
        if (auth.observedIp === undefined) throw new DhtInputError('unsigned', 'weak envelope without an observed IP to check');
        const opened = openWeak(wire, { kind: entry.kind, clock: this.clock, observed: { ip: auth.observedIp }, options: this.options.weak });
        if (opened.ip !== envelope.from.ip || opened.port !== envelope.from.port || (opened.message as { rpcId: number }).rpcId !== envelope.rpcId) {
          throw new ContentMismatchError(entry.type);
        }
      } else {
        // Content and recipient first (cheap, stateless), so neither a mismatching nor a misdirected
        // envelope costs a signature recovery or enters the replay cache. The content check makes
        // envelope.to the signed recipient.
        if (!bytesEqual(encodeBody(envelope), wire.value.body)) throw new ContentMismatchError(entry.type);
        if (envelope.to === undefined || !bytesEqual(envelope.to, this.self)) throw new WrongRecipientError(envelope.to, this.self);
        openStrong(wire, { kind: entry.kind, clock: this.clock, replayGuard: this.replayGuard });
      }
      return null;
    } catch (error) {
      if (error instanceof BaseError) return this.refuse(error, wire.value.signature);
      return this.refuse(new DhtInputError('malformed', String(error)));
    }
  }

  private refuse(error: BaseError, signature?: Uint8Array): DropCode {
    this.lastError = error;
    this.refused[error.code] = (this.refused[error.code] ?? 0) + 1;
    return dropCodeOf(error, signature);
  }
}

// ---------------------------------------------------------------------------------------------
// Records

/** Signs a record as its publisher (`secretKey` must be the publisher's). */
export function signRecord(unsigned: Omit<DhtRecord, 'signature'>, secretKey: Uint8Array): DhtRecord {
  return { ...unsigned, signature: signWithDomain(DHT_DOMAINS.record, recordSigningPayload(unsigned), secretKey) };
}

/** Signs a provider record as the provider (`secretKey` must be the provider contact's). */
export function signProvider(unsigned: Omit<ProviderRecord, 'signature'>, secretKey: Uint8Array): ProviderRecord {
  return { ...unsigned, signature: signWithDomain(DHT_DOMAINS.providerRecord, providerSigningPayload(unsigned), secretKey) };
}

function signedBy(domain: typeof DHT_DOMAINS.record, payload: () => Uint8Array, signature: Uint8Array, signer: Uint8Array): boolean {
  try {
    return bytesEqual(nodeAddressOf(recoverWithDomain(domain, payload(), signature)), signer);
  } catch (error) {
    if (error instanceof SignatureError || error instanceof WireError) return false;
    throw error;
  }
}

/** Records: signed by `publisher`; provider records: signed by the provider contact's address. */
export class SignedRecordVerifier implements RecordVerifier {
  verifyRecord(record: DhtRecord): boolean {
    return signedBy(DHT_DOMAINS.record, () => recordSigningPayload(record), record.signature, record.publisher);
  }
  verifyProvider(provider: ProviderRecord): boolean {
    return signedBy(DHT_DOMAINS.providerRecord, () => providerSigningPayload(provider), provider.signature, provider.provider.address);
  }
}

// ---------------------------------------------------------------------------------------------
// Puzzle

/** Static puzzle of the network's c1: keccak256(NodeAddress) has ≥ c1 leading zero bits. */
export function staticPuzzleChecker(c1: number): PuzzleChecker {
  assertDifficulty('c1', c1);
  return {
    isValid: (address) => address instanceof Uint8Array && address.length === 32 && staticPuzzleBits(address) >= c1,
  };
}
