/**
 * Signing domains (§2.1.2, DESIGN.md §1.2): every signature covers a fixed tag naming the
 * message kind, so a signature made for one kind never verifies as another.
 *
 * Digest of a domain-separated payload (docs/spec/wire.md §3):
 *
 *   digest = keccak256( 0x19 ‖ 0x48 ‖ len(tag) (1 byte) ‖ tag (ASCII) ‖ payload )
 *
 * - 0x19 is EIP-191's prefix: no RLP transaction and no EIP-2718 typed transaction starts with
 *   it, so the same key's transaction signatures and ours can never collide. 0x48 ('H') is our
 *   version byte; EIP-712 uses 0x19 0x01 and personal_sign 0x19 0x45, so those differ too.
 * - the length byte makes (tag, payload) uniquely decodable: two different tags can never
 *   produce the same preimage, whatever the payloads.
 *
 * Tags are fixed ASCII strings `hyperspace/v<N>/<name>`. The list is open: each folder defines
 * its own kinds with `defineDomain` (the DHT in src/dht, the community server in src/hcs); a
 * tag defined twice in one process throws, which catches two modules picking the same name.
 */
import { BaseError, InvalidArgumentError } from '../common/errors.ts';
import { keccak256Concat } from './keccak.ts';
import { signDigest, recoverPublicKey } from './signature.ts';

/** How signatures under this domain are made (see src/wire): weak envelope, strong envelope, or a bare signature over a payload (records, receipts). */
export type DomainScheme = 'weak' | 'strong' | 'raw';

export interface Domain {
  readonly tag: string;
  readonly scheme: DomainScheme;
}

/** Tag grammar: `hyperspace/v<digits>/` then lower-case words separated by `-` or `/`. */
const TAG_RE = /^hyperspace\/v[0-9]+\/[a-z0-9]+(?:[-/][a-z0-9]+)*$/;
/** Longest tag in bytes; envelopes carry the tag, so keep it short (wire.md §4). */
export const MAX_TAG_LENGTH = 64;

const PREFIX = Uint8Array.of(0x19, 0x48);

export class DuplicateDomainError extends BaseError<{ tag: string }> {
  constructor(tag: string) {
    super('CRYPTO_DUPLICATE_DOMAIN', `signing domain ${tag} is already defined`, { details: { tag } });
  }
}

const registry = new Map<string, Domain>();
const encoder = new TextEncoder();
/** Pre-encoded `len ‖ tag` per domain, so hashing does not re-encode on every message. */
const tagBytes = new WeakMap<Domain, Uint8Array>();

/** Registers a new signing domain. Throws InvalidArgumentError for a malformed tag, DuplicateDomainError for a reused one. */
export function defineDomain(tag: string, scheme: DomainScheme): Domain {
  if (typeof tag !== 'string' || !TAG_RE.test(tag) || tag.length > MAX_TAG_LENGTH) {
    throw new InvalidArgumentError('domain tag', `must match ${TAG_RE} and be at most ${MAX_TAG_LENGTH} bytes`);
  }
  if (scheme !== 'weak' && scheme !== 'strong' && scheme !== 'raw') throw new InvalidArgumentError('domain scheme', String(scheme));
  if (registry.has(tag)) throw new DuplicateDomainError(tag);
  const domain: Domain = Object.freeze({ tag, scheme });
  registry.set(tag, domain);
  const bytes = encoder.encode(tag);
  const prefixed = new Uint8Array(1 + bytes.length);
  prefixed[0] = bytes.length;
  prefixed.set(bytes, 1);
  tagBytes.set(domain, prefixed);
  return domain;
}

/** The registered domain with this tag, or undefined (e.g. an envelope naming an unknown kind). */
export function lookupDomain(tag: string): Domain | undefined {
  return registry.get(tag);
}

/** Every registered domain (for docs and tests). */
export function allDomains(): Domain[] {
  return [...registry.values()];
}

/** keccak256(0x19 ‖ 0x48 ‖ len(tag) ‖ tag ‖ payload…): the digest every Hyperspace signature signs. */
export function domainDigest(domain: Domain, ...payload: Uint8Array[]): Uint8Array {
  const tag = tagBytes.get(domain);
  if (tag === undefined) throw new InvalidArgumentError('domain', 'not created by defineDomain');
  return keccak256Concat(PREFIX, tag, ...payload);
}

/** Signs a payload under a `raw` domain (records, claims): 65-byte r ‖ s ‖ v. */
export function signWithDomain(domain: Domain, payload: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return signDigest(domainDigest(domain, payload), secretKey);
}

/** The uncompressed public key that signed `payload` under `domain` (throws SignatureError when malformed). */
export function recoverWithDomain(domain: Domain, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return recoverPublicKey(domainDigest(domain, payload), signature);
}

/**
 * The foundation's kinds. Other folders add theirs with `defineDomain` next to their schemas
 * (e.g. `hyperspace/v1/dht/find-node` in src/dht, `hyperspace/v1/hcs/registry` in src/hcs).
 */
export const DOMAINS = {
  /** DHT liveness probe, weakly signed (§2.1.2: "PING messages for example"). */
  ping: defineDomain('hyperspace/v1/ping', 'weak'),
  /** Answer to a ping, weakly signed by the pinged node. */
  pong: defineDomain('hyperspace/v1/pong', 'weak'),
  /** HIN → HCS first contact, weakly signed (§2.2.3: "This message is weakly signed"). */
  join: defineDomain('hyperspace/v1/join', 'weak'),
  /** A generic strongly signed example message: tests, vectors, and a template for new kinds. */
  echo: defineDomain('hyperspace/v1/echo', 'strong'),
} as const;
