/**
 * DHT messages as plain typed objects (whitepaper §1.1.2, §2.1.2).
 *
 * The pure core speaks these shapes; the codec layer (wire-codec.ts, on src/wire)
 * encodes them and wraps them in envelopes: PING/PONG carry a weak signature
 * (IP, port, coarse timestamp), every other kind a strong one (whole message,
 * nonce, timestamp). The core sees that authentication only as the opaque `auth`
 * field, checked by an injected EnvelopeVerifier. `validateEnvelope` is the
 * boundary check for objects that did not come out of the schema codec (the
 * in-memory network, tests): shapes, lengths and counts, with typed errors.
 * `encodedEnvelopeBytes` gives the exact sealed size of a message without encoding
 * it, for the byte counters (the simulator's bandwidth figures).
 */
import { StrongEnvelopeSchema, WeakEnvelopeSchema } from '../wire/envelope.ts';
import { isIp } from '../wire/ip.ts';
import { minEncodedSize } from '../wire/schema.ts';
import { DhtInputError } from './errors.ts';
import { ADDRESS_BYTES, type NodeAddress } from './node-id.ts';
import type { DhtOptions } from './defaults.ts';
import { DHT_KINDS, WireContactSchema, WireProviderSchema, WireRecordSchema } from './wire-kinds.ts';

/** How to reach a node. The same object may be shared by many tables: treat as immutable. */
export interface ContactInfo {
  readonly address: NodeAddress;
  /** Dotted IPv4 or IPv6 text. */
  readonly ip: string;
  readonly port: number;
}

/** A value signed by its publisher; its DHT key is keccak256(utf8(namespace) ‖ name). */
export interface DhtRecord {
  readonly namespace: string;
  readonly name: Uint8Array;
  readonly value: Uint8Array;
  /** NodeAddress of the signer. */
  readonly publisher: NodeAddress;
  /** Newer records (higher seq) replace older ones. */
  readonly seq: number;
  /** Absolute expiry, ms since the epoch. */
  readonly expiresAt: number;
  /** Publisher's signature over the record (opaque to the core; checked by RecordVerifier). */
  readonly signature: Uint8Array;
}

/** "provider can serve key", signed by the provider. */
export interface ProviderRecord {
  readonly key: Uint8Array;
  readonly provider: ContactInfo;
  readonly expiresAt: number;
  readonly signature: Uint8Array;
}

export type DhtRequest =
  | { readonly type: 'PING' }
  | { readonly type: 'FIND_NODE'; readonly target: Uint8Array }
  | { readonly type: 'FIND_VALUE'; readonly key: Uint8Array }
  | { readonly type: 'STORE'; readonly record: DhtRecord }
  | { readonly type: 'ADD_PROVIDER'; readonly provider: ProviderRecord }
  | { readonly type: 'GET_PROVIDERS'; readonly key: Uint8Array };

export type DhtResponse =
  | { readonly type: 'PONG' }
  | { readonly type: 'NODES'; readonly contacts: readonly ContactInfo[] }
  | { readonly type: 'VALUE'; readonly record: DhtRecord | null; readonly contacts: readonly ContactInfo[] }
  | { readonly type: 'STORED'; readonly ok: boolean }
  | { readonly type: 'PROVIDERS'; readonly providers: readonly ProviderRecord[]; readonly contacts: readonly ContactInfo[] };

export type DhtBody = DhtRequest | DhtResponse;

export const REQUEST_TYPES = ['PING', 'FIND_NODE', 'FIND_VALUE', 'STORE', 'ADD_PROVIDER', 'GET_PROVIDERS'] as const;
export const RESPONSE_TYPES = ['PONG', 'NODES', 'VALUE', 'STORED', 'PROVIDERS'] as const;

export interface DhtEnvelope {
  readonly kind: 'request' | 'response';
  /** u32 chosen by the requester; the response echoes it. */
  readonly rpcId: number;
  readonly from: ContactInfo;
  /**
   * The recipient's NodeAddress, for strong (signed-body) kinds: set by the wire signer from the
   * `to` it is given and bound into the signature, so a message signed for node A is refused by
   * node B. Absent in the simulator (nothing is signed) and on weak PING/PONG.
   */
  readonly to?: NodeAddress;
  readonly body: DhtBody;
  /** Signature material added by the wire layer (weak for PING/PONG, strong otherwise); opaque here. */
  readonly auth?: unknown;
}

/** PING/PONG use the weak signature; everything else the strong one (§2.1.2). */
export function needsStrongSignature(body: DhtBody): boolean {
  return body.type !== 'PING' && body.type !== 'PONG';
}

// ---------------------------------------------------------------------------------------------
// Boundary validation

function fail(reason: string): never {
  throw new DhtInputError('malformed', reason);
}

function isBytes(x: unknown, length?: number): x is Uint8Array {
  return x instanceof Uint8Array && (length === undefined || x.length === length);
}

function checkAddress(x: unknown, what: string): void {
  if (!isBytes(x, ADDRESS_BYTES)) fail(`${what} must be ${ADDRESS_BYTES} bytes`);
}

/**
 * Frozen contacts that already passed validation: the in-memory network and the
 * simulator share one frozen ContactInfo per node, so each is checked once. Objects
 * fresh from a decoder are never in here, so production always checks.
 */
const validatedContacts = new WeakSet<object>();

export function validateContact(x: unknown, what = 'contact'): asserts x is ContactInfo {
  if (typeof x !== 'object' || x === null) fail(`${what} must be an object`);
  if (validatedContacts.has(x)) return;
  const c = x as Record<string, unknown>;
  checkAddress(c.address, `${what}.address`);
  if (typeof c.ip !== 'string' || c.ip.length === 0 || c.ip.length > 45) fail(`${what}.ip must be an IP string`);
  if (!isIp(c.ip)) fail(`${what}.ip is neither IPv4 nor IPv6`);
  if (typeof c.port !== 'number' || !Number.isInteger(c.port) || c.port < 0 || c.port > 65535) fail(`${what}.port out of range`);
  // Typed-array contents cannot be frozen; the address length was checked above and the
  // simulator never mutates addresses, which is all this cache relies on.
  if (Object.isFrozen(x)) validatedContacts.add(x);
}

function checkContacts(x: unknown, limits: DhtOptions): void {
  if (!Array.isArray(x)) fail('contacts must be an array');
  if (x.length > limits.maxContactsPerResponse) throw new DhtInputError('oversized', `${x.length} contacts > ${limits.maxContactsPerResponse}`);
  for (const c of x) validateContact(c);
}

function checkTime(x: unknown, what: string): void {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) fail(`${what} must be a non-negative integer`);
}

export function validateRecordShape(x: unknown, limits: DhtOptions): asserts x is DhtRecord {
  if (typeof x !== 'object' || x === null) fail('record must be an object');
  const r = x as Record<string, unknown>;
  if (typeof r.namespace !== 'string' || r.namespace.length === 0 || r.namespace.length > limits.maxNamespaceLength) fail('record.namespace');
  if (!isBytes(r.name) || r.name.length > limits.maxNameBytes) fail('record.name');
  if (!isBytes(r.value)) fail('record.value must be bytes');
  if (r.value.length > limits.maxValueBytes) throw new DhtInputError('oversized', `record value ${r.value.length} B > ${limits.maxValueBytes}`);
  checkAddress(r.publisher, 'record.publisher');
  checkTime(r.seq, 'record.seq');
  checkTime(r.expiresAt, 'record.expiresAt');
  if (!isBytes(r.signature) || r.signature.length > 128) fail('record.signature');
}

export function validateProviderShape(x: unknown): asserts x is ProviderRecord {
  if (typeof x !== 'object' || x === null) fail('provider must be an object');
  const p = x as Record<string, unknown>;
  checkAddress(p.key, 'provider.key');
  validateContact(p.provider, 'provider.provider');
  checkTime(p.expiresAt, 'provider.expiresAt');
  if (!isBytes(p.signature) || p.signature.length > 128) fail('provider.signature');
}

/**
 * Check an untrusted object is a well-formed envelope within the size limits.
 * `encodedBytes`, when the transport knows it, is checked against maxMessageBytes.
 */
export function validateEnvelope(x: unknown, limits: DhtOptions, encodedBytes?: number): DhtEnvelope {
  if (encodedBytes !== undefined && encodedBytes > limits.maxMessageBytes) {
    throw new DhtInputError('oversized', `${encodedBytes} B > ${limits.maxMessageBytes}`);
  }
  if (typeof x !== 'object' || x === null) fail('envelope must be an object');
  const e = x as Record<string, unknown>;
  if (e.kind !== 'request' && e.kind !== 'response') fail('envelope.kind');
  if (typeof e.rpcId !== 'number' || !Number.isInteger(e.rpcId) || e.rpcId < 0 || e.rpcId > 0xffffffff) fail('envelope.rpcId');
  validateContact(e.from, 'envelope.from');
  if (e.to !== undefined) checkAddress(e.to, 'envelope.to');
  const b = e.body as Record<string, unknown> | null;
  if (typeof b !== 'object' || b === null || typeof b.type !== 'string') fail('envelope.body');
  const isRequest = (REQUEST_TYPES as readonly string[]).includes(b.type);
  const isResponse = (RESPONSE_TYPES as readonly string[]).includes(b.type);
  if (e.kind === 'request' ? !isRequest : !isResponse) fail(`body type ${b.type} in a ${e.kind}`);
  switch (b.type) {
    case 'PING':
    case 'PONG':
      break;
    case 'FIND_NODE':
      checkAddress(b.target, 'target');
      break;
    case 'FIND_VALUE':
    case 'GET_PROVIDERS':
      checkAddress(b.key, 'key');
      break;
    case 'STORE':
      validateRecordShape(b.record, limits);
      break;
    case 'ADD_PROVIDER':
      validateProviderShape(b.provider);
      break;
    case 'NODES':
      checkContacts(b.contacts, limits);
      break;
    case 'VALUE':
      checkContacts(b.contacts, limits);
      if (b.record !== null) validateRecordShape(b.record, limits);
      break;
    case 'STORED':
      if (typeof b.ok !== 'boolean') fail('STORED.ok');
      break;
    case 'PROVIDERS':
      checkContacts(b.contacts, limits);
      if (!Array.isArray(b.providers)) fail('providers must be an array');
      if (b.providers.length > limits.maxProvidersPerResponse) throw new DhtInputError('oversized', 'too many providers');
      for (const p of b.providers) validateProviderShape(p);
      break;
  }
  return x as unknown as DhtEnvelope;
}

// ---------------------------------------------------------------------------------------------
// Encoded size: exactly what sealDhtEnvelope (wire-codec.ts) puts on the wire, by arithmetic.
//
// Layout (src/wire/codec.ts, envelope.ts; wire-kinds.ts), fixed integers big-endian, lengths and
// counts LEB128 varints (1 byte below 128, 2 below 16,384):
//
//   envelope = union tag (1) ‖ varint(len tag) ‖ domain tag (ASCII, 22–31 B) ‖ fields ‖ varint(len body) ‖ body ‖ signature (65)
//     weak   fields (PING, PONG): sender 32 ‖ ip 16 ‖ port 2 ‖ timeBucket 4                       → 121 B + tag + body
//     strong fields (the rest):   sender 32 ‖ nonce 16 ‖ timestampMs 8                            → 123 B + tag + body
//   weak body   = rpcId 4
//   strong body = rpcId 4 ‖ to 32 ‖ ip 16 ‖ port 2 (54 B header) ‖ the type's fields:
//     FIND_NODE / FIND_VALUE / GET_PROVIDERS: 32-byte target or key
//     STORE: record;  ADD_PROVIDER: provider (155 B);  STORED: ok (1)
//     NODES: varint(n) ‖ n contacts (50 B: address 32 ‖ ip 16 ‖ port 2)
//     VALUE: optional record (0x00, or 0x01 ‖ record) ‖ varint(n) ‖ n contacts
//     PROVIDERS: varint(p) ‖ p providers ‖ varint(n) ‖ n contacts
//   record   = varint ‖ namespace (UTF-8) ‖ varint ‖ name ‖ varint ‖ value ‖ publisher 32 ‖ seq 8 ‖ expiresAt 8 ‖ signature 65
//   provider = key 32 ‖ contact 50 ‖ expiresAt 8 ‖ signature 65
//
// So a FIND_NODE request is 237 B, a NODES answer with 16 contacts 1,003 B, a PING 148 B.
// The fixed parts below are read from the schemas themselves (minEncodedSize counts each varint
// prefix as one byte with empty content), so they follow the codec; messages-size.test.ts seals
// random messages with the real codec and checks this function against every one of them.
// Not counted: the transport's framing (libp2p length prefix, Noise and Yamux overhead).

/** Bytes of the minimal LEB128 varint of n (n ≤ 2³² − 1), as the codec writes lengths and counts. */
function varintBytes(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x20_0000 ? 3 : n < 0x1000_0000 ? 4 : 5;
}

/** UTF-8 byte length of a string without encoding it (a lone surrogate counts as U+FFFD, 3 bytes). */
function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Envelope bytes around the body (all but varint(len body) and the body), and the body's fixed part. */
interface KindSize {
  readonly envelope: number;
  readonly body: number;
}

function kindSize(type: DhtBody['type']): KindSize {
  const { kind } = DHT_KINDS[type];
  const fields = kind.domain.scheme === 'weak' ? WeakEnvelopeSchema : StrongEnvelopeSchema;
  const tag = utf8Bytes(kind.domain.tag);
  // minEncodedSize(fields) counts the domain and the body as empty: one zero-length byte each.
  return { envelope: UNION_TAG_BYTES + minEncodedSize(fields) - 2 + varintBytes(tag) + tag, body: minEncodedSize(kind.schema) };
}

/** The envelope union's u8 variant tag (0x01 weak, 0x02 strong). */
const UNION_TAG_BYTES = 1;
const SIZE = {
  PING: kindSize('PING'),
  PONG: kindSize('PONG'),
  FIND_NODE: kindSize('FIND_NODE'),
  FIND_VALUE: kindSize('FIND_VALUE'),
  GET_PROVIDERS: kindSize('GET_PROVIDERS'),
  STORE: kindSize('STORE'),
  ADD_PROVIDER: kindSize('ADD_PROVIDER'),
  NODES: kindSize('NODES'),
  VALUE: kindSize('VALUE'),
  STORED: kindSize('STORED'),
  PROVIDERS: kindSize('PROVIDERS'),
} as const satisfies Record<DhtBody['type'], KindSize>;

/** A contact (50 B) and a provider record (155 B): fixed-size structs. */
const CONTACT_BYTES = minEncodedSize(WireContactSchema);
const PROVIDER_BYTES = minEncodedSize(WireProviderSchema);
/** A record with empty namespace, name and value (116 B; one length byte each). */
const RECORD_MIN_BYTES = minEncodedSize(WireRecordSchema);

/** Bytes a record's variable fields add to RECORD_MIN_BYTES. The signature is always 65 B on the wire. */
function recordExtraBytes(r: DhtRecord): number {
  const ns = utf8Bytes(r.namespace);
  const name = r.name.length;
  const value = r.value.length;
  return ns + varintBytes(ns) - 1 + name + varintBytes(name) - 1 + value + varintBytes(value) - 1;
}

/** Whole envelope bytes for a kind whose body is `extra` bytes longer than its fixed part. */
function sealedBytes(k: KindSize, extra: number): number {
  const body = k.body + extra;
  return k.envelope + varintBytes(body) + body;
}

/** Bytes of a list of `n` items of `item` bytes beyond the one count byte minEncodedSize already holds. */
function listExtraBytes(n: number, item: number): number {
  return varintBytes(n) - 1 + n * item;
}

/**
 * The exact length, in bytes, of `sealDhtEnvelope(e, …)` (weak envelope for PING/PONG, strong
 * for the rest), by arithmetic only: no encoding, no allocation (the simulator calls this for
 * every message). Strong kinds count their 32-byte recipient even when `e.to` is unset (the
 * simulator signs nothing), and record and provider signatures count as the 65 bytes the wire
 * carries whatever `signature` holds. Transport framing is not included.
 */
export function encodedEnvelopeBytes(e: DhtEnvelope): number {
  const b = e.body;
  switch (b.type) {
    case 'PING':
      return sealedBytes(SIZE.PING, 0);
    case 'PONG':
      return sealedBytes(SIZE.PONG, 0);
    case 'FIND_NODE':
      return sealedBytes(SIZE.FIND_NODE, 0);
    case 'FIND_VALUE':
      return sealedBytes(SIZE.FIND_VALUE, 0);
    case 'GET_PROVIDERS':
      return sealedBytes(SIZE.GET_PROVIDERS, 0);
    case 'ADD_PROVIDER':
      return sealedBytes(SIZE.ADD_PROVIDER, 0);
    case 'STORED':
      return sealedBytes(SIZE.STORED, 0);
    case 'STORE':
      return sealedBytes(SIZE.STORE, recordExtraBytes(b.record));
    case 'NODES':
      return sealedBytes(SIZE.NODES, listExtraBytes(b.contacts.length, CONTACT_BYTES));
    case 'VALUE':
      return sealedBytes(
        SIZE.VALUE,
        listExtraBytes(b.contacts.length, CONTACT_BYTES) + (b.record === null ? 0 : RECORD_MIN_BYTES + recordExtraBytes(b.record)),
      );
    case 'PROVIDERS':
      return sealedBytes(SIZE.PROVIDERS, listExtraBytes(b.providers.length, PROVIDER_BYTES) + listExtraBytes(b.contacts.length, CONTACT_BYTES));
  }
}
