/**
 * Typed errors of the community server's sequencer log (issue 13 §2.2, §3; docs/serving.md §2). Each carries the data a
 * caller needs to answer the client or to count the refusal.
 */
import { BaseError } from '../common/errors.ts';
import type { QueryState } from './query-state.ts';

export class SequencerError<D extends Record<string, unknown> = Record<string, unknown>> extends BaseError<D> {}

/** Too many unfinished queries: the server refuses new ones until some finish (back-pressure, not a crash). */
export class LogFullError extends SequencerError<{ pending: number; max: number }> {
  constructor(pending: number, max: number) {
    super('HCS_LOG_FULL', `${pending} unfinished queries, the most the log takes is ${max}`, { details: { pending, max } });
  }
}

export class PromptTooLargeError extends SequencerError<{ bytes: number; max: number }> {
  constructor(bytes: number, max: number) {
    super('HCS_PROMPT_TOO_LARGE', `prompt of ${bytes} bytes, the most is ${max}`, { details: { bytes, max } });
  }
}

/** The same signed query again (a replay, or a client retrying): it keeps its first sequence number. */
export class DuplicateQueryError extends SequencerError<{ queryHash: string; seq: number }> {
  constructor(queryHash: string, seq: number) {
    super('HCS_DUPLICATE_QUERY', `query ${queryHash} is already logged as #${seq}`, { details: { queryHash, seq } });
  }
}

export class UnknownQueryError extends SequencerError<{ queryHash: string }> {
  constructor(queryHash: string) {
    super('HCS_UNKNOWN_QUERY', `no query ${queryHash} in the log`, { details: { queryHash } });
  }
}

export class IllegalTransitionError extends SequencerError<{ queryHash: string; from: QueryState; to: QueryState }> {
  constructor(queryHash: string, from: QueryState, to: QueryState) {
    super('HCS_ILLEGAL_TRANSITION', `query ${queryHash}: ${from} → ${to} is not allowed`, { details: { queryHash, from, to } });
  }
}

/** A receipt the log will not store: not for this query, a second one from the same node, too many, or too big. */
export class ReceiptRefusedError extends SequencerError<{ queryHash: string; reason: string }> {
  constructor(queryHash: string, reason: string) {
    super('HCS_RECEIPT_REFUSED', `receipt for ${queryHash} refused: ${reason}`, { details: { queryHash, reason } });
  }
}

/** The file is not a log this code can read (another program's database, a newer schema, a corrupted row). */
export class LogFormatError extends SequencerError<{ path: string; reason: string }> {
  constructor(path: string, reason: string, cause?: unknown) {
    super('HCS_LOG_FORMAT', `${path} is not a readable sequencer log: ${reason}`, { cause, details: { path, reason } });
  }
}
