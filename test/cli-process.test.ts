/**
 * Real processes: runs the `hyperspace` bin as a user would (Node 24 from node_modules, and npx with
 * the system PATH), checking stdout JSON, stderr and exit codes, and that Ctrl-C (a real SIGINT)
 * stops `id new` without writing anything. The in-process tests of every flag are src/cli/id.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE24 = join(ROOT, 'node_modules', '.bin', 'node');
const BIN = join(ROOT, 'bin', 'hyperspace.js');
const ENV = { ...process.env, HYPERSPACE_PASSWORD: 'process test', HYPERSPACE_KEYSTORE_SCRYPT_N: '1024' };

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void } = {},
): Promise<Result> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: options.env ?? ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000); // a hang fails the test, not the suite
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      options.onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveResult({ code, signal, stdout, stderr });
    });
  });
}

const hyperspace = (args: string[], options?: Parameters<typeof runProcess>[2]) => runProcess(NODE24, [BIN, ...args], options);

test('real process: id new, then id show and id verify agree, with the documented exit codes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hyperspace-cli-process-'));
  try {
    const path = join(dir, 'node.json');
    const created = await hyperspace(['id', 'new', '--difficulty', '8', '--keystore', path, '--workers', '1', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const identity = JSON.parse(created.stdout);
    assert.ok(identity.staticBits >= 8);
    assert.match(identity.address, /^0x[0-9a-fA-F]{40}$/);
    assert.equal((await stat(path)).mode & 0o777, 0o600);

    // the reads of one keystore are independent: run side by side (on a loaded machine each mostly waits to start)
    const [shown, wrong, valid, invalid, usage] = await Promise.all([
      hyperspace(['id', 'show', '--keystore', path, '--json']),
      hyperspace(['id', 'show', '--keystore', path], { env: { ...ENV, HYPERSPACE_PASSWORD: 'nope' } }),
      hyperspace(['id', 'verify', '--public-key', identity.publicKey, '--c1', '8', '--json']),
      hyperspace(['id', 'verify', '--public-key', identity.publicKey, '--c1', String(identity.staticBits + 1), '--json']),
      hyperspace(['id', 'verify', '--public-key', 'nothex', '--c1', '8']),
    ]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).publicKey, identity.publicKey);

    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^hyperspace: wrong password/);

    assert.equal(valid.code, 0, valid.stderr);
    assert.equal(JSON.parse(valid.stdout).valid, true);

    assert.equal(invalid.code, 1);
    assert.equal(JSON.parse(invalid.stdout).valid, false);

    assert.equal(usage.code, 2);
    assert.doesNotMatch(usage.stderr, /\n\s+at /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('real process: SIGINT during id new exits 130 and writes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hyperspace-cli-process-'));
  try {
    let sent = false;
    // c1 = 40 would take days; --progress makes the first progress line the sign that grinding runs.
    const r = await hyperspace(['id', 'new', '--difficulty', '40', '--keystore', join(dir, 'k.json'), '--workers', '1', '--progress'], {
      onStderr: (text, kill) => {
        if (!sent && /attempts/.test(text)) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    assert.ok(sent, r.stderr);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted; nothing was written/);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('real process: `npx hyperspace --help` runs on Node 24 even with an older node first on PATH', async () => {
  // The bin exits 2 with a message on Node < 24, so exit 0 with the help text means Node 24 ran it.
  const r = await runProcess('npx', ['--no-install', 'hyperspace', '--help'], { env: { ...process.env } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Usage: hyperspace <group> <command>/);
  assert.match(r.stdout, /\bid\b/);
});
