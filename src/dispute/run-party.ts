/**
 * A dispute party from an inference pipeline run (whitepaper §2.2.5; src/inference/pipeline.ts): the trace the node
 * signed a receipt over (re-run on demand when the happy path kept none) and the model's step source for that query.
 * The party's receiptRoot is then the receipt's traceRoot by construction: both come from the one pipeline.
 */
import type { InferencePipeline, InferenceRun } from '../inference/pipeline.ts';
import { modelStepSource } from './step-source.ts';
import { TraceParty, type TracePartyOptions } from './trace-party.ts';

export function partyFromRun(pipeline: InferencePipeline, run: InferenceRun, options: Partial<TracePartyOptions> = {}): TraceParty {
  return new TraceParty(pipeline.traceOf(run), modelStepSource(pipeline.model, run.query), { arity: pipeline.options.arity, ...options });
}
