/**
 * Typed errors of the transport layer (DESIGN.md §4): a bad frame or a failed exchange is a typed
 * error and a dropped message, never a crash.
 */
import { BaseError, type ErrorDetails } from '../common/errors.ts';

export class TransportError<D extends ErrorDetails = ErrorDetails> extends BaseError<D> {}

/** A frame's length prefix is over the limit (refused before the body is buffered). */
export class FrameTooLargeError extends TransportError<{ size: number; max: number }> {
  constructor(size: number, max: number) {
    super('TRANSPORT_FRAME_TOO_LARGE', `frame of ${size} bytes is over the limit ${max}`, { details: { size, max } });
  }
}

/** The stream ended inside a frame, or its length prefix is not a minimal varint, or bytes follow it. */
export class MalformedFrameError extends TransportError<{ reason: string }> {
  constructor(reason: string) {
    super('TRANSPORT_MALFORMED_FRAME', `malformed frame: ${reason}`, { details: { reason } });
  }
}

/**
 * The stream ended without a single byte: no input at all. An honest peer does this
 * when it gives up or exits between opening a stream and writing its request, so it
 * is counted as a stream failure, not as a malformed (hostile) input.
 */
export class EmptyStreamError extends TransportError<Record<string, never>> {
  constructor() {
    super('TRANSPORT_EMPTY_STREAM', 'stream ended before any frame');
  }
}

/** No answer (or no request frame) within the time allowed. */
export class TransportTimeoutError extends TransportError<{ what: string; ms: number }> {
  constructor(what: string, ms: number) {
    super('TRANSPORT_TIMEOUT', `${what} timed out after ${ms} ms`, { details: { what, ms } });
  }
}

/** Could not reach the address, or the stream failed. */
export class DialError extends TransportError<{ address: string; reason: string }> {
  constructor(address: string, reason: string, cause?: unknown) {
    super('TRANSPORT_DIAL_FAILED', `cannot reach ${address}: ${reason}`, { cause, details: { address, reason } });
  }
}

/** The peer reached is not the node we meant to reach (its key hashes to another NodeAddress). */
export class PeerMismatchError extends TransportError<{ expected: string; actual: string }> {
  constructor(expected: string, actual: string) {
    super('TRANSPORT_PEER_MISMATCH', `expected node ${expected}, reached ${actual}`, { details: { expected, actual } });
  }
}

/** A peer whose key is not a secp256k1 key cannot be a Hyperspace node. */
export class UnsupportedPeerKeyError extends TransportError<{ peerId: string; keyType: string }> {
  constructor(peerId: string, keyType: string) {
    super('TRANSPORT_UNSUPPORTED_PEER_KEY', `peer ${peerId} has a ${keyType} key, not secp256k1`, { details: { peerId, keyType } });
  }
}

/** The transport was closed. */
export class TransportClosedError extends TransportError<Record<string, never>> {
  constructor() {
    super('TRANSPORT_CLOSED', 'transport is closed');
  }
}

/** A second handler for a protocol that already has one. */
export class ProtocolInUseError extends TransportError<{ protocol: string }> {
  constructor(protocol: string) {
    super('TRANSPORT_PROTOCOL_IN_USE', `protocol ${protocol} already has a handler`, { details: { protocol } });
  }
}

/** The peer does not serve the protocol asked for. */
export class UnsupportedProtocolError extends TransportError<{ protocol: string; peer: string }> {
  constructor(protocol: string, peer: string) {
    super('TRANSPORT_UNSUPPORTED_PROTOCOL', `peer ${peer} does not serve ${protocol}`, { details: { protocol, peer } });
  }
}
