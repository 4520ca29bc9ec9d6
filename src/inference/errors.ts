/**
 * Typed errors of the inference pipeline (whitepaper §2.2; DESIGN.md §4): a Query that does not ask for the run a
 * node made, and a re-run that does not reproduce its output (an engine bug, never a bad input).
 */
import { BaseError } from '../common/errors.ts';

/** A signed Query names another model, input or sampling parameters than the run: the node must not sign it. */
export class InferenceMismatchError extends BaseError<{ field: 'modelHash' | 'promptHash' | 'paramsHash'; query: string; run: string }> {
  constructor(field: 'modelHash' | 'promptHash' | 'paramsHash', query: string, run: string) {
    super('INFERENCE_QUERY_MISMATCH', `the query's ${field} ${query} is not the run's ${run}`, { details: { field, query, run } });
  }
}

/** Re-running a query for its trace gave another output: the engine is not deterministic (a bug). */
export class NondeterministicRunError extends BaseError<{ first: string; again: string }> {
  constructor(first: string, again: string) {
    super('INFERENCE_NONDETERMINISTIC', `re-running the query gave outputHash ${again}, not ${first}`, { details: { first, again } });
  }
}
