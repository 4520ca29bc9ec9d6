/**
 * Certificates (whitepaper §2.2.1; docs/threshold.md §4): when k answers to a query agree, the agreeing members'
 * partial signatures are combined into one BLS threshold signature that any client verifies offline and
 * contracts/CommitteeRegistry.sol verifies on chain. This module is what the client SDK uses.
 *
 * Binary form (229 bytes, the bytes the contract reads):
 *
 *   version (1) = 1 ‖ receiptDigest (32) ‖ committeeId (32) ‖ keyId (u32 BE) ‖ signers (32, u256 BE) ‖ signature (128)
 *
 * `signers` is a bitmap: bit i−1 is member i (members 1..256). It names the agreeing members the certificate
 * speaks for, and it is signed: every partial signs
 *
 *   m = domainDigest('hyperspace/v1/certificate', bytes 0..100)   (keccak256(0x19 ‖ 0x48 ‖ 25 ‖ tag ‖ header))
 *
 * so flipping any bit of the header changes m, and flipping any bit of the signature breaks the pairing (or
 * its encoding). A certificate is valid when signers ⊆ 1..size, |signers| ≥ threshold, and the signature on m
 * verifies under the group key registered for (committeeId, keyId).
 */
import { bigIntToBytes, bytesToBigInt, concatBytes, fromHex, toHex } from '../common/bytes.ts';
import { defineDomain, domainDigest } from './domains.ts';
import { CertificateError, BlsEncodingError } from './bls/errors.ts';
import { decodeG2, encodeG1, G1_BYTES, type G2Point } from './bls/points.ts';
import { MAX_MEMBERS } from './bls/polynomial.ts';
import { checkPartials, tcombine, tsign, tverify, type KeyShare, type PartialSignature } from './bls/threshold.ts';

export const CERTIFICATE_DOMAIN = defineDomain('hyperspace/v1/certificate', 'raw');
export const CERTIFICATE_VERSION = 1;
/** Bytes covered by the signature: everything before it. */
export const CERTIFICATE_HEADER_BYTES = 1 + 32 + 32 + 4 + 32;
export const CERTIFICATE_BYTES = CERTIFICATE_HEADER_BYTES + G1_BYTES;

/** What the partials sign: everything but the signature. */
export interface CertificateHeader {
  /** EIP-712 digest of the agreed receipt (src/wire/query-receipt.ts). */
  readonly receiptDigest: Uint8Array;
  /** CommitteeRegistry's id: keccak256(abi.encode(owner, label)). */
  readonly committeeId: Uint8Array;
  /** Which of the committee's registered keys (1, 2, … one per DKG or key-changing reshare). */
  readonly keyId: number;
  /** Member indices (1-based) of the agreeing members. */
  readonly signers: readonly number[];
}

export interface Certificate extends CertificateHeader {
  /** 128-byte EIP-2537 G1 point. */
  readonly signature: Uint8Array;
}

/** A committee's public key as registered on chain. */
export interface GroupKeyInfo {
  /** 256-byte EIP-2537 G2 point, or already decoded. */
  readonly groupKey: Uint8Array | G2Point;
  readonly threshold: number;
  readonly size: number;
}

export function signersToBitmap(signers: readonly number[]): bigint {
  let bitmap = 0n;
  for (const i of signers) {
    if (!Number.isSafeInteger(i) || i < 1 || i > MAX_MEMBERS) throw new CertificateError('bad-signers', `index ${i} outside 1..${MAX_MEMBERS}`);
    const bit = 1n << BigInt(i - 1);
    if ((bitmap & bit) !== 0n) throw new CertificateError('bad-signers', `duplicate index ${i}`);
    bitmap |= bit;
  }
  return bitmap;
}

export function bitmapToSigners(bitmap: bigint): number[] {
  const out: number[] = [];
  for (let i = 1; bitmap > 0n; i++, bitmap >>= 1n) if ((bitmap & 1n) === 1n) out.push(i);
  return out;
}

function checkHeader(header: CertificateHeader): void {
  if (!(header.receiptDigest instanceof Uint8Array) || header.receiptDigest.length !== 32) throw new CertificateError('wrong-length', 'receiptDigest must be 32 bytes');
  if (!(header.committeeId instanceof Uint8Array) || header.committeeId.length !== 32) throw new CertificateError('wrong-length', 'committeeId must be 32 bytes');
  if (!Number.isSafeInteger(header.keyId) || header.keyId < 0 || header.keyId > 0xffff_ffff) throw new CertificateError('wrong-length', 'keyId must be a u32');
}

export function encodeHeader(header: CertificateHeader): Uint8Array {
  checkHeader(header);
  const keyId = new Uint8Array(4);
  new DataView(keyId.buffer).setUint32(0, header.keyId);
  return concatBytes(Uint8Array.of(CERTIFICATE_VERSION), header.receiptDigest, header.committeeId, keyId, bigIntToBytes(signersToBitmap(header.signers), 32));
}

/** m, the 32 bytes each partial signs (before hashing to G1). */
export function certificateMessage(header: CertificateHeader): Uint8Array {
  return domainDigest(CERTIFICATE_DOMAIN, encodeHeader(header));
}

export function encodeCertificate(certificate: Certificate): Uint8Array {
  if (!(certificate.signature instanceof Uint8Array) || certificate.signature.length !== G1_BYTES) throw new CertificateError('wrong-length', `signature must be ${G1_BYTES} bytes`);
  return concatBytes(encodeHeader(certificate), certificate.signature);
}

/** Parses the 229-byte form. The signature's point is not decoded here (verifyCertificate does it). */
export function decodeCertificate(bytes: Uint8Array): Certificate {
  if (!(bytes instanceof Uint8Array) || bytes.length !== CERTIFICATE_BYTES) throw new CertificateError('wrong-length', `expected ${CERTIFICATE_BYTES} bytes, got ${bytes?.length}`);
  if (bytes[0] !== CERTIFICATE_VERSION) throw new CertificateError('bad-version', String(bytes[0]));
  return {
    receiptDigest: bytes.slice(1, 33),
    committeeId: bytes.slice(33, 65),
    keyId: new DataView(bytes.buffer, bytes.byteOffset + 65, 4).getUint32(0),
    signers: bitmapToSigners(bytesToBigInt(bytes.subarray(69, 101))),
    signature: bytes.slice(101, CERTIFICATE_BYTES),
  };
}

/** A member's partial signature for a certificate header. */
export function signCertificate(share: KeyShare, header: CertificateHeader): PartialSignature {
  return tsign(share, certificateMessage(header));
}

export interface FormedCertificate {
  certificate: Certificate;
  /** Members whose partials were refused, with why (they are still named in `signers` if they agreed). */
  refused: { index: number; reason: string }[];
}

/**
 * tcombine for a certificate: keeps the partials of named signers that verify against their public shares,
 * combines `threshold` of them. Throws ThresholdError('too-few-partials') when fewer than threshold are valid.
 */
export function formCertificate(
  header: CertificateHeader,
  partials: readonly PartialSignature[],
  group: { threshold: number; publicShare: (index: number) => G2Point | undefined },
): FormedCertificate {
  const named = new Set(header.signers);
  const message = certificateMessage(header);
  const { valid, invalid } = checkPartials(partials, message, (i) => (named.has(i) ? group.publicShare(i) : undefined));
  const signature = encodeG1(tcombine(valid, group.threshold), 'signature');
  return { certificate: { ...header, signers: [...header.signers].sort((a, b) => a - b), signature }, refused: invalid };
}

export type CertificateVerdict =
  | { valid: true }
  | { valid: false; reason: 'key-mismatch' | 'signers-out-of-range' | 'too-few-signers' | 'bad-signature' | 'malformed-signature'; detail?: string };

/**
 * Verifies a certificate against a group key (given, or read from CommitteeRegistry by the caller). The
 * caller is responsible for `key` being the key registered for (committeeId, keyId).
 */
export function verifyCertificate(certificate: Certificate, key: GroupKeyInfo): CertificateVerdict {
  const groupKey = key.groupKey instanceof Uint8Array ? decodeG2(key.groupKey, 'group key') : key.groupKey;
  if (certificate.signers.some((i) => i < 1 || i > key.size)) return { valid: false, reason: 'signers-out-of-range' };
  if (certificate.signers.length < key.threshold) {
    return { valid: false, reason: 'too-few-signers', detail: `${certificate.signers.length} < ${key.threshold}` };
  }
  try {
    return tverify(certificate.signature, certificateMessage(certificate), groupKey) ? { valid: true } : { valid: false, reason: 'bad-signature' };
  } catch (error) {
    if (error instanceof BlsEncodingError) return { valid: false, reason: 'malformed-signature', detail: error.details.reason };
    throw error;
  }
}

/** JSON view (CLI, files): hex bytes, signers as a list, plus the 229-byte encoding. */
export function certificateToJson(certificate: Certificate): Record<string, unknown> {
  return {
    version: CERTIFICATE_VERSION,
    receiptDigest: toHex(certificate.receiptDigest),
    committeeId: toHex(certificate.committeeId),
    keyId: certificate.keyId,
    signers: [...certificate.signers],
    signature: toHex(certificate.signature),
    encoded: toHex(encodeCertificate(certificate)),
  };
}

/**
 * Reads a certificate from text: a 0x-hex string of the 229-byte form, or JSON — either a string of that
 * hex, or an object with `encoded`, or one with the fields (in which case `encoded`, if present, must agree).
 * `hyperspace infer --json` output with a `certificate` field is accepted too.
 */
export function parseCertificateText(text: string): Certificate {
  const trimmed = text.trim();
  if (trimmed.length > 64 * 1024) throw new CertificateError('bad-json', 'more than 64 KiB');
  if (/^(0x)?[0-9a-fA-F]+$/.test(trimmed)) return decodeCertificate(hexOrThrow(trimmed));
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (cause) {
    throw new CertificateError('bad-json', 'neither hex nor JSON', cause);
  }
  if (typeof json === 'string') return decodeCertificate(hexOrThrow(json));
  if (json === null || typeof json !== 'object') throw new CertificateError('bad-json', 'expected an object');
  const obj = ('certificate' in json ? (json as { certificate: unknown }).certificate : json) as Record<string, unknown>;
  if (obj === null || typeof obj !== 'object') throw new CertificateError('bad-json', 'certificate must be an object');
  if (typeof obj.encoded === 'string') {
    const decoded = decodeCertificate(hexOrThrow(obj.encoded));
    if ('signature' in obj && typeof obj.signature === 'string' && obj.signature.toLowerCase() !== toHex(decoded.signature)) {
      throw new CertificateError('bad-json', 'fields disagree with `encoded`');
    }
    return decoded;
  }
  const { receiptDigest, committeeId, keyId, signers, signature } = obj;
  if (typeof receiptDigest !== 'string' || typeof committeeId !== 'string' || typeof signature !== 'string' || typeof keyId !== 'number' || !Array.isArray(signers)) {
    throw new CertificateError('bad-json', 'expected receiptDigest, committeeId, keyId, signers, signature');
  }
  if (!signers.every((s) => typeof s === 'number')) throw new CertificateError('bad-signers', 'signers must be numbers');
  const certificate: Certificate = {
    receiptDigest: hexOrThrow(receiptDigest, 32),
    committeeId: hexOrThrow(committeeId, 32),
    keyId,
    signers: signers as number[],
    signature: hexOrThrow(signature, G1_BYTES),
  };
  return decodeCertificate(encodeCertificate(certificate)); // one canonical path: range checks and sorted signers
}

function hexOrThrow(hex: string, length?: number): Uint8Array {
  try {
    return fromHex(hex, length);
  } catch (cause) {
    throw new CertificateError('wrong-length', 'bad hex', cause);
  }
}

