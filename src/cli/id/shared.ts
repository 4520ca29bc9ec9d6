/**
 * Pieces every `hyperspace id …` command uses (§2.1): usage errors carrying the
 * command's help hint, hex flags, the identity summary (address, NodeAddress,
 * public key, static puzzle bits) and its human-readable table.
 */
import { toHex, type Hex } from '../../common/bytes.ts';
import type { GrindOptions } from '../../identity/grind.ts';
import { ethereumAddressOf, nodeAddressOf } from '../../identity/node-address.ts';
import { staticPuzzleBits } from '../../identity/puzzle.ts';
import { UsageError, type CliIo } from '../io.ts';
import { formatDuration, integer, type progressReporter } from '../progress.ts';

/** Largest --workers accepted: far above any machine here; guards against typos like 1000000. */
export const MAX_WORKERS = 256;

export interface IdContext {
  /** Aborts a running grind (tests); Ctrl-C does the same from a terminal. */
  signal?: AbortSignal;
}

export const hint = (command: string) => `run \`hyperspace id ${command} --help\` for usage`;

/** Re-throws argument errors as UsageErrors carrying the command's help hint. */
export function usage<T>(command: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    // node:util parseArgs writes some messages over several lines; the CLI prints one.
    if (error instanceof UsageError) throw new UsageError(error.message.replace(/\s*\n\s*/g, ' '), hint(command));
    throw error;
  }
}

/** Hex flag of exactly `bytes` bytes (with or without 0x); malformed hex is a usage error. */
export function hexFlag(value: string, flag: string, bytes: number): Uint8Array {
  const body = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]*$/.test(body) || body.length === 0) throw new UsageError(`--${flag} is not hex`);
  if (body.length !== bytes * 2) {
    throw new UsageError(`--${flag} must be ${bytes} bytes (${bytes * 2} hex digits), got ${body.length} hex digits`);
  }
  return new Uint8Array(Buffer.from(body, 'hex'));
}

export interface IdentityView {
  address: Hex;
  nodeAddress: Hex;
  publicKey: Hex;
  staticBits: number;
}

export function identityView(publicKey: Uint8Array): IdentityView {
  const nodeAddress = nodeAddressOf(publicKey);
  return {
    address: ethereumAddressOf(nodeAddress),
    nodeAddress: toHex(nodeAddress),
    publicKey: toHex(publicKey),
    staticBits: staticPuzzleBits(nodeAddress),
  };
}

/** `title` then one `key  value` row a line, keys padded to one column. */
export function printHuman(io: CliIo, title: string, rows: [string, unknown][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  io.stdout(`${title}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v)}`).join('\n')}\n`);
}

/** Seconds rounded to milliseconds for the JSON output. */
export function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** grind.ts options of a puzzle search: --workers when given, progress when it is shown, the abort signal. */
export function grindOptions(workers: number | undefined, progress: ReturnType<typeof progressReporter>, signal: AbortSignal): GrindOptions {
  return {
    ...(workers === undefined ? {} : { workers }),
    ...(progress.onProgress ? { onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs } : {}),
    signal,
  };
}

/** The `search` row of the human output: attempts and time a puzzle search took. */
export function searchRow(result: { attempts: number; seconds: number }): [string, string] {
  return ['search', `${integer.format(result.attempts)} attempts in ${formatDuration(result.seconds)}`];
}
