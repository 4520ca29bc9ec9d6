/**
 * Real processes (issue 10 §3): what a `hyperspace dht` client says when the network refuses it. One
 * `dht start` node (c1 = 0) is the whole network; against it, as OS processes: a name already held by
 * another identity is refused with that reason; a client whose --c1 is above the node's puzzle says
 * its contacts were refused for their puzzle; a client given the node's own keystore is told it cannot
 * join through itself (exit 2) instead of libp2p's "Can not dial self".
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../src/cli/main.ts';
import type { CliIo } from '../src/cli/io.ts';
import { HYPERSPACE_BIN, NODE24, REPO_ROOT, inParallel, runHyperspace, stackFrames } from '../src/testnet/cli-process.ts';

const ENV: NodeJS.ProcessEnv = { ...process.env, HYPERSPACE_PASSWORD: 'dht client errors', HYPERSPACE_KEYSTORE_SCRYPT_N: '1024' };
/** A client joins, acts and (for a refused put) looks the name up: minutes on a machine at load 20. */
const SLOW = 240_000;
let dir = '';
let node: ChildProcessWithoutNullStreams | undefined;

after(async () => {
  node?.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('real processes: dht clients say why the network refused them', async () => {
  dir = await mkdtemp(join(tmpdir(), 'hyperspace-dht-client-'));
  let created = '';
  const io: CliIo = { stdout: (t) => void (created += t), stderr: () => {}, env: ENV, interactive: false };
  const keystore = join(dir, 'node.json');
  assert.equal(await main(['id', 'new', '--difficulty', '0', '--keystore', keystore, '--workers', '1', '--json'], io), 0);
  const staticBits = (JSON.parse(created) as { staticBits: number }).staticBits;

  node = spawn(NODE24, [HYPERSPACE_BIN, 'dht', 'start', '--keystore', keystore, '--listen', '/ip4/127.0.0.1/tcp/0', '--c1', '0', '--json'], { cwd: REPO_ROOT, env: ENV });
  const seed = await new Promise<string>((resolve, reject) => {
    let out = '';
    node!.stdout.on('data', (d) => {
      out += d;
      const first = out.split('\n')[0]!;
      if (out.includes('\n')) resolve((JSON.parse(first) as { multiaddrs: string[] }).multiaddrs[0]!);
    });
    node!.on('exit', (code) => reject(new Error(`dht start exited ${code}`)));
  });

  const client = ['--bootstrap', seed];
  const first = await runHyperspace(['dht', 'put', ...client, '--c1', '0', '--name', 'alpha', '--value', 'one'], { env: ENV, killAfterMs: SLOW });
  assert.equal(first.code, 0, first.stderr);
  const [held, puzzle, self] = await inParallel(
    [
      // another fresh identity asks for the same name
      () => runHyperspace(['dht', 'put', ...client, '--c1', '0', '--name', 'alpha', '--value', 'two', '--json'], { env: ENV, killAfterMs: SLOW }),
      // one bit above what the node's identity meets: the node is refused as a contact
      () => runHyperspace(['dht', 'get', ...client, '--c1', String(staticBits + 1), '--name', 'alpha'], { env: ENV, killAfterMs: SLOW }),
      () => runHyperspace(['dht', 'get', ...client, '--c1', '0', '--keystore', keystore, '--name', 'alpha'], { env: ENV, killAfterMs: SLOW }),
    ],
    3,
  );
  for (const r of [held!, puzzle!, self!]) assert.deepEqual(stackFrames(r.stderr), [], r.stderr);

  assert.equal(held!.code, 1, held!.stderr);
  assert.match(held!.stderr, /the record was refused: \/hcs\/alpha is held by another publisher, 0x[0-9a-f]{64}/);
  assert.match((JSON.parse(held!.stdout) as { refused: string }).refused, /held by another publisher/);

  assert.equal(puzzle!.code, 1, puzzle!.stderr);
  assert.equal(puzzle!.stdout.trim(), 'not found');
  assert.match(puzzle!.stderr, new RegExp(`1 contact\\(s\\) refused: their static puzzle is below c1 = ${staticBits + 1}`));

  assert.equal(self!.code, 2, self!.stderr);
  assert.match(self!.stderr, /is the identity of the node at .*: a client cannot join through itself/);
  assert.doesNotMatch(self!.stderr, /dial self/i);
});
