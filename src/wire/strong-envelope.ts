/**
 * Strong envelopes (§2.1.2 "Strong Signature"; docs/spec/wire.md §4.2): the signature covers
 * the domain tag, the whole encoded message, a 16-byte random nonce and a timestamp in ms.
 * The receiver checks, in this order (cheap checks first, state last):
 *   1. envelope decodes, is strong, and names the expected kind      → WireDecodeError / WrongDomainError
 *   2. |now − timestampMs| ≤ window and above the replay floor      → ExpiredError
 *   3. the body decodes under the kind's schema                      → WireDecodeError
 *   4. the signature recovers to a key whose NodeAddress is `sender`  → ForgedSignatureError
 *   5. (sender, nonce) not seen within the window                     → ReplayedError
 * Only a message that passed 1–4 is recorded by the replay guard.
 */
import type { Clock, Random } from '../common/clock.ts';
import { signDigest } from '../crypto/signature.ts';
import { encode, decode, type CodecOptions } from './codec.ts';
import {
  assertKind,
  decodeEnvelope,
  encodeEnvelope,
  NONCE_LENGTH,
  recoverSender,
  strongSigningDigest,
  type Envelope,
  type MessageKind,
  type Sender,
  type Signer,
} from './envelope.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import type { ReplayGuard } from './replay-guard.ts';
import type { Infer, Schema } from './schema.ts';

export interface SealStrongContext {
  signer: Signer;
  clock: Clock;
  random: Random;
  codec?: Partial<CodecOptions>;
}

/** Encodes `message` as `kind`, signs it with a fresh nonce and the clock's time, returns the envelope bytes. */
export function sealStrong<S extends Schema>(kind: MessageKind<S>, message: Infer<S>, ctx: SealStrongContext): Uint8Array {
  if (kind.domain.scheme !== 'strong') throw new InvalidArgumentError('kind', `${kind.domain.tag} is not a strong domain`);
  const body = encode(kind.schema, message, ctx.codec);
  const nonce = ctx.random.bytes(NONCE_LENGTH);
  const now = ctx.clock.now();
  if (!Number.isSafeInteger(now) || now < 0) throw new InvalidArgumentError('clock', 'now() must be a non-negative integer of ms');
  const unsigned = { sender: ctx.signer.nodeAddress, nonce, timestampMs: BigInt(now), body };
  const signature = signDigest(strongSigningDigest(kind.domain, unsigned), ctx.signer.secretKey);
  return encodeEnvelope({ kind: 'strong', value: { domain: kind.domain.tag, ...unsigned, signature } }, ctx.codec);
}

export interface OpenStrongContext<S extends Schema> {
  kind: MessageKind<S>;
  clock: Clock;
  replayGuard: ReplayGuard;
  codec?: Partial<CodecOptions>;
}

export interface OpenedStrong<T> {
  message: T;
  sender: Sender;
  nonce: Uint8Array;
  timestampMs: number;
}

/**
 * Verifies a strong envelope (bytes, or already parsed by decodeEnvelope) and returns the
 * message and its sender. Throws WireDecodeError, WrongDomainError, ExpiredError,
 * ForgedSignatureError or ReplayedError.
 */
export function openStrong<S extends Schema>(input: Uint8Array | Envelope, ctx: OpenStrongContext<S>): OpenedStrong<Infer<S>> {
  const envelope = input instanceof Uint8Array ? decodeEnvelope(input, ctx.codec) : input;
  assertKind(ctx.kind, envelope, 'strong');
  if (envelope.kind !== 'strong') throw new Error('unreachable');
  const env = envelope.value;
  const now = ctx.clock.now();
  // u64 beyond 2^53 cannot be a real time: Number() loses precision and checkFresh refuses it.
  const timestampMs = env.timestampMs > BigInt(Number.MAX_SAFE_INTEGER) ? Number.NaN : Number(env.timestampMs);
  ctx.replayGuard.checkFresh(timestampMs, now);
  const message = decode(ctx.kind.schema, env.body, ctx.codec);
  const sender = recoverSender(env.domain, env.sender, strongSigningDigest(ctx.kind.domain, env), env.signature);
  ctx.replayGuard.admit(env.sender, env.nonce, timestampMs, now);
  return { message, sender, nonce: env.nonce, timestampMs };
}
