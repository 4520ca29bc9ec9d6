/**
 * DhtEnvelope ↔ bytes (whitepaper §1.1.2, §2.1.2; docs/dht-network.md §3). The pure core speaks
 * plain objects (messages.ts); on the network each message is one src/wire envelope whose domain
 * names the message type (wire-kinds.ts) and whose body is the canonical encoding of that type's
 * schema.
 *
 *   seal:  DhtEnvelope → body value → sealWeak (PING/PONG) or sealStrong (the rest) → bytes
 *   parse: bytes → decodeEnvelope → kind from the domain tag → body decode → DhtEnvelope
 *
 * `parseDhtEnvelope` does NOT check the signature: it produces an envelope whose `auth` carries
 * the decoded wire envelope, and the core's EnvelopeVerifier (wire-auth.ts) checks it, so every
 * refusal is counted in the core's stats. It throws only typed errors: WireError subclasses
 * (decode, unknown domain) or DhtInputError (a u64 beyond 2^53, an envelope kind mismatch).
 */
import type { Clock, Random } from '../common/clock.ts';
import { bytesEqual } from '../common/bytes.ts';
import { decode, encode, type CodecOptions } from '../wire/codec.ts';
import { decodeEnvelope, type Envelope, type Signer } from '../wire/envelope.ts';
import { WrongDomainError } from '../wire/errors.ts';
import { ipFromBytes, ipToBytes } from '../wire/ip.ts';
import { sealStrong } from '../wire/strong-envelope.ts';
import { sealWeak } from '../wire/weak-envelope.ts';
import type { Schema } from '../wire/schema.ts';
import { DEFAULTS as DHT_DEFAULTS } from './defaults.ts';
import { DhtInputError } from './errors.ts';
import type { ContactInfo, DhtBody, DhtEnvelope, DhtRecord, ProviderRecord } from './messages.ts';
import {
  DHT_KINDS,
  dhtKindOfTag,
  UnsignedProviderSchema,
  UnsignedRecordSchema,
  type WireContact,
  type WireProvider,
  type WireRecord,
} from './wire-kinds.ts';

/** Codec limit for a whole DHT envelope: the core's maxMessageBytes (16 KiB). */
export const DHT_CODEC: Partial<CodecOptions> = { maxMessageBytes: DHT_DEFAULTS.maxMessageBytes };

/** What the wire signer attaches to an outgoing envelope: the sealed bytes to put on the wire. */
export interface SealedAuth {
  readonly sealed: Uint8Array;
}

/** What `parseDhtEnvelope` attaches to an inbound envelope, for the verifier. */
export interface WireAuth {
  /** The decoded wire envelope (signature not yet checked). */
  readonly wire: Envelope;
  /** The remote IP the transport observed (weak signatures must match it). */
  readonly observedIp?: string;
  /** The NodeAddress the transport authenticated the peer as (libp2p Noise): must equal the sender. */
  readonly peerAddress?: Uint8Array;
}

export function isWireAuth(x: unknown): x is WireAuth {
  return typeof x === 'object' && x !== null && 'wire' in x;
}

export function isSealedAuth(x: unknown): x is SealedAuth {
  return typeof x === 'object' && x !== null && (x as SealedAuth).sealed instanceof Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Field conversions

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function toSafeNumber(v: bigint, what: string): number {
  if (v > MAX_SAFE) throw new DhtInputError('malformed', `${what} ${v} exceeds 2^53 − 1`);
  return Number(v);
}

export function contactToWire(c: ContactInfo): WireContact {
  return { address: c.address, ip: ipToBytes(c.ip), port: c.port };
}

export function contactFromWire(c: WireContact): ContactInfo {
  return { address: c.address, ip: ipFromBytes(c.ip), port: c.port };
}

export function recordToWire(r: DhtRecord): WireRecord {
  return {
    namespace: r.namespace,
    name: r.name,
    value: r.value,
    publisher: r.publisher,
    seq: BigInt(r.seq),
    expiresAt: BigInt(r.expiresAt),
    signature: r.signature,
  };
}

export function recordFromWire(r: WireRecord): DhtRecord {
  return {
    namespace: r.namespace,
    name: r.name,
    value: r.value,
    publisher: r.publisher,
    seq: toSafeNumber(r.seq, 'record.seq'),
    expiresAt: toSafeNumber(r.expiresAt, 'record.expiresAt'),
    signature: r.signature,
  };
}

export function providerToWire(p: ProviderRecord): WireProvider {
  return { key: p.key, provider: contactToWire(p.provider), expiresAt: BigInt(p.expiresAt), signature: p.signature };
}

export function providerFromWire(p: WireProvider): ProviderRecord {
  return { key: p.key, provider: contactFromWire(p.provider), expiresAt: toSafeNumber(p.expiresAt, 'provider.expiresAt'), signature: p.signature };
}

/** The bytes a publisher signs for a record: the canonical encoding of every field but the signature. */
export function recordSigningPayload(r: Omit<DhtRecord, 'signature'>): Uint8Array {
  return encode(UnsignedRecordSchema, {
    namespace: r.namespace,
    name: r.name,
    value: r.value,
    publisher: r.publisher,
    seq: BigInt(r.seq),
    expiresAt: BigInt(r.expiresAt),
  });
}

/** The bytes a provider signs: key, its contact, expiry. */
export function providerSigningPayload(p: Omit<ProviderRecord, 'signature'>): Uint8Array {
  return encode(UnsignedProviderSchema, { key: p.key, provider: contactToWire(p.provider), expiresAt: BigInt(p.expiresAt) });
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** The body value of `env` under its kind's schema (weak kinds: only the RPC id). */
export function bodyValueOf(env: DhtEnvelope): unknown {
  const b = env.body;
  if (b.type === 'PING' || b.type === 'PONG') return { rpcId: env.rpcId };
  // Strong kinds bind their recipient: without one there is nothing to sign.
  if (env.to === undefined) throw new DhtInputError('malformed', `${b.type} envelope without a recipient (envelope.to)`);
  const head = { rpcId: env.rpcId, to: env.to, ip: ipToBytes(env.from.ip), port: env.from.port };
  switch (b.type) {
    case 'FIND_NODE':
      return { ...head, target: b.target };
    case 'FIND_VALUE':
    case 'GET_PROVIDERS':
      return { ...head, key: b.key };
    case 'STORE':
      return { ...head, record: recordToWire(b.record) };
    case 'ADD_PROVIDER':
      return { ...head, provider: providerToWire(b.provider) };
    case 'NODES':
      return { ...head, contacts: b.contacts.map(contactToWire) };
    case 'VALUE':
      return b.record === null
        ? { ...head, contacts: b.contacts.map(contactToWire) }
        : { ...head, record: recordToWire(b.record), contacts: b.contacts.map(contactToWire) };
    case 'STORED':
      return { ...head, ok: b.ok };
    case 'PROVIDERS':
      return { ...head, providers: b.providers.map(providerToWire), contacts: b.contacts.map(contactToWire) };
  }
}

/** The canonical body bytes of `env` (what a strong signature covers; strong kinds need `env.to`). */
export function encodeBody(env: DhtEnvelope): Uint8Array {
  const { kind } = DHT_KINDS[env.body.type];
  return encode(kind.schema as Schema, bodyValueOf(env), DHT_CODEC);
}

function bodyFromValue(type: DhtBody['type'], v: any): DhtBody {
  switch (type) {
    case 'PING':
    case 'PONG':
      return { type };
    case 'FIND_NODE':
      return { type, target: v.target };
    case 'FIND_VALUE':
    case 'GET_PROVIDERS':
      return { type, key: v.key };
    case 'STORE':
      return { type, record: recordFromWire(v.record) };
    case 'ADD_PROVIDER':
      return { type, provider: providerFromWire(v.provider) };
    case 'NODES':
      return { type, contacts: (v.contacts as WireContact[]).map(contactFromWire) };
    case 'VALUE':
      return { type, record: v.record === undefined ? null : recordFromWire(v.record), contacts: (v.contacts as WireContact[]).map(contactFromWire) };
    case 'STORED':
      return { type, ok: v.ok };
    case 'PROVIDERS':
      return { type, providers: (v.providers as WireProvider[]).map(providerFromWire), contacts: (v.contacts as WireContact[]).map(contactFromWire) };
  }
}

// ---------------------------------------------------------------------------------------------
// Seal and parse

export interface SealContext {
  signer: Signer;
  clock: Clock;
  random: Random;
}

/**
 * Encodes and signs `env`: weak envelope for PING/PONG (signed IP and port = env.from's), strong
 * for the rest (the body, and so the signature, includes the recipient `env.to`, which strong
 * kinds must carry). `env.from.address` must be the signer's NodeAddress.
 */
export function sealDhtEnvelope(env: DhtEnvelope, ctx: SealContext): Uint8Array {
  if (!bytesEqual(env.from.address, ctx.signer.nodeAddress)) {
    throw new DhtInputError('malformed', 'envelope.from.address is not the signer’s NodeAddress');
  }
  const { kind, request } = DHT_KINDS[env.body.type];
  if (request !== (env.kind === 'request')) throw new DhtInputError('malformed', `${env.body.type} in a ${env.kind}`);
  const value = bodyValueOf(env) as never;
  if (kind.domain.scheme === 'weak') {
    return sealWeak(kind, value, { signer: ctx.signer, clock: ctx.clock, ip: env.from.ip, port: env.from.port, codec: DHT_CODEC });
  }
  return sealStrong(kind, value, { signer: ctx.signer, clock: ctx.clock, random: ctx.random, codec: DHT_CODEC });
}

export interface ParseContext {
  observedIp?: string;
  peerAddress?: Uint8Array;
}

/**
 * Decodes a DHT envelope from the wire WITHOUT verifying its signature (the verifier does that).
 * The result's `auth` is a WireAuth. Throws WireError subclasses or DhtInputError.
 */
export function parseDhtEnvelope(bytes: Uint8Array, ctx: ParseContext = {}): DhtEnvelope {
  const wire = decodeEnvelope(bytes, DHT_CODEC);
  const entry = dhtKindOfTag(wire.value.domain);
  if (entry === undefined) throw new WrongDomainError('DHT message', wire.value.domain);
  const scheme = entry.kind.domain.scheme;
  // A strong kind in a weak envelope has an unsigned body: refuse it as unsigned.
  if (wire.kind === 'weak' && scheme === 'strong') throw new DhtInputError('unsigned', `${entry.type} in a weak envelope (body not signed)`);
  if (wire.kind !== scheme) throw new WrongDomainError(`${scheme} ${wire.value.domain}`, `${wire.kind} ${wire.value.domain}`);
  const v = decode(entry.kind.schema as Schema, wire.value.body, DHT_CODEC) as any;
  const from: ContactInfo =
    wire.kind === 'weak'
      ? { address: wire.value.sender, ip: ipFromBytes(wire.value.ip), port: wire.value.port }
      : { address: wire.value.sender, ip: ipFromBytes(v.ip), port: v.port };
  const auth: WireAuth = {
    wire,
    ...(ctx.observedIp === undefined ? {} : { observedIp: ctx.observedIp }),
    ...(ctx.peerAddress === undefined ? {} : { peerAddress: ctx.peerAddress }),
  };
  const kind = entry.request ? 'request' : 'response';
  const body = bodyFromValue(entry.type, v);
  return wire.kind === 'weak' ? { kind, rpcId: v.rpcId, from, body, auth } : { kind, rpcId: v.rpcId, from, to: v.to, body, auth };
}
