import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { leadingZeroBits, xorBytes } from '../common/bytes.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { grindStaticIdentity, solveDynamicPuzzle, GrindAbortedError, type GrindOptions, type GrindProgress } from './grind.ts';

test('grindStaticIdentity(8) on 2 workers returns a key that independently solves c1 = 8', async () => {
  const id = await grindStaticIdentity(8, { workers: 2 });
  const publicKey = secp256k1.getPublicKey(id.secretKey, false);
  assert.deepEqual(id.publicKey, publicKey);
  const nodeAddress = keccak_256(publicKey.subarray(1));
  assert.deepEqual(id.nodeAddress, nodeAddress);
  const bits = leadingZeroBits(keccak_256(nodeAddress));
  assert.equal(id.staticBits, bits);
  assert.ok(bits >= 8);
  assert.ok(id.attempts >= 1);
  assert.ok(id.seconds > 0);
});

test('two identities ground in a row differ (each worker starts from a fresh random secret)', async () => {
  const a = await grindStaticIdentity(2, { workers: 1 });
  const b = await grindStaticIdentity(2, { workers: 1 });
  assert.notDeepEqual(a.secretKey, b.secretKey);
});

test('solveDynamicPuzzle(c2 = 8) returns an X that independently solves the dynamic puzzle', async () => {
  const nodeAddress = keccak_256(new TextEncoder().encode('some node'));
  const r = await solveDynamicPuzzle(nodeAddress, 8, { workers: 2 });
  assert.equal(r.x.length, 32);
  const bits = leadingZeroBits(keccak_256(xorBytes(nodeAddress, r.x)));
  assert.equal(r.dynamicBits, bits);
  assert.ok(bits >= 8);
});

test('bad difficulties, worker counts and addresses reject with InvalidArgumentError before any worker starts', async () => {
  for (const bad of [-1, 2.5, 65, Number.NaN, '8' as unknown as number]) {
    await assert.rejects(grindStaticIdentity(bad), InvalidArgumentError);
    await assert.rejects(solveDynamicPuzzle(new Uint8Array(32), bad), InvalidArgumentError);
  }
  await assert.rejects(grindStaticIdentity(4, { workers: 0 }), InvalidArgumentError);
  await assert.rejects(grindStaticIdentity(4, { workers: 1.5 }), InvalidArgumentError);
  await assert.rejects(grindStaticIdentity(4, { progressIntervalMs: 0 }), InvalidArgumentError);
  await assert.rejects(solveDynamicPuzzle(new Uint8Array(31), 4), InvalidArgumentError);
});

test('abort: an already-aborted signal rejects at once; aborting mid-search terminates the workers and rejects', async () => {
  await assert.rejects(grindStaticIdentity(40, { signal: AbortSignal.abort() }), GrindAbortedError);
  const progress: GrindProgress[] = [];
  const controller = new AbortController();
  const pending = grindStaticIdentity(60, {
    workers: 2,
    signal: controller.signal,
    progressIntervalMs: 20,
    onProgress: (p) => {
      progress.push(p);
      if (progress.length >= 2) controller.abort(new Error('enough'));
    },
  });
  await assert.rejects(pending, (e: unknown) => {
    assert.ok(e instanceof GrindAbortedError);
    assert.equal(e.code, 'IDENTITY_GRIND_ABORTED');
    assert.ok(e.details.attempts > 0);
    return true;
  });
  const p = progress[1]!;
  assert.equal(p.expectedAttempts, 2 ** 60);
  assert.ok(p.attempts > progress[0]!.attempts - 1 && p.attempts > 0);
  assert.ok(p.attemptsPerSecond > 0 && p.etaSeconds > 0 && p.elapsedSeconds > 0);
  const dyn = new AbortController();
  setTimeout(() => dyn.abort(), 150);
  await assert.rejects(solveDynamicPuzzle(new Uint8Array(32), 60, { workers: 1, signal: dyn.signal }), GrindAbortedError);
});

test('attempts count every worker\'s work: progress and the abort read every worker\'s shared counter', async () => {
  // Event-driven, whatever the machine's load: abort only once a progress report shows that every worker has
  // counted work (starting a worker can take seconds on a busy machine), then check the abort counted all of it.
  for (const run of [
    (options: GrindOptions) => grindStaticIdentity(60, options),
    (options: GrindOptions) => solveDynamicPuzzle(new Uint8Array(32), 60, options),
  ]) {
    const reports: GrindProgress[] = [];
    const controller = new AbortController();
    const pending = run({
      workers: 2,
      signal: controller.signal,
      progressIntervalMs: 5,
      onProgress: (p) => {
        reports.push(p);
        if (p.attemptsByWorker.every((n) => n > 0)) controller.abort();
      },
    });
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof GrindAbortedError);
      const last = reports.at(-1)!;
      // both workers' counts were in the last report, and the abort (later) counted at least as much
      assert.equal(last.attemptsByWorker.length, 2);
      assert.ok(last.attemptsByWorker.every((n) => n > 0), `by worker ${last.attemptsByWorker}`);
      assert.ok(e.details.attempts >= last.attempts, `aborted at ${e.details.attempts} < reported ${last.attempts}`);
      return true;
    });
    for (const r of reports) assert.equal(r.attempts, r.attemptsByWorker.reduce((a, b) => a + b, 0));
    // counts only grow from report to report
    for (let i = 1; i < reports.length; i++) assert.ok(reports[i]!.attempts >= reports[i - 1]!.attempts);
  }
});

test('a process that grinds, solves and aborts exits by itself (no lingering workers) [spawns a process]', async () => {
  const grind = fileURLToPath(new URL('./grind.ts', import.meta.url));
  const script = `
    const { grindStaticIdentity, solveDynamicPuzzle } = await import(${JSON.stringify(grind)});
    const id = await grindStaticIdentity(4, { workers: 2 });
    await solveDynamicPuzzle(id.nodeAddress, 4, { workers: 2 });
    await grindStaticIdentity(60, { workers: 2, signal: AbortSignal.timeout(100) }).catch(() => {});
    console.log('done', id.staticBits >= 4);
  `;
  // it exits in seconds; the 120 s cap only turns a process that never exits into a failure, whatever the load
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 120_000 }, (error, out) =>
      error ? reject(error) : resolve(out),
    );
  });
  assert.equal(stdout.trim(), 'done true');
});
