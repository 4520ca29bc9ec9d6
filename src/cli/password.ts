/**
 * Keystore passwords for the CLI (§2.1, issue 2 item 3): from the environment
 * variable HYPERSPACE_PASSWORD, else from a no-echo prompt on the terminal
 * (stderr, so stdout stays clean for --json), else a clear error.
 *
 * The password is never printed, logged or put into an error.
 */
import { BaseError } from '../common/errors.ts';
import { UsageError, type CliIo } from './io.ts';

export const PASSWORD_ENV = 'HYPERSPACE_PASSWORD';

export type PasswordPurpose = 'create' | 'unlock';

/** The user typed Ctrl-C or Ctrl-D at the prompt. */
export class PromptAbortedError extends BaseError<Record<string, never>> {
  constructor() {
    super('CLI_PROMPT_ABORTED', 'password prompt aborted');
  }
}

export class PasswordMismatchError extends BaseError<Record<string, never>> {
  constructor() {
    super('CLI_PASSWORD_MISMATCH', 'the two passwords do not match; nothing was written');
  }
}

export class EmptyPasswordError extends BaseError<{ source: string }> {
  constructor(source: string) {
    super('CLI_EMPTY_PASSWORD', `refusing to create a keystore with an empty password (from ${source})`, {
      details: { source },
    });
  }
}

/** A terminal-like input: Node's process.stdin when it is a TTY, or a fake in tests. */
export interface PromptInput {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  removeListener(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface PromptStreams {
  input: PromptInput;
  /** Where the question goes; never the password itself. */
  write(text: string): void;
}

/**
 * Reads one line without echo: raw mode, so each key arrives as typed and
 * nothing is shown. Backspace edits, Enter ends, Ctrl-C / Ctrl-D (on an empty
 * line) abort with PromptAbortedError.
 */
export function promptHidden(question: string, streams: PromptStreams): Promise<string> {
  const { input, write } = streams;
  return new Promise((resolvePassword, reject) => {
    const chars: string[] = [];
    const raw = input.isTTY && input.setRawMode ? true : false;
    const finish = (error: Error | null) => {
      input.removeListener('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      write('\n');
      if (error) reject(error);
      else resolvePassword(chars.join(''));
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003') return finish(new PromptAbortedError()); // Ctrl-C
        if (ch === '\u0004') {
          if (chars.length === 0) return finish(new PromptAbortedError()); // Ctrl-D on an empty line
          continue;
        }
        if (ch === '\u007f' || ch === '\b') {
          chars.pop();
          continue;
        }
        if (ch === '\u0015') {
          chars.length = 0; // Ctrl-U: clear the line
          continue;
        }
        if (ch < ' ') continue; // other control characters (escape sequences' ESC, tabs) are ignored
        chars.push(ch);
      }
    };
    write(question);
    if (raw) input.setRawMode!(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

const processStreams = (): PromptStreams => ({
  input: process.stdin,
  write: (text) => void process.stderr.write(text),
});

export interface ReadPasswordOptions {
  purpose: PasswordPurpose;
  /** Shown in the prompt so the user knows which file. */
  keystorePath: string;
  /** Injected for tests; defaults to the process's stdin/stderr. */
  streams?: PromptStreams;
}

/**
 * Returns the keystore password. `create` refuses an empty password and asks
 * twice at a prompt; `unlock` accepts whatever the keystore was made with.
 */
export async function readPassword(io: CliIo, options: ReadPasswordOptions): Promise<string> {
  const fromEnv = io.env[PASSWORD_ENV];
  if (fromEnv !== undefined) {
    if (options.purpose === 'create' && fromEnv.length === 0) throw new EmptyPasswordError(PASSWORD_ENV);
    return fromEnv;
  }
  if (!io.interactive) {
    throw new UsageError(
      `no password: set ${PASSWORD_ENV} or run in a terminal to be prompted`,
      `e.g. ${PASSWORD_ENV}=… hyperspace id …`,
    );
  }
  const streams = options.streams ?? processStreams();
  if (options.purpose === 'unlock') {
    return promptHidden(`Password for ${options.keystorePath}: `, streams);
  }
  const first = await promptHidden(`New password for ${options.keystorePath}: `, streams);
  if (first.length === 0) throw new EmptyPasswordError('prompt');
  const second = await promptHidden('Repeat the password: ', streams);
  if (first !== second) throw new PasswordMismatchError();
  return first;
}
