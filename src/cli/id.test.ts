/**
 * `hyperspace id …` in-process through main(argv, io) with a captured CliIo.
 * Small difficulties (c1, c2 = 8) and a light scrypt (HYPERSPACE_KEYSTORE_SCRYPT_N=1024)
 * keep the whole file to a few seconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.ts';
import { runId } from './id.ts';
import type { CliIo } from './io.ts';
import { ethereumAddressOf, nodeAddressOf } from '../identity/node-address.ts';
import { dynamicPuzzleBits, staticPuzzleBits } from '../identity/puzzle.ts';
import { unlockKeystoreFile } from '../identity/keystore.ts';

const PASSWORD = 'test password';
const ENV = { HYPERSPACE_PASSWORD: PASSWORD, HYPERSPACE_KEYSTORE_SCRYPT_N: '1024' };

interface Captured {
  io: CliIo;
  out: () => string;
  err: () => string;
}

function capture(env: Record<string, string | undefined> = ENV, interactive = false): Captured {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env, interactive },
    out: () => out,
    err: () => err,
  };
}

async function run(argv: string[], env?: Record<string, string | undefined>) {
  const c = capture(env);
  const code = await main(argv, c.io);
  // Never a stack trace, whatever happened.
  assert.doesNotMatch(c.err(), /\n\s+at /, `stack trace in stderr: ${c.err()}`);
  return { code, out: c.out(), err: c.err(), json: () => JSON.parse(c.out()) };
}

const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/^0x/, ''), 'hex'));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hyperspace-id-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One shared identity for the read-only tests (created once). */
let shared: Promise<{ dir: string; path: string; identity: Record<string, any> }> | undefined;
function sharedIdentity() {
  shared ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hyperspace-id-shared-'));
    const path = join(dir, 'node.json');
    const r = await run(['id', 'new', '--difficulty', '8', '--keystore', path, '--workers', '1', '--json']);
    assert.equal(r.code, 0, r.err);
    return { dir, path, identity: r.json() };
  })();
  return shared;
}
test.after(async () => {
  if (shared) await rm((await shared).dir, { recursive: true, force: true });
});

// -- help and dispatch -----------------------------------------------------------------------

test('id --help lists the four commands and exits 0; bare `id` exits 2; unknown command exits 2', async () => {
  const help = await run(['id', '--help']);
  assert.equal(help.code, 0);
  for (const command of ['new', 'show', 'solve', 'verify', 'HYPERSPACE_PASSWORD']) assert.match(help.out, new RegExp(command));
  assert.equal((await run(['id'])).code, 2);
  const unknown = await run(['id', 'frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command 'id frobnicate'/);
});

test('each command --help explains every flag it accepts', async () => {
  const flags: Record<string, string[]> = {
    new: ['--difficulty', '--keystore', '--workers', '--force', '--progress', '--json'],
    show: ['--keystore', '--json'],
    solve: ['--keystore', '--public-key', '--c2', '--workers', '--force', '--progress', '--json'],
    verify: ['--public-key', '--c1', '--x', '--c2', '--json'],
  };
  for (const [command, list] of Object.entries(flags)) {
    const r = await run(['id', command, '--help']);
    assert.equal(r.code, 0);
    for (const flag of list) assert.match(r.out, new RegExp(`^\\s+${flag}\\b`, 'm'), `${command} ${flag}`);
  }
});

// -- id new ------------------------------------------------------------------------------------

test('id new --json writes a 0600 keystore and prints an identity whose fields agree with each other', async () => {
  const { path, identity } = await sharedIdentity();
  assert.deepEqual(Object.keys(identity).sort(), ['address', 'attempts', 'c1', 'keystore', 'nodeAddress', 'publicKey', 'seconds', 'staticBits'].sort());
  assert.equal(identity.c1, 8);
  assert.ok(identity.staticBits >= 8);
  const publicKey = fromHex(identity.publicKey);
  assert.equal(publicKey.length, 65);
  assert.equal(publicKey[0], 4);
  const nodeAddress = nodeAddressOf(publicKey);
  assert.equal(identity.nodeAddress, '0x' + Buffer.from(nodeAddress).toString('hex'));
  assert.equal(identity.address, ethereumAddressOf(nodeAddress));
  assert.equal(identity.staticBits, staticPuzzleBits(nodeAddress));
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const unlocked = await unlockKeystoreFile(path, PASSWORD);
  assert.deepEqual(unlocked.publicKey, publicKey);
  assert.equal(unlocked.meta.c1, 8);
  const file = JSON.parse(await readFile(path, 'utf8'));
  assert.equal(file.address, identity.address.slice(2).toLowerCase());
  assert.equal(file.crypto.kdfparams.n, 1024);
});

test('id new without --json prints a human summary; stdout never holds the password', async () => {
  await withDir(async (dir) => {
    const r = await run(['id', 'new', '--difficulty', '4', '--keystore', join(dir, 'k.json'), '--workers', '1']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Created identity in .*k\.json/);
    assert.match(r.out, /address\s+0x[0-9a-fA-F]{40}/);
    assert.ok(!r.out.includes(PASSWORD) && !r.err.includes(PASSWORD));
    assert.match(r.err, /HYPERSPACE_KEYSTORE_SCRYPT_N=1024 .* only for tests/);
  });
});

test('id new refuses to overwrite an existing keystore unless --force, and leaves it untouched', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'k.json');
    const first = await run(['id', 'new', '--difficulty', '2', '--keystore', path, '--workers', '1', '--json']);
    assert.equal(first.code, 0, first.err);
    const before = await readFile(path);
    const again = await run(['id', 'new', '--difficulty', '2', '--keystore', path, '--workers', '1']);
    assert.equal(again.code, 1);
    assert.match(again.err, /already exists.*--force/);
    assert.deepEqual(await readFile(path), before);
    const forced = await run(['id', 'new', '--difficulty', '2', '--keystore', path, '--workers', '1', '--force', '--json']);
    assert.equal(forced.code, 0, forced.err);
    assert.notEqual(forced.json().address, first.json().address);
    assert.deepEqual(await readdir(dir), ['k.json']);
  });
});

test('id new bad input: exit 2 for usage, 1 for failures, one line each, nothing written', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'k.json');
    const cases: [string[], number, RegExp, Record<string, string | undefined>?][] = [
      [['--keystore', path], 2, /missing required --difficulty/],
      [['--difficulty', '8'], 2, /missing required --keystore/],
      [['--difficulty', '65', '--keystore', path], 2, /--difficulty must be between 0 and 64/],
      [['--difficulty=-1', '--keystore', path], 2, /--difficulty must be between/],
      [['--difficulty', '-1', '--keystore', path], 2, /'--difficulty' argument is ambiguous/],
      [['--difficulty', 'eight', '--keystore', path], 2, /--difficulty must be an integer/],
      [['--difficulty', '8', '--keystore', path, '--workers', '0'], 2, /--workers must be between 1 and/],
      [['--difficulty', '8', '--keystore', path, '--colour'], 2, /Unknown option '--colour'/],
      [['--difficulty', '8', '--keystore', path], 2, /HYPERSPACE_PASSWORD/, { HYPERSPACE_KEYSTORE_SCRYPT_N: '1024' }],
      [['--difficulty', '8', '--keystore', path], 1, /empty password/, { ...ENV, HYPERSPACE_PASSWORD: '' }],
      [['--difficulty', '8', '--keystore', path], 2, /HYPERSPACE_KEYSTORE_SCRYPT_N must be a power of two/, { ...ENV, HYPERSPACE_KEYSTORE_SCRYPT_N: '1000' }],
      [['--difficulty', '8', '--keystore', path], 2, /HYPERSPACE_KEYSTORE_SCRYPT_N must be a power of two from 2 to 524288/, { ...ENV, HYPERSPACE_KEYSTORE_SCRYPT_N: '1048576' }],
      [['--difficulty', '8', '--keystore', join(dir, 'missing', 'k.json')], 1, /does not exist/],
    ];
    for (const [args, code, message, env] of cases) {
      const r = await run(['id', 'new', ...args], env);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.err.trim().split('\n').filter((l) => !l.startsWith('warning:')).length, 1, r.err);
      assert.equal(r.out, '');
    }
    assert.deepEqual(await readdir(dir), []);
  });
});

test('id new refuses a directory as --keystore (even with --force) and an unwritable directory before grinding', async () => {
  await withDir(async (dir) => {
    const sub = join(dir, 'sub');
    await mkdir(sub);
    // c1 = 40 would grind for months: only a check made before the search can end these runs.
    for (const extra of [[], ['--force']]) {
      const r = await run(['id', 'new', '--difficulty', '40', '--keystore', sub, '--workers', '1', ...extra]);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /is a directory or another non-regular file/);
      assert.equal(r.out, '');
    }
    assert.deepEqual(await readdir(sub), []);
    // Root may write anywhere, so the permission check can only be seen as another user.
    if (process.getuid?.() !== 0) {
      await chmod(sub, 0o555);
      const r = await run(['id', 'new', '--difficulty', '40', '--keystore', join(sub, 'k.json'), '--workers', '1']);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /is not writable/);
      await chmod(sub, 0o755);
    }
  });
});

test('id new aborted mid-search returns 130 and writes nothing', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'k.json');
    const c = capture();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    // c1 = 40 needs ~2^40 attempts: only the abort can end it.
    const code = await runId(['new', '--difficulty', '40', '--keystore', path, '--workers', '1', '--json'], c.io, { signal: controller.signal });
    assert.equal(code, 130);
    assert.match(c.err(), /interrupted; nothing was written/);
    assert.equal(c.out(), '');
    assert.deepEqual(await readdir(dir), []);
  });
});

// -- id show -----------------------------------------------------------------------------------

test('id show --json prints the same identity as id new, and c1 from the keystore', async () => {
  const { path, identity } = await sharedIdentity();
  const r = await run(['id', 'show', '--keystore', path, '--json']);
  assert.equal(r.code, 0, r.err);
  const shown = r.json();
  for (const key of ['address', 'nodeAddress', 'publicKey', 'staticBits', 'c1']) assert.deepEqual(shown[key], identity[key], key);
  const human = await run(['id', 'show', '--keystore', path]);
  assert.match(human.out, new RegExp(identity.address));
});

test('id show reads a keystore made by another tool (the spec\'s pbkdf2 vector); c1 is null there', async () => {
  await withDir(async (dir) => {
    const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/keystore.json', import.meta.url), 'utf8'));
    const v = vectors.official.find((x: any) => x.keystore.crypto.kdf === 'pbkdf2');
    const path = join(dir, 'UTC--geth.json');
    await writeFile(path, JSON.stringify(v.keystore));
    const r = await run(['id', 'show', '--keystore', path, '--json'], { HYPERSPACE_PASSWORD: v.password });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json().address, v.address);
    assert.equal(r.json().c1, null);
  });
});

test('id show: wrong password, missing file, corrupt file → exit 1 with a one-line reason, file unchanged', async () => {
  const { path } = await sharedIdentity();
  const before = await readFile(path);
  const wrong = await run(['id', 'show', '--keystore', path, '--json'], { HYPERSPACE_PASSWORD: 'nope' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /^hyperspace: wrong password for keystore .*node\.json\n$/);
  assert.equal(wrong.json().error.code, 'KEYSTORE_WRONG_PASSWORD');
  assert.deepEqual(await readFile(path), before);
  await withDir(async (dir) => {
    const missing = await run(['id', 'show', '--keystore', join(dir, 'absent.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /keystore not found/);
    const corrupt = join(dir, 'corrupt.json');
    await writeFile(corrupt, '{"version": 3, "id": "x"}');
    const c = await run(['id', 'show', '--keystore', corrupt]);
    assert.equal(c.code, 1);
    assert.match(c.err, /corrupt or unsupported keystore .*id must be a UUID/);
    assert.equal(await readFile(corrupt, 'utf8'), '{"version": 3, "id": "x"}');
  });
  assert.equal((await run(['id', 'show'])).code, 2);
});

// -- id solve ----------------------------------------------------------------------------------

test('id solve --keystore --c2 8 prints an X meeting c2 for that NodeAddress', async () => {
  const { path, identity } = await sharedIdentity();
  const r = await run(['id', 'solve', '--keystore', path, '--c2', '8', '--workers', '1', '--json']);
  assert.equal(r.code, 0, r.err);
  const out = r.json();
  assert.equal(out.nodeAddress, identity.nodeAddress);
  assert.equal(out.c2, 8);
  assert.match(out.x, /^0x[0-9a-f]{64}$/);
  const bits = dynamicPuzzleBits(fromHex(identity.nodeAddress), fromHex(out.x));
  assert.ok(bits >= 8);
  assert.equal(out.dynamicBits, bits);
});

test('id solve --public-key needs no password; bad combinations are usage errors', async () => {
  const { identity } = await sharedIdentity();
  const r = await run(['id', 'solve', '--public-key', identity.publicKey, '--c2', '6', '--workers', '1', '--json'], {});
  assert.equal(r.code, 0, r.err);
  assert.ok(dynamicPuzzleBits(fromHex(identity.nodeAddress), fromHex(r.json().x)) >= 6);
  for (const args of [
    ['--c2', '8'],
    ['--c2', '8', '--public-key', identity.publicKey, '--keystore', 'k.json'],
    ['--public-key', identity.publicKey],
    ['--public-key', identity.publicKey, '--c2', '99'],
    ['--public-key', '0x04' + '00'.repeat(64), '--c2', '8'],
  ]) {
    const bad = await run(['id', 'solve', ...args], {});
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.err}`);
  }
});

test('id solve --c2 64 prints the expected time from the measured rate and refuses it without --force', async () => {
  const { identity } = await sharedIdentity();
  const r = await run(['id', 'solve', '--public-key', identity.publicKey, '--c2', '64', '--workers', '1'], {});
  assert.equal(r.code, 1, r.err);
  assert.equal(r.out, '');
  // 2^64 attempts: years at any rate a CPU reaches, so the refusal does not depend on this machine's speed
  assert.match(r.err, /solving c2=64: expected 18,446,744,073,709,55\d,\d{3} attempts at the measured .*: about [\d,]+ years\n/);
  assert.match(r.err, /hyperspace: solving c2=64: expected time [\d,]+ years .* above the 7\.0 days limit: stopped; pass --force to run it anyway\n$/);
});

test('id solve --c2 64 --force runs on past the estimate (stopped here by the caller)', async () => {
  const { identity } = await sharedIdentity();
  const c = capture({});
  const controller = new AbortController();
  const stderr = c.io.stderr;
  // Abort once the estimate has been printed: the search was not refused.
  c.io.stderr = (t) => {
    stderr(t);
    if (/expected .* attempts at the measured/.test(t)) setImmediate(() => controller.abort());
  };
  const code = await runId(['solve', '--public-key', identity.publicKey, '--c2', '64', '--workers', '1', '--force'], c.io, { signal: controller.signal });
  assert.equal(code, 130, c.err());
  assert.doesNotMatch(c.err(), /--force to run it anyway/);
});

// -- id verify ---------------------------------------------------------------------------------

test('id verify: a valid identity exits 0 with valid:true; a too-high c1 exits 1 with a reason', async () => {
  const { identity } = await sharedIdentity();
  const ok = await run(['id', 'verify', '--public-key', identity.publicKey, '--c1', '8', '--json'], {});
  assert.equal(ok.code, 0, ok.err);
  const v = ok.json();
  assert.equal(v.valid, true);
  assert.equal(typeof v.reason, 'string');
  assert.equal(v.address, identity.address);
  assert.equal(v.nodeAddress, identity.nodeAddress);
  assert.equal(v.staticBits, identity.staticBits);
  assert.equal(v.c1, 8);
  const tooHard = await run(['id', 'verify', '--public-key', identity.publicKey, '--c1', String(identity.staticBits + 1), '--json'], {});
  assert.equal(tooHard.code, 1);
  assert.equal(tooHard.json().valid, false);
  assert.ok(tooHard.json().reason.length > 0);
  const human = await run(['id', 'verify', '--public-key', identity.publicKey, '--c1', String(identity.staticBits + 1)], {});
  assert.equal(human.code, 1);
  assert.match(human.out, /^INVALID/);
});

test('id verify with --x/--c2 checks the dynamic puzzle', async () => {
  const { identity } = await sharedIdentity();
  const solved = await run(['id', 'solve', '--public-key', identity.publicKey, '--c2', '8', '--workers', '1', '--json'], {});
  const { x, dynamicBits } = solved.json();
  const ok = await run(['id', 'verify', '--public-key', identity.publicKey, '--c1', '8', '--x', x, '--c2', '8', '--json'], {});
  assert.equal(ok.code, 0, ok.out);
  assert.equal(ok.json().valid, true);
  assert.equal(ok.json().dynamicBits, dynamicBits);
  assert.equal(ok.json().c2, 8);
  const tooHard = await run(['id', 'verify', '--public-key', identity.publicKey, '--c1', '8', '--x', x, '--c2', String(dynamicBits + 1), '--json'], {});
  assert.equal(tooHard.code, 1);
  assert.equal(tooHard.json().valid, false);
});

test('id verify: a 65-byte string that is not a curve point is invalid (exit 1), not a crash', async () => {
  const r = await run(['id', 'verify', '--public-key', '0x04' + '11'.repeat(64), '--c1', '0', '--json'], {});
  assert.equal(r.code, 1, r.err);
  assert.equal(r.json().valid, false);
});

test('id verify bad input is a usage error (exit 2)', async () => {
  const { identity } = await sharedIdentity();
  const pk = identity.publicKey;
  const cases: [string[], RegExp][] = [
    [['--c1', '8'], /missing required --public-key/],
    [['--public-key', pk], /missing required --c1/],
    [['--public-key', 'xyz', '--c1', '8'], /--public-key is not hex/],
    [['--public-key', pk.slice(0, 66), '--c1', '8'], /--public-key must be 65 bytes/],
    [['--public-key', pk + '00', '--c1', '8'], /--public-key must be 65 bytes/],
    [['--public-key', pk, '--c1', '65'], /--c1 must be between 0 and 64/],
    [['--public-key', pk, '--c1', '8', '--x', '00'.repeat(32)], /--x and --c2 go together/],
    [['--public-key', pk, '--c1', '8', '--c2', '8'], /--x and --c2 go together/],
    [['--public-key', pk, '--c1', '8', '--x', '00'.repeat(31), '--c2', '8'], /--x must be 32 bytes/],
    [['--public-key', pk, '--c1', '8', '--x', 'zz'.repeat(32), '--c2', '8'], /--x is not hex/],
  ];
  for (const [args, message] of cases) {
    const r = await run(['id', 'verify', ...args], {});
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
  }
});
