/**
 * Typed errors of the integer kernels (whitepaper §2.2.6, DESIGN.md §1.7).
 *
 * Kernels check their arguments before touching memory: a wrong length is a
 * caller bug (or a malformed model that slipped past the loader), and must be
 * a clear error, never a silent read past the end of a buffer.
 */
import { BaseError } from '../../common/errors.ts';

export interface KernelShapeDetails extends Record<string, unknown> {
  /** Kernel that refused its arguments, e.g. `matvecInt8`. */
  kernel: string;
  /** Argument at fault, e.g. `w`, `cols`. */
  argument: string;
  /** What the kernel needed, e.g. `length 12 (rows*cols)`. */
  expected: string;
  /** What it got. */
  actual: string;
}

/** A kernel argument has the wrong shape, length or range. */
export class KernelShapeError extends BaseError<KernelShapeDetails> {
  constructor(details: KernelShapeDetails) {
    super(
      'KERNEL_SHAPE',
      `${details.kernel}: ${details.argument} must be ${details.expected}, got ${details.actual}`,
      { details },
    );
  }
}

/** Throws KernelShapeError unless `value` is an integer in [min, max]. */
export function checkDimension(kernel: string, argument: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new KernelShapeError({ kernel, argument, expected: `an integer in [${min}, ${max}]`, actual: String(value) });
  }
}

/** Throws KernelShapeError unless `array.length === length`. */
export function checkLength(
  kernel: string,
  argument: string,
  array: { readonly length: number },
  length: number,
  what: string,
): void {
  if (array.length !== length) {
    throw new KernelShapeError({ kernel, argument, expected: `length ${length} (${what})`, actual: `length ${array.length}` });
  }
}
