/**
 * The runner's typed errors (whitepaper §2.2.5; engine.md §5): a query that does not fit the model, a trace
 * larger than a run may materialise, and the kernels' memory moving during a run (a bug, never a bad input).
 */
import { BaseError } from '../common/errors.ts';

export class RunInputError extends BaseError<{ reason: string }> {
  constructor(reason: string) {
    super('ENGINE_BAD_INPUT', `bad run input: ${reason}`, { details: { reason } });
  }
}

export class TraceTooLargeError extends BaseError<{ elements: number; limit: number }> {
  constructor(elements: number, limit: number) {
    super('ENGINE_TRACE_TOO_LARGE', `trace of ${elements} elements exceeds the limit of ${limit}`, { details: { elements, limit } });
  }
}

/** The kernels' memory moved during a run (an allocation inside a kernel call): a bug, never a bad input. */
export class KernelMemoryMovedError extends BaseError<{ step: number }> {
  constructor(step: number) {
    super('ENGINE_KERNEL_MEMORY_MOVED', `the kernels' memory grew during step ${step} of a run`, { details: { step } });
  }
}
