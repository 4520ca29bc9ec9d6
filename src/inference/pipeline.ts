/**
 * The one inference pipeline (whitepaper §2.2 verified inference, §2.2.5–2.2.6; DESIGN.md §3 inference/):
 *
 *   query → engine run → output hash → EIP-712 receipt → trace commitment on demand
 *
 * `hyperspace model run|trace|prove`, the inference node, the benchmarks and the dispute agent all run a model
 * through here, so a receipt's outputHash and traceRoot are computed one way everywhere:
 *
 * - run: the input is normalised and checked (engine/run-query.ts), the runner executes it (the wasm one-call
 *   path when no trace is asked for), and outputHash = keccak256(output as int32 LE) (engine/run-result.ts);
 * - checkQuery: a signed Query names this model (modelHash), this input (promptHash over the input commitment,
 *   query-input.ts) and these sampling parameters (paramsHash over {seed, maxTokens}); a node serves nothing else;
 * - receipt: the Receipt a node signs commits to the trace root, so the trace is committed before signing; the
 *   happy path runs without a trace and the pipeline re-runs with one only when a root is asked for ("on
 *   demand"), checking that the re-run gives the same output (the engine is deterministic: a difference is a bug).
 *
 * Pure apart from the engine (no clock, no network): the caller gives `issuedAt` and the signer's key.
 */
import { bytesEqual, toHex } from '../common/bytes.ts';
import { commitTrace, type TraceCommitment } from '../commitment/trace.ts';
import type { Kernels } from '../engine/kernels/kernels.ts';
import { referenceKernels } from '../engine/kernels/kernels.ts';
import type { LoadedModel } from '../engine/model-file.ts';
import type { RunQuery } from '../engine/ops/op.ts';
import { prepareQuery, type RunInput } from '../engine/run-query.ts';
import type { RunResult } from '../engine/run-result.ts';
import { Runner } from '../engine/runner.ts';
import type { Eip712Domain } from '../wire/eip712.ts';
import { samplingParamsHash, signReceipt, type Query, type Receipt, type SamplingParams } from '../wire/query-receipt.ts';
import { InferenceMismatchError, NondeterministicRunError } from './errors.ts';
import { commitQueryInput, queryInputValues } from './query-input.ts';

export interface PipelineOptions {
  /** Bisection fan-out k of the trace commitment a receipt signs (a power of two). */
  arity: number;
  /** Largest trace a run may materialise, elements (4 bytes each); passed to the runner. */
  maxTraceElements: number;
}

export const DEFAULTS: Readonly<PipelineOptions> = {
  // The dispute game's default arity (ModelRegistry without an explicit k; test/vectors/shipped-models.json).
  arity: 16,
  // The runner's own limit (engine/run-options.ts): 256 Mi elements = 1 GiB.
  maxTraceElements: 1 << 28,
};

export interface PipelineComponents {
  model: LoadedModel;
  /** Kernels for the matvecs (default the reference; wasm gives the same bits, faster). */
  kernels?: Kernels;
}

/** One executed query: what was run, what it gave, and (once asked for) its trace commitment. */
export interface InferenceRun {
  /** The normalised engine input (prompt token ids or classify vector, seed). */
  readonly query: RunQuery;
  /** The sampling parameters signed into a Query's paramsHash (maxTokens explicit, the engine's default spelt out). */
  readonly params: SamplingParams;
  /** Output tokens (or classify elements), outputHash, steps; `trace` when the run kept it. */
  readonly result: RunResult;
  /** The full trace, once kept or re-run for (null until then). */
  trace: Int32Array | null;
  /** The trace commitment at the pipeline's arity, once asked for. */
  commitment: TraceCommitment | null;
}

/** What a node adds to a run to make its receipt. */
export interface ReceiptTerms {
  /** EIP-712 digest of the Query being answered (queryDigest). */
  queryHash: Uint8Array;
  /** The signer's 20-byte Ethereum address. */
  node: Uint8Array;
  /** Fee charged, wei. */
  fee: bigint;
  /** Unix seconds at signing. */
  issuedAt: bigint;
}

export class InferencePipeline {
  readonly model: LoadedModel;
  readonly kernels: Kernels;
  readonly options: PipelineOptions;
  /** Made on the first run (weights resident in the kernels' memory); committing a kept trace needs none. */
  private runnerInstance: Runner | null = null;

  constructor(components: PipelineComponents, options: Partial<PipelineOptions> = {}) {
    this.model = components.model;
    this.kernels = components.kernels ?? referenceKernels;
    this.options = { ...DEFAULTS, ...options };
  }

  private get runner(): Runner {
    this.runnerInstance ??= new Runner(this.model, { kernels: this.kernels, maxTraceElements: this.options.maxTraceElements });
    return this.runnerInstance;
  }

  /** Frees the kernels' resident copy of the model (if a run made one). */
  close(): void {
    this.runnerInstance?.close();
    this.runnerInstance = null;
  }

  /** query → engine run → output hash. With `trace`, the run keeps its trace (a dispute, `model trace|prove`). */
  run(input: RunInput, options: { trace?: boolean } = {}): InferenceRun {
    const { query, maxTokens } = prepareQuery(this.model, input);
    const result = this.runner.run(input, { trace: options.trace === true });
    return { query, params: { seed: query.seed, maxTokens }, result, trace: result.trace, commitment: null };
  }

  /**
   * Throws InferenceMismatchError unless `query` asks for exactly this run: this model, this input, these sampling
   * parameters. A node checks this before it signs, so a receipt never answers a query it did not run.
   */
  checkQuery(query: Query, run: Pick<InferenceRun, 'query' | 'params'>): void {
    if (!bytesEqual(query.modelHash, this.model.modelHash)) throw new InferenceMismatchError('modelHash', toHex(query.modelHash), toHex(this.model.modelHash));
    const promptHash = commitQueryInput(queryInputValues(run.query)).promptHash;
    if (!bytesEqual(query.promptHash, promptHash)) throw new InferenceMismatchError('promptHash', toHex(query.promptHash), toHex(promptHash));
    const paramsHash = samplingParamsHash(run.params);
    if (!bytesEqual(query.paramsHash, paramsHash)) throw new InferenceMismatchError('paramsHash', toHex(query.paramsHash), toHex(paramsHash));
  }

  /** The run's full trace, re-running with a trace when the run kept none; the re-run must give the same output. */
  traceOf(run: InferenceRun): Int32Array {
    if (run.trace) return run.trace;
    const again = this.runner.run({ prompt: run.query.prompt, vector: run.query.vector, seed: run.query.seed, maxTokens: run.params.maxTokens }, { trace: true });
    if (!bytesEqual(again.outputHash, run.result.outputHash)) throw new NondeterministicRunError(toHex(run.result.outputHash), toHex(again.outputHash));
    run.trace = again.trace;
    return run.trace!;
  }

  /** Trace commitment on demand, at the pipeline's arity (or `arity`), computed once per run at the default arity. */
  commitTrace(run: InferenceRun, arity = this.options.arity): TraceCommitment {
    if (arity === this.options.arity && run.commitment) return run.commitment;
    const c = commitTrace(this.traceOf(run), { arity });
    if (arity === this.options.arity) run.commitment = c;
    return c;
  }

  /** The EIP-712 Receipt for `run` (commits the trace if not yet done). */
  receipt(run: InferenceRun, terms: ReceiptTerms): Receipt {
    return {
      queryHash: terms.queryHash,
      modelHash: this.model.modelHash,
      outputHash: run.result.outputHash,
      traceRoot: this.commitTrace(run).root,
      node: terms.node,
      fee: terms.fee,
      issuedAt: terms.issuedAt,
    };
  }

  /** The receipt and its 65-byte signature by `secretKey` under `domain`. */
  signedReceipt(run: InferenceRun, terms: ReceiptTerms, domain: Eip712Domain, secretKey: Uint8Array): { receipt: Receipt; signature: Uint8Array } {
    const receipt = this.receipt(run, terms);
    return { receipt, signature: signReceipt(domain, receipt, secretKey) };
  }
}
