/**
 * DHT message kinds on the wire (whitepaper §1.1.2, §2.1.2; docs/dht-network.md §3): one signing
 * domain and one body schema per message type, in the canonical codec of src/wire.
 *
 * PING and PONG travel in weak envelopes (the signature covers sender, IP, port and a 5-minute
 * time bucket, not the body), so their body holds only the RPC id: the sender's contact comes from
 * the signed envelope fields. Every other kind travels in a strong envelope (whole body, nonce,
 * timestamp) and its body starts with the same header: the RPC id, the recipient's NodeAddress
 * (so a message signed for one node is refused by any other) and the sender's listening IP and
 * port. The sender's NodeAddress is never in the body: it is the envelope's `sender`, which
 * the signature binds, so a body cannot claim to come from someone else.
 *
 * Records and provider records are signed by their publisher under `raw` domains, over the
 * canonical encoding of every field but the signature.
 */
import { defineDomain } from '../crypto/domains.ts';
import { SIGNATURE_LENGTH } from '../crypto/signature.ts';
import { messageKind, type MessageKind } from '../wire/envelope.ts';
import { IP_LENGTH } from '../wire/ip.ts';
import { bool, bytes, list, optional, string, struct, u16, u32, u64, varBytes, type Infer } from '../wire/schema.ts';
import { DEFAULTS as DHT_DEFAULTS } from './defaults.ts';
import { ADDRESS_BYTES } from './node-id.ts';

/** The DHT's signing domains. Defined once per process here; nothing else may define these tags. */
export const DHT_DOMAINS = {
  ping: defineDomain('hyperspace/v1/dht/ping', 'weak'),
  pong: defineDomain('hyperspace/v1/dht/pong', 'weak'),
  findNode: defineDomain('hyperspace/v1/dht/find-node', 'strong'),
  findValue: defineDomain('hyperspace/v1/dht/find-value', 'strong'),
  store: defineDomain('hyperspace/v1/dht/store', 'strong'),
  addProvider: defineDomain('hyperspace/v1/dht/add-provider', 'strong'),
  getProviders: defineDomain('hyperspace/v1/dht/get-providers', 'strong'),
  nodes: defineDomain('hyperspace/v1/dht/nodes', 'strong'),
  value: defineDomain('hyperspace/v1/dht/value', 'strong'),
  stored: defineDomain('hyperspace/v1/dht/stored', 'strong'),
  providers: defineDomain('hyperspace/v1/dht/providers', 'strong'),
  /** A record's publisher signature (raw: over the encoded unsigned record). */
  record: defineDomain('hyperspace/v1/dht/record', 'raw'),
  /** A provider record's signature by the provider. */
  providerRecord: defineDomain('hyperspace/v1/dht/provider-record', 'raw'),
} as const;

// ---------------------------------------------------------------------------------------------
// Shared parts

/** A contact: NodeAddress, 16-byte IP (IPv4-mapped for IPv4), listening port. 50 bytes. */
export const WireContactSchema = struct({ address: bytes(ADDRESS_BYTES), ip: bytes(IP_LENGTH), port: u16 });
export type WireContact = Infer<typeof WireContactSchema>;

/** Longest namespace on the wire, bytes (the core's maxNamespaceLength; ASCII prefixes like "/hcs/"). */
export const MAX_NAMESPACE_BYTES = DHT_DEFAULTS.maxNamespaceLength;

const recordFields = {
  namespace: string(MAX_NAMESPACE_BYTES),
  name: varBytes(DHT_DEFAULTS.maxNameBytes),
  value: varBytes(DHT_DEFAULTS.maxValueBytes),
  publisher: bytes(ADDRESS_BYTES),
  /** Sequence number; newer replaces older. u64 on the wire, must be ≤ 2^53 − 1 to decode. */
  seq: u64,
  /** Absolute expiry, Unix ms; ≤ 2^53 − 1. */
  expiresAt: u64,
} as const;

/** What a publisher signs: the record without its signature. */
export const UnsignedRecordSchema = struct(recordFields);
export const WireRecordSchema = struct({ ...recordFields, signature: bytes(SIGNATURE_LENGTH) });
export type WireRecord = Infer<typeof WireRecordSchema>;

const providerFields = { key: bytes(ADDRESS_BYTES), provider: WireContactSchema, expiresAt: u64 } as const;
/** What a provider signs: the provider record without its signature. */
export const UnsignedProviderSchema = struct(providerFields);
export const WireProviderSchema = struct({ ...providerFields, signature: bytes(SIGNATURE_LENGTH) });
export type WireProvider = Infer<typeof WireProviderSchema>;

const MAX_CONTACTS = DHT_DEFAULTS.maxContactsPerResponse;
const MAX_PROVIDERS = DHT_DEFAULTS.maxProvidersPerResponse;

/** Header of every strongly signed DHT body: RPC id, recipient's NodeAddress, sender's listening IP and port. */
const header = { rpcId: u32, to: bytes(ADDRESS_BYTES), ip: bytes(IP_LENGTH), port: u16 } as const;

// ---------------------------------------------------------------------------------------------
// Bodies

export const PingBodySchema = struct({ rpcId: u32 });
export const PongBodySchema = struct({ rpcId: u32 });
export const FindNodeBodySchema = struct({ ...header, target: bytes(ADDRESS_BYTES) });
export const FindValueBodySchema = struct({ ...header, key: bytes(ADDRESS_BYTES) });
export const GetProvidersBodySchema = struct({ ...header, key: bytes(ADDRESS_BYTES) });
export const StoreBodySchema = struct({ ...header, record: WireRecordSchema });
export const AddProviderBodySchema = struct({ ...header, provider: WireProviderSchema });
export const NodesBodySchema = struct({ ...header, contacts: list(WireContactSchema, MAX_CONTACTS) });
export const ValueBodySchema = struct({ ...header, record: optional(WireRecordSchema), contacts: list(WireContactSchema, MAX_CONTACTS) });
export const StoredBodySchema = struct({ ...header, ok: bool });
export const ProvidersBodySchema = struct({
  ...header,
  providers: list(WireProviderSchema, MAX_PROVIDERS),
  contacts: list(WireContactSchema, MAX_CONTACTS),
});

/** Message type → its kind (domain + body schema) and whether it is a request. */
export const DHT_KINDS = {
  PING: { kind: messageKind(DHT_DOMAINS.ping, PingBodySchema), request: true },
  PONG: { kind: messageKind(DHT_DOMAINS.pong, PongBodySchema), request: false },
  FIND_NODE: { kind: messageKind(DHT_DOMAINS.findNode, FindNodeBodySchema), request: true },
  FIND_VALUE: { kind: messageKind(DHT_DOMAINS.findValue, FindValueBodySchema), request: true },
  STORE: { kind: messageKind(DHT_DOMAINS.store, StoreBodySchema), request: true },
  ADD_PROVIDER: { kind: messageKind(DHT_DOMAINS.addProvider, AddProviderBodySchema), request: true },
  GET_PROVIDERS: { kind: messageKind(DHT_DOMAINS.getProviders, GetProvidersBodySchema), request: true },
  NODES: { kind: messageKind(DHT_DOMAINS.nodes, NodesBodySchema), request: false },
  VALUE: { kind: messageKind(DHT_DOMAINS.value, ValueBodySchema), request: false },
  STORED: { kind: messageKind(DHT_DOMAINS.stored, StoredBodySchema), request: false },
  PROVIDERS: { kind: messageKind(DHT_DOMAINS.providers, ProvidersBodySchema), request: false },
} as const satisfies Record<string, { kind: MessageKind; request: boolean }>;

/**
 * The body types (DhtBody['type'] in messages.ts, which imports this file; wire-kinds.test.ts checks the two sets
 * are equal, so neither file imports the other's types in a cycle).
 */
export type DhtBodyType = keyof typeof DHT_KINDS;

const BY_TAG = new Map<string, { type: DhtBodyType; kind: MessageKind; request: boolean }>(
  Object.entries(DHT_KINDS).map(([type, v]) => [v.kind.domain.tag, { type: type as DhtBodyType, kind: v.kind, request: v.request }]),
);

/** The DHT kind an envelope's domain tag names, or undefined for any other tag. */
export function dhtKindOfTag(tag: string): { type: DhtBodyType; kind: MessageKind; request: boolean } | undefined {
  return BY_TAG.get(tag);
}
