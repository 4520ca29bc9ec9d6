/**
 * Typed errors of the commitment layer (whitepaper §2.2.5: Merkle commitments to weights and traces).
 * Each carries the offending numbers in `details` so a CLI or dispute agent can report them as data.
 */
import { BaseError } from '../common/errors.ts';

/** An element, leaf or node index outside the committed range. */
export class IndexOutOfRangeError extends BaseError<{ what: string; index: number; limit: number }> {
  constructor(what: string, index: number, limit: number) {
    super('COMMITMENT_INDEX_OUT_OF_RANGE', `${what} ${index} is outside [0, ${limit})`, {
      details: { what, index, limit },
    });
  }
}

/** A parameter outside its domain: arity not a power of two, too many elements, wrong byte length… */
export class CommitmentParameterError extends BaseError<{ parameter: string; value: unknown; reason: string }> {
  constructor(parameter: string, value: unknown, reason: string) {
    super('COMMITMENT_BAD_PARAMETER', `invalid ${parameter} (${String(value)}): ${reason}`, {
      details: { parameter, value, reason },
    });
  }
}

/** A proof or a list of child roots that is malformed (shape, lengths), as opposed to merely not verifying. */
export class MalformedProofError extends BaseError<{ reason: string }> {
  constructor(reason: string) {
    super('COMMITMENT_MALFORMED_PROOF', `malformed proof: ${reason}`, { details: { reason } });
  }
}
