/**
 * BaseError: the root of every typed error in Hyperspace (DESIGN.md §4).
 *
 * A short human message, an optional `cause`, and `details`: plain data a caller
 * (or a log line, or a JSON CLI answer) can act on without parsing the message.
 * Domain folders subclass it with a fixed `code` and typed details, e.g.
 * `PuzzleTooWeakError({ nodeAddress, required, actual })`.
 */

export type ErrorDetails = Record<string, unknown>;

export interface BaseErrorOptions<D extends ErrorDetails = ErrorDetails> {
  cause?: unknown;
  details?: D;
}

export class BaseError<D extends ErrorDetails = ErrorDetails> extends Error {
  /** Stable machine-readable identifier, e.g. `WIRE_TRUNCATED`. */
  readonly code: string;
  readonly details: D;

  constructor(code: string, message: string, options: BaseErrorOptions<D> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? ({} as D);
  }

  /** A JSON-safe view: bigints and byte arrays become strings. */
  toJSON(): { name: string; code: string; message: string; details: unknown } {
    return { name: this.name, code: this.code, message: this.message, details: toJsonSafe(this.details) };
  }
}

/** Thrown when a caller passes an argument outside its documented domain. */
export class InvalidArgumentError extends BaseError<{ argument: string; reason: string }> {
  constructor(argument: string, reason: string) {
    super('INVALID_ARGUMENT', `invalid ${argument}: ${reason}`, { details: { argument, reason } });
  }
}

export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return '0x' + Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v);
    return out;
  }
  return value;
}
