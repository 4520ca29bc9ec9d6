/**
 * `npm test` after `tsc --noEmit`: `node --test` over src/ and test/, two files at a time, with Node's module
 * compile cache on.
 *
 *   node_modules/.bin/node scripts/test.ts [extra node --test flags, e.g. --test-reporter=dot]
 *
 * Why the cache: every test file is its own process, and many tests start `hyperspace` processes too, so each of
 * ~100 processes used to strip the types of and compile the same few hundred modules again. With
 * NODE_COMPILE_CACHE set (inherited by every child), each module is compiled once and reused while its source is
 * unchanged (Node checks a hash of the source). Measured on 27 test files, one run after another at load ~16: 36 and
 * 35 s of CPU without it, 33 s with a cold cache (later files reuse what earlier ones compiled), 27 s warm. A
 * NODE_COMPILE_CACHE already set wins; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 *
 * Why two at a time on 2 cores: most test files wait on processes, sockets or the chain part of the time, so two
 * keep both cores busy, and every file's own workers and child processes already add parallelism. On this shared
 * machine (load 15–25 from other work) 32 of the files took 144 and 176 s one at a time, 149 and 119 s two at a
 * time, 100 and 252 s three at a time: the others' load decides, and more files at once only takes a larger share.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = [
  '--test',
  '--test-concurrency=2',
  // a test that runs over 5 minutes fails instead of hanging the run
  '--test-timeout=300000',
  ...process.argv.slice(2),
  'src/**/*.test.ts',
  'test/**/*.test.ts',
];
const env = { NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache'), ...process.env };
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
if (run.error) throw run.error;
process.exitCode = run.status ?? 1;
