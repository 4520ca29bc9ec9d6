/**
 * Weak envelopes (§2.1.2 "Weak signature"; docs/spec/wire.md §4.1): the signature covers only
 * the domain tag, the sender's IP and port, and a coarse time bucket, not the message body.
 * Used for PING/PONG and JOIN, where "complete message integrity is not deemed critical".
 *
 * A weak signature says "node N, listening at ip:port, spoke during this 5-minute bucket". It
 * can be replayed, but only from that same ip:port and only in the current or an adjacent
 * bucket, which is what the whitepaper accepts for liveness messages. The body is not
 * authenticated: weak kinds must carry nothing whose tampering matters.
 *
 * The receiver checks: envelope decodes and names the expected weak kind (WrongDomainError),
 * the signed IP (and port, when the transport can observe the listening port) equals what the
 * transport saw (AddressMismatchError), the bucket is within ±maxBucketSkew of now
 * (ExpiredError), the body decodes, and the signature recovers to `sender` (ForgedSignatureError).
 */
import type { Clock } from '../common/clock.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { bytesEqual } from '../common/bytes.ts';
import { signDigest } from '../crypto/signature.ts';
import { decode, encode, type CodecOptions } from './codec.ts';
import { assertKind, decodeEnvelope, encodeEnvelope, recoverSender, weakSigningDigest, type Envelope, type MessageKind, type Sender, type Signer } from './envelope.ts';
import { AddressMismatchError, ExpiredError } from './errors.ts';
import { ipFromBytes, ipToBytes } from './ip.ts';
import type { Infer, Schema } from './schema.ts';

/** Width of a weak time bucket in ms. A protocol constant: signer and verifier must agree. */
export const TIME_BUCKET_MS = 5 * 60_000;

export interface WeakEnvelopeOptions {
  /** How many buckets a weak envelope's bucket may differ from the receiver's current one. */
  maxBucketSkew: number;
}

export const DEFAULTS: WeakEnvelopeOptions = {
  // ±1 bucket: a message signed at 11:59:59 arriving at 12:00:01 is still accepted, and clocks
  // may differ by up to one bucket (5 min); a signature thus lives at most 10–15 minutes.
  maxBucketSkew: 1,
};

/** The bucket index of a time in ms: floor(ms / 300 000). */
export function timeBucketOf(ms: number): number {
  return Math.floor(ms / TIME_BUCKET_MS);
}

export interface SealWeakContext {
  signer: Signer;
  clock: Clock;
  /** The sender's own reachable IP (textual IPv4 or IPv6). */
  ip: string;
  /** The sender's listening port. */
  port: number;
  codec?: Partial<CodecOptions>;
}

export function sealWeak<S extends Schema>(kind: MessageKind<S>, message: Infer<S>, ctx: SealWeakContext): Uint8Array {
  if (kind.domain.scheme !== 'weak') throw new InvalidArgumentError('kind', `${kind.domain.tag} is not a weak domain`);
  if (!Number.isInteger(ctx.port) || ctx.port < 0 || ctx.port > 0xffff) throw new InvalidArgumentError('port', 'must be in [0, 65535]');
  const now = ctx.clock.now();
  if (!Number.isSafeInteger(now) || now < 0) throw new InvalidArgumentError('clock', 'now() must be a non-negative integer of ms');
  const body = encode(kind.schema, message, ctx.codec);
  const unsigned = { sender: ctx.signer.nodeAddress, ip: ipToBytes(ctx.ip), port: ctx.port, timeBucket: timeBucketOf(now) };
  const signature = signDigest(weakSigningDigest(kind.domain, unsigned), ctx.signer.secretKey);
  return encodeEnvelope({ kind: 'weak', value: { domain: kind.domain.tag, ...unsigned, body, signature } }, ctx.codec);
}

export interface OpenWeakContext<S extends Schema> {
  kind: MessageKind<S>;
  clock: Clock;
  /** The remote address the transport observed; `port` only when it is the peer's listening port. */
  observed: { ip: string; port?: number };
  options?: Partial<WeakEnvelopeOptions>;
  codec?: Partial<CodecOptions>;
}

export interface OpenedWeak<T> {
  message: T;
  sender: Sender;
  ip: string;
  port: number;
  timeBucket: number;
}

export function openWeak<S extends Schema>(input: Uint8Array | Envelope, ctx: OpenWeakContext<S>): OpenedWeak<Infer<S>> {
  const { maxBucketSkew } = { ...DEFAULTS, ...ctx.options };
  const envelope = input instanceof Uint8Array ? decodeEnvelope(input, ctx.codec) : input;
  assertKind(ctx.kind, envelope, 'weak');
  if (envelope.kind !== 'weak') throw new Error('unreachable');
  const env = envelope.value;
  const signedIp = ipFromBytes(env.ip);
  const observedIp = ipToBytes(ctx.observed.ip);
  if (!bytesEqual(env.ip, observedIp) || (ctx.observed.port !== undefined && ctx.observed.port !== env.port)) {
    const observed = ctx.observed.port === undefined ? ipFromBytes(observedIp) : `${ipFromBytes(observedIp)}:${ctx.observed.port}`;
    throw new AddressMismatchError(`${signedIp}:${env.port}`, observed);
  }
  const now = ctx.clock.now();
  const current = timeBucketOf(now);
  if (Math.abs(current - env.timeBucket) > maxBucketSkew) {
    throw new ExpiredError(`time bucket ${env.timeBucket} is not within ${maxBucketSkew} of the current bucket ${current}`, {
      timestamp: env.timeBucket * TIME_BUCKET_MS,
      now,
      windowMs: maxBucketSkew * TIME_BUCKET_MS,
    });
  }
  const message = decode(ctx.kind.schema, env.body, ctx.codec);
  const sender = recoverSender(env.domain, env.sender, weakSigningDigest(ctx.kind.domain, env), env.signature);
  return { message, sender, ip: signedIp, port: env.port, timeBucket: env.timeBucket };
}
