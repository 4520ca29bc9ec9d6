/**
 * Typed errors of the wire layer (§2.1.2; docs/spec/wire.md §7).
 *
 * Everything a peer sends is untrusted: a bad message is one of these errors and a
 * dropped message, never a crash. Callers that only count drops catch `WireError`;
 * the `code` says why.
 *
 *   WireError
 *   ├─ WireDecodeError     the bytes are not the canonical encoding of a schema value
 *   │   ├─ TruncatedError        input ends inside a value              WIRE_TRUNCATED
 *   │   ├─ OversizedError        a length / count / message over limit  WIRE_OVERSIZED
 *   │   ├─ NonCanonicalError     a non-minimal varint                   WIRE_NON_CANONICAL
 *   │   ├─ WrongTypeError        bool ≠ 0/1, option tag ≠ 0/1, bad UTF-8 WIRE_WRONG_TYPE
 *   │   ├─ UnknownTagError       union tag not in the schema            WIRE_UNKNOWN_TAG
 *   │   └─ TrailingBytesError    bytes left after the value             WIRE_TRAILING_BYTES
 *   ├─ WireEncodeError     a value that does not fit its schema           WIRE_INVALID_VALUE
 *   └─ EnvelopeError       a well-formed envelope that must be refused
 *       ├─ WrongDomainError      kind is not the expected one           WIRE_WRONG_DOMAIN
 *       ├─ ForgedSignatureError  signature is not the claimed sender's  WIRE_FORGED
 *       ├─ ExpiredError          timestamp outside the window           WIRE_EXPIRED
 *       ├─ ReplayedError         (sender, nonce) seen in the window     WIRE_REPLAYED
 *       └─ AddressMismatchError  weak: signed IP/port ≠ observed        WIRE_ADDRESS_MISMATCH
 */
import { BaseError, type ErrorDetails } from '../common/errors.ts';

export class WireError<D extends ErrorDetails = ErrorDetails> extends BaseError<D> {}

// ---------------------------------------------------------------------------------------------
// Decoding

export interface DecodeErrorDetails extends ErrorDetails {
  /** Where in the value, e.g. `body.nodes[3].ip`; `` for the top level. */
  path: string;
  /** Byte offset in the input where the problem was found. */
  offset: number;
}

export class WireDecodeError<D extends DecodeErrorDetails = DecodeErrorDetails> extends WireError<D> {}

export class TruncatedError extends WireDecodeError<DecodeErrorDetails & { needed: number; available: number }> {
  constructor(path: string, offset: number, needed: number, available: number) {
    super('WIRE_TRUNCATED', `truncated at ${fmt(path)} (offset ${offset}): need ${needed} bytes, have ${available}`, {
      details: { path, offset, needed, available },
    });
  }
}

export class OversizedError extends WireDecodeError<DecodeErrorDetails & { what: string; size: number; max: number }> {
  constructor(path: string, offset: number, what: string, size: number, max: number) {
    super('WIRE_OVERSIZED', `${what} at ${fmt(path)} is ${size}, over the limit ${max}`, { details: { path, offset, what, size, max } });
  }
}

export class NonCanonicalError extends WireDecodeError<DecodeErrorDetails & { reason: string }> {
  constructor(path: string, offset: number, reason: string) {
    super('WIRE_NON_CANONICAL', `non-canonical encoding at ${fmt(path)}: ${reason}`, { details: { path, offset, reason } });
  }
}

export class WrongTypeError extends WireDecodeError<DecodeErrorDetails & { expected: string; reason: string }> {
  constructor(path: string, offset: number, expected: string, reason: string) {
    super('WIRE_WRONG_TYPE', `expected ${expected} at ${fmt(path)}: ${reason}`, { details: { path, offset, expected, reason } });
  }
}

export class UnknownTagError extends WireDecodeError<DecodeErrorDetails & { tag: number }> {
  constructor(path: string, offset: number, tag: number) {
    super('WIRE_UNKNOWN_TAG', `unknown union tag ${tag} at ${fmt(path)}`, { details: { path, offset, tag } });
  }
}

export class TrailingBytesError extends WireDecodeError<DecodeErrorDetails & { trailing: number }> {
  constructor(offset: number, trailing: number) {
    super('WIRE_TRAILING_BYTES', `${trailing} bytes after the end of the value`, { details: { path: '', offset, trailing } });
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** The value given to `encode` does not match its schema (a programming error or bad user input). */
export class WireEncodeError extends WireError<{ path: string; expected: string; reason: string }> {
  constructor(path: string, expected: string, reason: string) {
    super('WIRE_INVALID_VALUE', `cannot encode ${fmt(path)} as ${expected}: ${reason}`, { details: { path, expected, reason } });
  }
}

// ---------------------------------------------------------------------------------------------
// Envelopes

export class EnvelopeError<D extends ErrorDetails = ErrorDetails> extends WireError<D> {}

export class WrongDomainError extends EnvelopeError<{ expected: string; actual: string }> {
  constructor(expected: string, actual: string) {
    super('WIRE_WRONG_DOMAIN', `expected a ${expected} message, got ${actual}`, { details: { expected, actual } });
  }
}

export class ForgedSignatureError extends EnvelopeError<{ domain: string; sender: string; reason: string }> {
  constructor(domain: string, sender: string, reason: string, cause?: unknown) {
    super('WIRE_FORGED', `signature on ${domain} is not by ${sender}: ${reason}`, { cause, details: { domain, sender, reason } });
  }
}

export class ExpiredError extends EnvelopeError<{ timestamp: number; now: number; windowMs: number; floor?: number }> {
  constructor(message: string, details: { timestamp: number; now: number; windowMs: number; floor?: number }) {
    super('WIRE_EXPIRED', message, { details });
  }
}

export class ReplayedError extends EnvelopeError<{ sender: string; nonce: string }> {
  constructor(sender: string, nonce: string) {
    super('WIRE_REPLAYED', `nonce ${nonce} from ${sender} was already seen`, { details: { sender, nonce } });
  }
}

export class AddressMismatchError extends EnvelopeError<{ signed: string; observed: string }> {
  constructor(signed: string, observed: string) {
    super('WIRE_ADDRESS_MISMATCH', `signed address ${signed} differs from observed ${observed}`, { details: { signed, observed } });
  }
}

function fmt(path: string): string {
  return path === '' ? '<root>' : path;
}
