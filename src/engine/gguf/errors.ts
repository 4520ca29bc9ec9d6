/**
 * Typed errors for model-file import (GGUF, safetensors): every malformed, truncated or hostile file ends in one of
 * these with the data a caller needs, never in a RangeError, a crash or an out-of-memory (whitepaper §2.2.6: a node
 * imports models it did not produce; the file is untrusted input).
 */
import { BaseError } from '../../common/errors.ts';

/** The root of all import errors: `code` is stable, `details.reason` says what was wrong. */
export class ImportFormatError<D extends Record<string, unknown> = { reason: string }> extends BaseError<D> {}

/** The file ends before a field or tensor it declares. */
export class ImportTruncatedError extends ImportFormatError<{ what: string; offset: number; need: number; size: number }> {
  constructor(what: string, offset: number, need: number, size: number) {
    super('IMPORT_TRUNCATED', `file truncated: ${what} needs ${need} bytes at ${offset}, file has ${size}`, {
      details: { what, offset, need, size },
    });
  }
}

/** Wrong magic number or unsupported version. */
export class ImportMagicError extends ImportFormatError<{ format: string; reason: string }> {
  constructor(format: string, reason: string) {
    super('IMPORT_BAD_MAGIC', `not a ${format} file: ${reason}`, { details: { format, reason } });
  }
}

/** A declared count, length, dimension or offset is outside the limits (`GgufLimits`, `SafetensorsLimits`). */
export class ImportLimitError extends ImportFormatError<{ what: string; value: number | string; max: number | string }> {
  constructor(what: string, value: number | bigint | string, max: number | bigint | string) {
    super('IMPORT_LIMIT', `${what} = ${String(value)} exceeds the limit ${String(max)}`, {
      details: { what, value: typeof value === 'bigint' ? value.toString() : value, max: typeof max === 'bigint' ? max.toString() : max },
    });
  }
}

/** A structural error: unknown type code, bad UTF-8, overlapping or misaligned tensors, duplicate names, … */
export class ImportStructureError extends ImportFormatError<{ reason: string; name?: string }> {
  constructor(reason: string, name?: string) {
    super('IMPORT_BAD_STRUCTURE', name === undefined ? reason : `${name}: ${reason}`, {
      details: name === undefined ? { reason } : { reason, name },
    });
  }
}

/** A tensor type we cannot decode (e.g. GGUF Q4_K before it is supported). */
export class ImportUnsupportedTypeError extends ImportFormatError<{ name: string; type: string }> {
  constructor(name: string, type: string) {
    super('IMPORT_UNSUPPORTED_TYPE', `tensor ${name}: type ${type} is not supported`, { details: { name, type } });
  }
}

/** The model's architecture or hyper-parameters are not ones the engine implements. */
export class ImportArchitectureError extends ImportFormatError<{ reason: string; key?: string }> {
  constructor(reason: string, key?: string) {
    super('IMPORT_BAD_ARCHITECTURE', key === undefined ? reason : `${key}: ${reason}`, {
      details: key === undefined ? { reason } : { reason, key },
    });
  }
}
