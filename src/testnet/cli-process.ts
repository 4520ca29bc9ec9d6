/**
 * Test scaffolding: run the `hyperspace` command as a real OS process (Node 24 from node_modules, the
 * checkout's bin/hyperspace.js), several at a time within a bound, and spot stack traces in what it
 * printed. Used by the real-process CLI tests in test/.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const NODE24 = join(REPO_ROOT, 'node_modules', '.bin', 'node');
export const HYPERSPACE_BIN = join(REPO_ROOT, 'bin', 'hyperspace.js');

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Kill after this many ms (a hang fails the test instead of the suite); default 60 s. */
  killAfterMs?: number;
  /** Called with all stderr so far on each chunk; `kill` sends the child a signal. */
  onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void;
}

/** Runs `hyperspace <args>` to completion. */
export function runHyperspace(args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE24, [HYPERSPACE_BIN, ...args], { cwd: REPO_ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      options.onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `tasks` with at most `bound` in flight (a 2-core machine shared by other work); results in order. */
export async function inParallel<T>(tasks: readonly (() => Promise<T>)[], bound: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(bound, tasks.length) }, worker));
  return results;
}

/** Lines that look like a JavaScript stack frame (`    at fn (file:line:col)`), as Node prints them. */
export function stackFrames(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at\s+\S/.test(l));
}
