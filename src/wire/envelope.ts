/**
 * Signed envelopes (§2.1.2, DESIGN.md §1.2; byte layouts in docs/spec/wire.md §4).
 *
 * Every message travels in one envelope; its first byte says which:
 *
 *   weak   (0x01): domain ‖ sender ‖ ip ‖ port ‖ timeBucket ‖ body ‖ signature
 *   strong (0x02): domain ‖ sender ‖ nonce ‖ timestampMs ‖ body ‖ signature
 *
 * `domain` names the message kind (crypto/domains.ts), `sender` is the claimed NodeAddress,
 * `body` the canonical encoding of the message. The public key is not carried: it is
 * recovered from the signature (as `ecrecover` does) and must hash to `sender`, else the
 * envelope is forged. That costs the same as a verification and saves 65 bytes per message.
 *
 * What is signed (digest = domainDigest(domain, payload), see domains.ts):
 *   weak:   payload = sender ‖ ip ‖ port ‖ timeBucket      (the body is NOT covered)
 *   strong: payload = sender ‖ nonce ‖ timestampMs ‖ varint(len body) ‖ body
 * i.e. the envelope's encoded fields from `sender` up to the signature, minus the weak body.
 */
import { InvalidArgumentError } from '../common/errors.ts';
import { domainDigest, lookupDomain, MAX_TAG_LENGTH, type Domain } from '../crypto/domains.ts';
import { recoverPublicKey, SignatureError, SIGNATURE_LENGTH } from '../crypto/signature.ts';
import { nodeAddressOf, publicKeyOf, NODE_ADDRESS_LENGTH } from '../identity/node-address.ts';
import { bytesEqual, toHex } from '../common/bytes.ts';
import { decode, encode, DEFAULTS as CODEC_DEFAULTS, type CodecOptions } from './codec.ts';
import { ForgedSignatureError, WrongDomainError } from './errors.ts';
import { bytes, string, struct, u16, u32, u64, union, varBytes, type Infer, type Schema } from './schema.ts';
import { IP_LENGTH } from './ip.ts';

export const NONCE_LENGTH = 16;

/** A message kind: the signing domain that names it and the schema of its body. */
export interface MessageKind<S extends Schema = Schema> {
  readonly domain: Domain;
  readonly schema: S;
}

export function messageKind<const S extends Schema>(domain: Domain, schema: S): MessageKind<S> {
  return Object.freeze({ domain, schema });
}

/** The signing side of an identity: its secret key and its NodeAddress (computed once). */
export interface Signer {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly nodeAddress: Uint8Array;
}

export function signerOf(secretKey: Uint8Array): Signer {
  const publicKey = publicKeyOf(secretKey);
  return Object.freeze({ secretKey, publicKey, nodeAddress: nodeAddressOf(publicKey) });
}

/** The verified sender of an opened envelope. */
export interface Sender {
  /** Uncompressed secp256k1 key recovered from the signature, 65 bytes. */
  readonly publicKey: Uint8Array;
  /** keccak256 of the key without 0x04, 32 bytes. */
  readonly nodeAddress: Uint8Array;
}

const Tag = string(MAX_TAG_LENGTH);
const Body = varBytes(CODEC_DEFAULTS.maxMessageBytes);

export const WeakEnvelopeSchema = struct({
  domain: Tag,
  sender: bytes(NODE_ADDRESS_LENGTH),
  ip: bytes(IP_LENGTH),
  port: u16,
  timeBucket: u32,
  body: Body,
  signature: bytes(SIGNATURE_LENGTH),
});

export const StrongEnvelopeSchema = struct({
  domain: Tag,
  sender: bytes(NODE_ADDRESS_LENGTH),
  nonce: bytes(NONCE_LENGTH),
  timestampMs: u64,
  body: Body,
  signature: bytes(SIGNATURE_LENGTH),
});

export const EnvelopeSchema = union({
  weak: [0x01, WeakEnvelopeSchema],
  strong: [0x02, StrongEnvelopeSchema],
});

export type WeakEnvelope = Infer<typeof WeakEnvelopeSchema>;
export type StrongEnvelope = Infer<typeof StrongEnvelopeSchema>;
export type Envelope = Infer<typeof EnvelopeSchema>;

/** The signed part of each envelope, as schemas (so the spec's byte layout is the codec's). */
const WeakSignedSchema = struct({ sender: bytes(NODE_ADDRESS_LENGTH), ip: bytes(IP_LENGTH), port: u16, timeBucket: u32 });
const StrongSignedSchema = struct({ sender: bytes(NODE_ADDRESS_LENGTH), nonce: bytes(NONCE_LENGTH), timestampMs: u64, body: Body });

/**
 * Parses an envelope without verifying it (a receiver reads `domain` to pick the kind, then
 * calls openWeak / openStrong). Throws WireDecodeError subclasses.
 */
export function decodeEnvelope(input: Uint8Array, options?: Partial<CodecOptions>): Envelope {
  return decode(EnvelopeSchema, input, options);
}

export function encodeEnvelope(envelope: Envelope, options?: Partial<CodecOptions>): Uint8Array {
  return encode(EnvelopeSchema, envelope, options);
}

export function weakSigningDigest(domain: Domain, env: Omit<WeakEnvelope, 'domain' | 'body' | 'signature'>): Uint8Array {
  return domainDigest(domain, encode(WeakSignedSchema, { sender: env.sender, ip: env.ip, port: env.port, timeBucket: env.timeBucket }));
}

export function strongSigningDigest(domain: Domain, env: Omit<StrongEnvelope, 'domain' | 'signature'>): Uint8Array {
  return domainDigest(
    domain,
    encode(StrongSignedSchema, { sender: env.sender, nonce: env.nonce, timestampMs: env.timestampMs, body: env.body }),
  );
}

/** Checks that the envelope is of `kind` and of the expected scheme; WrongDomainError otherwise. */
export function assertKind(kind: MessageKind, envelope: Envelope, scheme: 'weak' | 'strong'): void {
  if (kind.domain.scheme !== scheme) {
    throw new InvalidArgumentError('kind', `${kind.domain.tag} is a ${kind.domain.scheme} domain, not ${scheme}`);
  }
  if (envelope.kind !== scheme) throw new WrongDomainError(`${scheme} ${kind.domain.tag}`, `${envelope.kind} ${envelope.value.domain}`);
  if (envelope.value.domain !== kind.domain.tag || lookupDomain(envelope.value.domain) !== kind.domain) {
    throw new WrongDomainError(kind.domain.tag, envelope.value.domain);
  }
}

/**
 * Recovers the signer of `digest` and checks it hashes to the claimed `sender`.
 * Throws ForgedSignatureError (malformed signature, or another key).
 */
export function recoverSender(domainTag: string, claimed: Uint8Array, digest: Uint8Array, signature: Uint8Array): Sender {
  let publicKey: Uint8Array;
  try {
    publicKey = recoverPublicKey(digest, signature);
  } catch (error) {
    if (error instanceof SignatureError) throw new ForgedSignatureError(domainTag, toHex(claimed), error.details.reason, error);
    throw error;
  }
  const nodeAddress = nodeAddressOf(publicKey);
  if (!bytesEqual(nodeAddress, claimed)) {
    throw new ForgedSignatureError(domainTag, toHex(claimed), 'signature recovers to another key');
  }
  return { publicKey, nodeAddress };
}
