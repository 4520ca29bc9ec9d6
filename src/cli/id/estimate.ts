/**
 * The expected time of a puzzle search (§2.1.1), from the rate measured in its first progress report:
 * printed before the search goes on, and, past MAX_EXPECTED_SECONDS, the search is stopped and refused
 * unless the user forces it. The search is memoryless (each attempt succeeds with probability 2^−c),
 * so the expected time is 2^c / rate whatever has been done so far.
 */
import { BaseError } from '../../common/errors.ts';
import type { GrindProgress } from '../../identity/grind.ts';
import type { CliIo } from '../io.ts';
import { formatDuration, formatRate, integer } from '../progress.ts';

/** Longest expected search run without --force, seconds: a week; c2 = 64 is millennia at any rate seen here. */
export const MAX_EXPECTED_SECONDS = 7 * 86_400;

/** A search whose expected time is past MAX_EXPECTED_SECONDS, refused without --force. */
export class SearchTooLongError extends BaseError<{ difficulty: number; expectedSeconds: number; attemptsPerSecond: number }> {
  constructor(label: string, difficulty: number, expectedSeconds: number, attemptsPerSecond: number) {
    super(
      'SEARCH_TOO_LONG',
      `${label}: expected time ${formatDuration(expectedSeconds)} at the measured ${formatRate(attemptsPerSecond)} ` +
        `(2^${difficulty} attempts), above the ${formatDuration(MAX_EXPECTED_SECONDS)} limit: stopped; pass --force to run it anyway`,
      { details: { difficulty, expectedSeconds, attemptsPerSecond } },
    );
  }
}

/**
 * Wraps a search's progress callback: on the first report with a measured rate, prints the estimate
 * on stderr and, when it is too long and not forced, calls `refuse` with a SearchTooLongError.
 */
export function estimatingProgress(
  io: CliIo,
  options: { label: string; difficulty: number; force: boolean; show: ((p: GrindProgress) => void) | undefined; refuse: (error: SearchTooLongError) => void },
): (p: GrindProgress) => void {
  let estimated = false;
  return (p) => {
    if (!estimated && p.attempts > 0 && p.attemptsPerSecond > 0) {
      estimated = true;
      io.stderr(
        `${options.label}: expected ${integer.format(Math.round(p.expectedAttempts))} attempts at the measured ` +
          `${formatRate(p.attemptsPerSecond)}: about ${formatDuration(p.etaSeconds)}\n`,
      );
      if (p.etaSeconds > MAX_EXPECTED_SECONDS && !options.force) {
        options.refuse(new SearchTooLongError(options.label, options.difficulty, p.etaSeconds, p.attemptsPerSecond));
        return;
      }
    }
    options.show?.(p);
  };
}
