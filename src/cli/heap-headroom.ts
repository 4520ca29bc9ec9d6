/**
 * Heap headroom for long in-process simulations. V8's default old-space limit is about 4 GiB
 * whatever the machine has; a 100,000-node DHT simulation needs more (measured ~42 KB per node
 * at the end of a static run, ~70 KB under 5-minute churn: docs/dht.md §4). Rather than crash
 * with an out-of-memory abort an hour in, the CLI re-runs itself once with a larger limit.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import v8 from 'node:v8';

/** Set in the re-run child so it never re-runs itself again. */
export const HEADROOM_ENV = 'HYPERSPACE_HEAP_HEADROOM';

export interface HeadroomPlan {
  /** Bytes the run is expected to need. */
  neededBytes: number;
  /** The current V8 heap limit, bytes. */
  limitBytes: number;
  /** The old-space size to re-run with, MiB; null when the current limit is enough (or cannot be raised). */
  rerunMiB: number | null;
  /** Why a re-run cannot help (the machine is too small), if so. */
  tooSmall: boolean;
}

/**
 * Decide whether `neededBytes` fits the current heap. The re-run asks for 1.5× the need (the
 * estimate is rough and V8 slows down near its limit), capped at 75% of physical memory.
 */
export function planHeadroom(neededBytes: number, env: Record<string, string | undefined>): HeadroomPlan {
  const limitBytes = v8.getHeapStatistics().heap_size_limit;
  const capBytes = Math.floor(os.totalmem() * 0.75);
  if (neededBytes <= limitBytes || env[HEADROOM_ENV] !== undefined) return { neededBytes, limitBytes, rerunMiB: null, tooSmall: false };
  const want = Math.min(capBytes, Math.ceil(neededBytes * 1.5));
  if (want <= limitBytes) return { neededBytes, limitBytes, rerunMiB: null, tooSmall: true };
  return { neededBytes, limitBytes, rerunMiB: Math.ceil(want / 2 ** 20), tooSmall: want < neededBytes };
}

/**
 * What to say on stderr about a plan, before running or re-running: the re-run, and the warning
 * when even the re-run's heap (capped by the machine) is below the need — on both paths, since the
 * child sees HEADROOM_ENV and plans no further.
 */
export function headroomMessages(plan: HeadroomPlan, prefix: string): string[] {
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  const lines: string[] = [];
  if (plan.rerunMiB !== null) {
    lines.push(`${prefix}needs ~${gib(plan.neededBytes)} GiB of heap, limit is ${gib(plan.limitBytes)} GiB: re-running with --max-old-space-size=${plan.rerunMiB}`);
  }
  if (plan.tooSmall) {
    const allowed = plan.rerunMiB !== null ? plan.rerunMiB * 2 ** 20 : plan.limitBytes;
    lines.push(`${prefix}warning: needs ~${gib(plan.neededBytes)} GiB of heap but this machine allows ${gib(allowed)} GiB; it may run out of memory`);
  }
  return lines;
}

/**
 * Run this same command again in a child Node with `--max-old-space-size=<mib>`, passing
 * stdio through; resolves to the child's exit code.
 */
export function rerunWithHeap(mib: number): Promise<number> {
  const args = [...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')), `--max-old-space-size=${mib}`, ...process.argv.slice(1)];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, [HEADROOM_ENV]: String(mib) } });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
  });
}
