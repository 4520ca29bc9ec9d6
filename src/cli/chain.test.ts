/**
 * `hyperspace chain …`: start (in-process and as a real process, stopped by abort / SIGINT), deploy to anvil
 * (real process) and status, usage errors and an unreachable RPC URL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startAnvil } from '../chain/anvil.ts';
import { runChain } from './chain.ts';
import { main } from './main.ts';
import type { CliIo } from './io.ts';

function capture(env: Record<string, string | undefined> = {}) {
  const c = { out: '', err: '', io: undefined as unknown as CliIo };
  c.io = { stdout: (t) => void (c.out += t), stderr: (t) => void (c.err += t), env, interactive: false };
  return c;
}

/** Polls `check` until it holds; the cap only turns a hang into a failure (a devnet starts in seconds, more under load). */
async function until(check: () => boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('chain start --json serves a deployed devnet until stopped; status reads it back', async () => {
  const c = capture();
  const controller = new AbortController();
  const done = runChain(['start', '--port', '0', '--c1', '8', '--json'], c.io, { signal: controller.signal });
  await until(() => c.out.trim().endsWith('}'));
  const info = JSON.parse(c.out) as { rpcUrl: string; chainId: number; accounts: { address: string }[]; contracts: Record<string, string> };
  assert.equal(info.chainId, 31337);
  assert.equal(info.accounts.length, 10);
  for (const name of ['staking', 'modelRegistry', 'feeEscrow']) assert.match(info.contracts[name]!, /^0x[0-9a-fA-F]{40}$/);
  const s = capture();
  assert.equal(await main(['chain', 'status', '--rpc-url', info.rpcUrl, '--staking', info.contracts.staking!, '--fee-escrow', info.contracts.feeEscrow!, '--json'], s.io), 0);
  const status = JSON.parse(s.out) as { chainId: number; staking: { staticDifficulty: string; disputeContract: string }; feeEscrow: { disputeContract: string } };
  assert.equal(status.chainId, 31337);
  assert.equal(status.staking.staticDifficulty, '8');
  if (info.contracts.dispute) assert.equal(status.staking.disputeContract.toLowerCase(), info.contracts.dispute.toLowerCase());
  controller.abort();
  assert.equal(await done, 0);
  await assert.rejects(fetch(info.rpcUrl, { method: 'POST', body: '{}' })); // endpoint closed
});

test('chain deploy --rpc-url deploys to anvil (real process)', async () => {
  const anvil = await startAnvil();
  try {
    const c = capture();
    assert.equal(await main(['chain', 'deploy', '--rpc-url', anvil.rpcUrl, '--json'], c.io), 0, c.err);
    const out = JSON.parse(c.out) as { chainId: number; contracts: Record<string, string>; gas: Record<string, string> };
    assert.equal(out.chainId, 31337);
    assert.match(out.contracts.staking!, /^0x[0-9a-fA-F]{40}$/);
    assert.ok(Number(out.gas.Staking) > 100_000);
    // a non-dev chain id needs an explicit key; a malformed key is a usage error
    const bad = capture({ HYPERSPACE_DEPLOYER_KEY: '0x1234' });
    assert.equal(await main(['chain', 'deploy', '--rpc-url', anvil.rpcUrl], bad.io), 2);
  } finally {
    await anvil.close();
  }
});

test('chain commands refuse bad flags (exit 2) and report an unreachable node (exit 1)', async () => {
  for (const argv of [['chain', 'deploy'], ['chain', 'status', '--rpc-url', 'ftp://x'], ['chain', 'status', '--rpc-url', 'http://127.0.0.1:1', '--staking', '0x12'], ['chain', 'start', '--port', '70000'], ['chain', 'nope']]) {
    const c = capture();
    assert.equal(await main(argv, c.io), 2, argv.join(' '));
  }
  const c = capture();
  assert.equal(await main(['chain', 'status', '--rpc-url', 'http://127.0.0.1:1', '--json'], c.io), 1);
  assert.equal(JSON.parse(c.out).error.code, 'CHAIN_RPC');
});

test('hyperspace chain start (real process) prints JSON and exits 0 on SIGINT', async () => {
  const bin = fileURLToPath(new URL('../../bin/hyperspace.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'chain', 'start', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await until(() => out.trim().endsWith('}'));
    const info = JSON.parse(out) as { rpcUrl: string };
    const res = await fetch(info.rpcUrl, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' });
    assert.deepEqual(await res.json(), { jsonrpc: '2.0', id: 1, result: '0x7a69' });
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
