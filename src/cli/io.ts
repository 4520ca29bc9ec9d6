/**
 * The CLI's view of the outside world: arguments in, text out, exit code back.
 * Commands receive a `CliIo` rather than touching `process` so tests can run
 * them in-process and read what they printed.
 */
import { BaseError, toJsonSafe } from '../common/errors.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** True when stdin/stderr are a terminal: progress lines and prompts are allowed. */
  interactive: boolean;
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
};

/** Exit codes: 0 success, 1 the answer is "no" or the operation failed, 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Thrown for a malformed command line; printed with the command's help hint. */
export class UsageError extends BaseError<{ hint: string }> {
  constructor(message: string, hint = 'run with --help for usage') {
    super('CLI_USAGE', message, { details: { hint } });
  }
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(toJsonSafe(value), null, 2) + '\n');
}
