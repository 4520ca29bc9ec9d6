/**
 * Real processes (issue 10 §2): every command group's main failure paths, run as `hyperspace` OS
 * processes a few at a time, end with one line on stderr (`hyperspace: …`) and the documented exit
 * code — never a stack trace. Shared setup: one temp dir with a keystore, a TCP port held by this
 * process (the "anvil already on 8545" case; it also plays an RPC URL that hangs up), and one
 * embedded chain for the unfunded deployer.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded-chain.ts';
import { main } from '../src/cli/main.ts';
import type { CliIo } from '../src/cli/io.ts';
import { inParallel, runHyperspace, stackFrames, type ProcessResult } from '../src/testnet/cli-process.ts';

const ENV: NodeJS.ProcessEnv = { ...process.env, HYPERSPACE_PASSWORD: 'cli errors test', HYPERSPACE_KEYSTORE_SCRYPT_N: '1024' };
delete ENV['HYPERSPACE_DEBUG'];
/** Processes at once: a 2-core machine, shared; each process mostly waits on its own start-up. */
const BOUND = 3;

let dir = '';
let held: Server;
let heldPort = 0;
let chain: EmbeddedChain;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hyperspace-cli-errors-'));
  const io: CliIo = { stdout: () => {}, stderr: () => {}, env: ENV, interactive: false };
  assert.equal(await main(['id', 'new', '--difficulty', '0', '--keystore', join(dir, 'k.json'), '--workers', '1'], io), 0);
  await writeFile(join(dir, 'not-a-model.hsm'), 'hello');
  // Holds a port; hangs up on anyone who connects (an RPC URL that answers nothing, at once).
  held = createServer((socket) => socket.destroy());
  await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
  heldPort = (held.address() as { port: number }).port;
  chain = await startEmbeddedChain({ port: 0 });
});

after(async () => {
  await new Promise((r) => held?.close(r));
  await chain?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Case {
  args: string[];
  code: number;
  /** What the one error line must say. */
  says: RegExp;
  env?: Record<string, string>;
}

const UNFUNDED_KEY = `0x${'11'.repeat(32)}`;

function cases(): Case[] {
  const ks = join(dir, 'k.json');
  return [
    { args: ['nosuchgroup'], code: 2, says: /unknown group/ },
    { args: ['id', 'new', '--keystore', join(dir, 'x.json')], code: 2, says: /missing required --difficulty/ },
    { args: ['id', 'new', '--difficulty', '4', '--keystore', join(dir, 'no', 'such', 'dir', 'k.json')], code: 1, says: /director/ },
    { args: ['id', 'show', '--keystore', join(dir, 'missing.json')], code: 1, says: /keystore not found/ },
    { args: ['id', 'show', '--keystore', ks], env: { HYPERSPACE_PASSWORD: 'wrong' }, code: 1, says: /wrong password/ },
    { args: ['id', 'verify', '--public-key', 'nothex', '--c1', '8'], code: 2, says: /not hex/ },
    { args: ['id', 'solve', '--keystore', ks, '--c2', '65'], code: 2, says: /--c2 must be between/ },
    { args: ['model', 'info', join(dir, 'not-a-model.hsm')], code: 1, says: /truncated/ },
    { args: ['model', 'run', 'no-such-model', '--prompt', 'x'], code: 1, says: /no model file or shipped model/ },
    { args: ['model', 'run', 'sort-transformer'], code: 2, says: /--prompt/ },
    { args: ['chain', 'start', '--port', String(heldPort)], code: 1, says: new RegExp(`port ${heldPort} .*already in use.*--port`) },
    { args: ['chain', 'start', '--port', '70000'], code: 2, says: /--port must be between/ },
    { args: ['chain', 'deploy', '--rpc-url', chain.rpcUrl], env: { HYPERSPACE_DEPLOYER_KEY: UNFUNDED_KEY }, code: 1, says: /deployer 0x[0-9a-fA-F]{40} has 0 ETH .* short by [0-9.]+ ETH/ },
    { args: ['chain', 'deploy', '--rpc-url', `http://127.0.0.1:${heldPort}`], code: 1, says: /cannot talk to the chain/ },
    { args: ['chain', 'status', '--rpc-url', 'not a url'], code: 2, says: /not a URL/ },
    { args: ['sim', 'dht', '--nodes', '1'], code: 2, says: /--nodes must be between/ },
    { args: ['sim', 'nosuch'], code: 2, says: /unknown sim command/ },
    { args: ['dht', 'start', '--keystore', join(dir, 'missing.json'), '--listen', '/ip4/127.0.0.1/tcp/0'], code: 1, says: /keystore not found/ },
    { args: ['dht', 'get', '--bootstrap', '/ip4/127.0.0.1/tcp/1', '--c1', '2', '--name', 'x'], code: 1, says: /could not reach any bootstrap node/ },
    { args: ['dht', 'get', '--bootstrap', 'garbage', '--name', 'x'], code: 2, says: /--bootstrap "garbage" is not a multiaddr/ },
    // refused before the join: the bootstrap address is unreachable, so a join would have exited 1
    { args: ['dht', 'put', '--bootstrap', '/ip4/127.0.0.1/tcp/1', '--c1', '2', '--name', 'x', '--value-hex', '00'.repeat(4097)], code: 2, says: /the value is 4097 bytes, over the 4096-byte limit/ },
    { args: ['dht', 'put', '--bootstrap', '/ip4/127.0.0.1/tcp/1', '--c1', '2', '--namespace', '/nope/', '--name', 'x', '--value', 'v'], code: 2, says: /--namespace must be one of/ },
  ];
}

test('real processes: every failure path prints one line and its exit code, never a stack frame', async () => {
  const list = cases();
  const results = await inParallel(
    list.map((c) => () => runHyperspace(c.args, { env: { ...ENV, ...c.env }, killAfterMs: 60_000 })),
    BOUND,
  );
  const problems: string[] = [];
  results.forEach((r: ProcessResult, i) => {
    const c = list[i]!;
    const what = `hyperspace ${c.args.join(' ')} → exit ${r.code}\n${r.stderr}`;
    if (stackFrames(r.stderr + r.stdout).length > 0) problems.push(`stack trace from ${what}`);
    if (r.code !== c.code) problems.push(`expected exit ${c.code} from ${what}`);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('hyperspace'));
    if (!lines.some((l) => c.says.test(l))) problems.push(`expected a line matching ${c.says} from ${what}`);
    if (/unexpected error/.test(r.stderr)) problems.push(`unexpected error from ${what}`);
  });
  assert.deepEqual(problems, []);
});

test('real process: HYPERSPACE_DEBUG=1 adds the stack trace that is otherwise hidden', async () => {
  const args = ['chain', 'status', '--rpc-url', `http://127.0.0.1:${heldPort}`];
  const [plain, debug] = await inParallel([() => runHyperspace(args, { env: ENV }), () => runHyperspace(args, { env: { ...ENV, HYPERSPACE_DEBUG: '1' } })], 2);
  assert.equal(plain!.code, 1);
  assert.deepEqual(stackFrames(plain!.stderr), []);
  assert.equal(debug!.code, 1);
  assert.ok(stackFrames(debug!.stderr).length > 0, debug!.stderr);
});
