/**
 * Typed wrappers over `node:util` parseArgs: every malformed flag becomes a
 * UsageError naming the flag, never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function requireString(value: string | boolean | undefined | (string | boolean)[], flag: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`missing required --${flag}`);
  return value;
}

/** An integer flag within [min, max]. */
export function intFlag(value: unknown, flag: string, min: number, max: number, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`missing required --${flag}`);
    return fallback;
  }
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw new UsageError(`--${flag} must be an integer`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${flag} must be between ${min} and ${max}`);
  return n;
}
