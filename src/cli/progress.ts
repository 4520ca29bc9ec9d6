/**
 * Progress and interruption for long-running CLI work (grinding, solving):
 * a progress line on stderr with rate and an estimate of the time left, and an
 * AbortSignal tripped by Ctrl-C so the work stops cleanly and writes nothing.
 */
import type { GrindProgress } from '../identity/grind.ts';
import type { CliIo } from './io.ts';

/** Conventional exit status of a process stopped by SIGINT (128 + 2). */
export const EXIT_INTERRUPTED = 130;

/** Thousands separators for counts people read (attempts). */
export const integer = new Intl.NumberFormat('en-US');

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 1) return `${seconds.toFixed(2)} s`;
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds < 2 * 365.25 * 86400) return `${(seconds / 86400).toFixed(1)} days`;
  return `${integer.format(Math.round(seconds / (365.25 * 86400)))} years`;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '?';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(0)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/**
 * Progress on stderr: a line rewritten in place on a terminal, one line per
 * report otherwise (--progress into a log). Returns the callback and a
 * function that ends the in-place line.
 */
export function progressReporter(io: CliIo, label: string, enabled: boolean) {
  if (!enabled) return { onProgress: undefined, done: () => {}, intervalMs: undefined };
  let drawn = false;
  const onProgress = (p: GrindProgress) => {
    const line =
      `${label}: ${integer.format(p.attempts)} attempts (expected ${integer.format(Math.round(p.expectedAttempts))}), ` +
      `${formatRate(p.attemptsPerSecond)}, ${formatDuration(p.elapsedSeconds)} elapsed, ~${formatDuration(p.etaSeconds)} left`;
    if (io.interactive) {
      io.stderr(`\r${line}\x1b[K`);
      drawn = true;
    } else {
      io.stderr(`${line}\n`);
    }
  };
  const done = () => {
    if (drawn) io.stderr('\n');
    drawn = false;
  };
  return { onProgress, done, intervalMs: io.interactive ? 250 : 1000 };
}

/**
 * Runs `work` with an AbortSignal that Ctrl-C (SIGINT) or the caller's signal
 * trips. A second Ctrl-C exits at once. Returns null when interrupted.
 */
export async function interruptible<T>(
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T | null> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  const onOuter = () => controller.abort();
  process.on('SIGINT', onSigint);
  if (outer?.aborted) controller.abort();
  outer?.addEventListener('abort', onOuter, { once: true });
  try {
    return await work(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return null;
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
    outer?.removeEventListener('abort', onOuter);
  }
}
