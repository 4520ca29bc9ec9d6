/**
 * How a failed command ends (docs/cli.md, "Exit codes"): one line on stderr, `hyperspace: <message>`,
 * and an exit code — never a stack trace, unless HYPERSPACE_DEBUG is set.
 *
 * Typed errors (BaseError) print their message, and the first line of their cause when the message
 * does not already say it. A few errors from outside our code are common enough to name: system
 * errors from Node (a port in use, a file missing, a connection refused) and viem's errors (its
 * `shortMessage`, without the request dump). Anything else is a bug: `unexpected error: <first
 * line>`, still one line, with a pointer to HYPERSPACE_DEBUG for the stack.
 */
import { BaseError, toJsonSafe } from '../common/errors.ts';
import { EXIT_FAILURE, EXIT_USAGE, UsageError, printJson, type CliIo } from './io.ts';

/** Set to any non-empty value to print the full stack trace (and causes) of a failure. */
export const DEBUG_ENV = 'HYPERSPACE_DEBUG';

/** First line of an error's message, trimmed: library messages often add paragraphs of request data. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n').find((l) => l.trim() !== '') ?? '').trim();
}

/** Node system error codes worth a sentence of their own (the rest print their message). */
const SYSTEM_ERRORS: Record<string, (e: NodeJS.ErrnoException & { address?: string; port?: number }) => string> = {
  EADDRINUSE: (e) => `address ${e.address ?? ''}${e.port === undefined ? '' : `:${e.port}`} is already in use`,
  EACCES: (e) => `permission denied${e.path ? `: ${e.path}` : e.port === undefined ? '' : ` on port ${e.port}`}`,
  ENOENT: (e) => `no such file or directory${e.path ? `: ${e.path}` : ''}`,
  ECONNREFUSED: (e) => `connection refused${e.address ? ` by ${e.address}${e.port === undefined ? '' : `:${e.port}`}` : ''}`,
};

/** viem's errors carry a one-line `shortMessage` and a multi-line `message` with the request dump. */
function shortMessageOf(error: unknown): string | undefined {
  const short = (error as { shortMessage?: unknown })?.shortMessage;
  return typeof short === 'string' && short !== '' ? short.split('\n')[0]!.trim() : undefined;
}

/** The one line a user sees for `error`, without the `hyperspace: ` prefix. */
export function describeError(error: unknown): { line: string; expected: boolean } {
  if (error instanceof BaseError) {
    const hint = error instanceof UsageError ? ` (${error.details.hint})` : '';
    const cause = error.cause === undefined ? '' : (shortMessageOf(error.cause) ?? firstLine(error.cause));
    const withCause = cause !== '' && !error.message.includes(cause) ? `${error.message}: ${cause}` : error.message;
    return { line: `${withCause.replace(/\s*\n\s*/g, ' ')}${hint}`, expected: true };
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && SYSTEM_ERRORS[code]) return { line: SYSTEM_ERRORS[code](error as NodeJS.ErrnoException), expected: true };
  const short = shortMessageOf(error);
  if (short !== undefined) return { line: short, expected: true };
  return { line: `unexpected error: ${firstLine(error) || String(error)} (a bug: set ${DEBUG_ENV}=1 for the stack trace and report it)`, expected: false };
}

/** Print `error` as the command's outcome and return its exit code (2 for usage errors, else 1). */
export function reportError(error: unknown, io: CliIo, json: boolean): number {
  const { line } = describeError(error);
  if (json) printJson(io, { error: error instanceof BaseError ? error.toJSON() : { name: (error as Error)?.name ?? 'Error', message: line } });
  io.stderr(`hyperspace: ${line}\n`);
  if (io.env[DEBUG_ENV]) io.stderr(`${debugDump(error)}\n`);
  return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

/** The stack of `error` and of each cause, for HYPERSPACE_DEBUG. */
function debugDump(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e !== undefined && depth < 8; depth++) {
    parts.push(depth === 0 ? String((e as Error)?.stack ?? e) : `caused by: ${String((e as Error)?.stack ?? JSON.stringify(toJsonSafe(e)))}`);
    e = (e as { cause?: unknown })?.cause;
  }
  return parts.join('\n');
}
