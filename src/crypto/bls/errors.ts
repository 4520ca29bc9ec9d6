/**
 * Typed errors of the BLS12-381 threshold layer (whitepaper §2.2.1; docs/threshold.md).
 *
 * Every point, scalar, partial signature, certificate and DKG packet that arrives from the network, a
 * file or a user is untrusted: a bad one is one of these errors, never a crash and never a silent pass.
 *
 *   BlsError
 *   ├─ BlsEncodingError     a point or scalar that is not a canonical EIP-2537 encoding   BLS_BAD_ENCODING
 *   ├─ ThresholdError       a partial / signer set that cannot combine                    BLS_THRESHOLD
 *   ├─ CertificateError     a certificate that is malformed                               BLS_BAD_CERTIFICATE
 *   └─ DkgError             a DKG packet that must be refused                             DKG_*
 */
import { BaseError, type ErrorDetails } from '../../common/errors.ts';

export class BlsError<D extends ErrorDetails = ErrorDetails> extends BaseError<D> {}

export type EncodingReason =
  | 'wrong-length'
  | 'non-zero-padding'
  | 'not-canonical'
  | 'not-on-curve'
  | 'not-in-subgroup'
  | 'infinity'
  | 'scalar-out-of-range';

/** A point or scalar whose bytes are refused; `what` names the field (`signature`, `groupKey`, `commitment[3]`). */
export class BlsEncodingError extends BlsError<{ what: string; reason: EncodingReason; length?: number }> {
  constructor(what: string, reason: EncodingReason, length?: number) {
    super('BLS_BAD_ENCODING', `bad ${what}: ${reason}`, { details: length === undefined ? { what, reason } : { what, reason, length } });
  }
}

export type ThresholdReason = 'too-few-partials' | 'duplicate-signer' | 'signer-out-of-range' | 'non-member' | 'bad-partial';

/** Partials or signer sets that cannot form a threshold signature. */
export class ThresholdError extends BlsError<{ reason: ThresholdReason; index?: number; have?: number; need?: number }> {
  constructor(reason: ThresholdReason, details: { index?: number; have?: number; need?: number } = {}) {
    super('BLS_THRESHOLD', `threshold: ${reason}${details.index === undefined ? '' : ` (index ${details.index})`}`, { details: { reason, ...details } });
  }
}

export type CertificateReason = 'wrong-length' | 'bad-version' | 'bad-signers' | 'too-few-signers' | 'bad-json' | 'unknown-key';

export class CertificateError extends BlsError<{ reason: CertificateReason; detail?: string }> {
  constructor(reason: CertificateReason, detail?: string, cause?: unknown) {
    super('BLS_BAD_CERTIFICATE', `bad certificate: ${reason}${detail ? ` (${detail})` : ''}`, {
      cause,
      details: detail === undefined ? { reason } : { reason, detail },
    });
  }
}

export type DkgReason =
  | 'unknown-kind'
  | 'wrong-session'
  | 'non-member'
  | 'index-mismatch'
  | 'duplicate'
  | 'malformed'
  | 'late'
  | 'bad-evidence'
  | 'flooding'
  | 'too-few-qualified';

/** A DKG packet refused (or a DKG that cannot complete). `sender` is the claimed member index when known. */
export class DkgError extends BlsError<{ reason: DkgReason; sender?: number; detail?: string }> {
  constructor(reason: DkgReason, details: { sender?: number; detail?: string } = {}) {
    super(`DKG_${reason.toUpperCase().replaceAll('-', '_')}`, `dkg: ${reason}${details.detail ? ` (${details.detail})` : ''}`, { details: { reason, ...details } });
  }
}
