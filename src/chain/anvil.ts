/**
 * anvil (npm `@foundry-rs/anvil`) as a separate process (DESIGN.md §2: "tests also run against anvil"): a real
 * EVM node on a free loopback port, Prague hardfork, the same dev mnemonic and chain id as the embedded chain.
 * `close()` stops it (SIGTERM, then SIGKILL after a grace period).
 *
 * The platform binary the npm wrapper (`node_modules/.bin/anvil`) would launch is spawned directly when it can
 * be found, so the process we signal is anvil itself; otherwise the wrapper runs under this Node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BaseError } from '../common/errors.ts';
import { DEV_MNEMONIC, devAccounts, type DevAccount } from './dev-accounts.ts';

export interface AnvilOptions {
  /** Port; 0 lets anvil pick a free one (read back from its "Listening on" line). */
  port: number;
  chainId: bigint;
  accounts: number;
  /** Most time to wait for anvil to answer eth_chainId, ms (cold start from disk is ~0.3 s here). */
  startTimeoutMs: number;
  /** Time between SIGTERM and SIGKILL on close, ms. */
  killGraceMs: number;
}

export const DEFAULTS: AnvilOptions = {
  port: 0,
  chainId: 31337n, // same as the embedded chain
  accounts: 10, // anvil's default
  startTimeoutMs: 20_000, // ms; generous for a loaded 2-core machine
  killGraceMs: 2_000, // ms
};

export interface AnvilChain {
  rpcUrl: string;
  chainId: bigint;
  accounts: DevAccount[];
  pid: number;
  close(): Promise<void>;
}

export class AnvilStartError extends BaseError<{ reason: string; output: string }> {
  constructor(reason: string, output: string, cause?: unknown) {
    super('ANVIL_START', `anvil did not start: ${reason}`, { cause, details: { reason, output: output.slice(-2_000) } });
  }
}

/** The anvil executable: [command, ...leading args]. */
export function anvilCommand(): string[] {
  const require = createRequire(import.meta.url);
  const platform = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
  try {
    const pkg = require.resolve(`@foundry-rs/anvil-${platform}/package.json`);
    const binary = join(dirname(pkg), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
    if (existsSync(binary)) return [binary];
  } catch {
    /* fall back to the wrapper */
  }
  const wrapper = join(dirname(require.resolve('@foundry-rs/anvil/package.json')), 'bin.mjs');
  return [process.execPath, wrapper];
}

export async function startAnvil(options: Partial<AnvilOptions> = {}): Promise<AnvilChain> {
  const opts = { ...DEFAULTS, ...options };
  const [command, ...lead] = anvilCommand();
  const args = [
    ...lead,
    '--host', '127.0.0.1',
    '--port', String(opts.port),
    '--hardfork', 'prague',
    '--chain-id', String(opts.chainId),
    '--accounts', String(opts.accounts),
    '--mnemonic', DEV_MNEMONIC,
  ];
  const child: ChildProcess = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const rpcUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AnvilStartError(`no "Listening on" line within ${opts.startTimeoutMs} ms`, output)), opts.startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const m = /Listening on ([0-9.]+):(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}:${m[2]}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new AnvilStartError('spawn failed', output, error));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new AnvilStartError(`exited with code ${code}`, output));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  // drain output so a chatty anvil never blocks on a full pipe
  child.stdout?.resume();
  child.stderr?.resume();

  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.killGraceMs);
    await exited;
    clearTimeout(timer);
  };

  // wait until it answers JSON-RPC
  const deadline = Date.now() + opts.startTimeoutMs;
  for (;;) {
    try {
      const res = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' });
      if (res.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      await close();
      throw new AnvilStartError(`no JSON-RPC answer within ${opts.startTimeoutMs} ms`, output);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { rpcUrl, chainId: opts.chainId, accounts: devAccounts(opts.accounts), pid: child.pid ?? -1, close };
}
