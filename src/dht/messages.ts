/**
 * DHT messages as plain typed objects (whitepaper §1.1.2, §2.1.2).
 *
 * The pure core speaks these shapes; a thin codec layer (src/wire, once it lands)
 * encodes them and wraps them in envelopes: PING/PONG carry a weak signature
 * (IP, port, coarse timestamp), every other kind a strong one (whole message,
 * nonce, timestamp). The core sees that authentication only as the opaque `auth`
 * field, checked by an injected EnvelopeVerifier. `validateEnvelope` is the
 * boundary check for objects that did not come out of the schema codec (the
 * in-memory network, tests): shapes, lengths and counts, with typed errors.
 */
import { DhtInputError } from './errors.ts';
import { ADDRESS_BYTES, type NodeAddress } from './node-id.ts';
import type { DhtOptions } from './defaults.ts';

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

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

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
  if (!IPV4.test(c.ip) && !c.ip.includes(':')) fail(`${what}.ip is neither IPv4 nor IPv6`);
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
// Wire-size model (until src/wire lands): used for the simulator's bandwidth figures.

/** Bytes of an encoded contact: 32-byte address, 16-byte IP (v4-mapped), 2-byte port, 2 bytes framing. */
const CONTACT_BYTES = 52;
/** Envelope overhead: kind, rpcId, sender contact, domain tag, length prefixes (≈ 64 B). */
const HEADER_BYTES = 64;
/** Weak auth: 65-byte recoverable signature + 8-byte coarse timestamp. */
const WEAK_AUTH_BYTES = 73;
/** Strong auth: 65-byte signature + 16-byte nonce + 8-byte timestamp. */
const STRONG_AUTH_BYTES = 89;

function recordBytes(r: DhtRecord): number {
  return 16 + r.namespace.length + r.name.length + r.value.length + 32 + 8 + 8 + r.signature.length;
}

/** Estimated encoded size of an envelope, bytes (a model, not the codec: see docs/dht.md). */
export function estimateEnvelopeBytes(e: DhtEnvelope): number {
  const b = e.body;
  let n = HEADER_BYTES + (needsStrongSignature(b) ? STRONG_AUTH_BYTES : WEAK_AUTH_BYTES);
  switch (b.type) {
    case 'FIND_NODE':
    case 'FIND_VALUE':
    case 'GET_PROVIDERS':
      n += 33;
      break;
    case 'STORE':
      n += recordBytes(b.record);
      break;
    case 'ADD_PROVIDER':
      n += 32 + CONTACT_BYTES + 8 + b.provider.signature.length;
      break;
    case 'NODES':
      n += 2 + CONTACT_BYTES * b.contacts.length;
      break;
    case 'VALUE':
      n += 2 + CONTACT_BYTES * b.contacts.length + (b.record ? recordBytes(b.record) : 1);
      break;
    case 'PROVIDERS':
      n += 4 + CONTACT_BYTES * b.contacts.length + b.providers.length * (32 + CONTACT_BYTES + 8 + 65);
      break;
    default:
      n += 1;
  }
  return n;
}
