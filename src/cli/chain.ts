/**
 * `hyperspace chain …`: the settlement chain (DESIGN.md §2; docs/contracts.md).
 *
 *   chain start  [--port p] [--c1 bits] [--json]   embedded EVM + JSON-RPC endpoint + deployed contracts, until Ctrl-C
 *   chain deploy --rpc-url <url> [--c1 bits] [--json]   deploy to an existing node (anvil, a testnet)
 *   chain status --rpc-url <url> [--staking a] [--fee-escrow a] [--model-registry a] [--json]
 *
 * The deployer key comes from HYPERSPACE_DEPLOYER_KEY, or, on chain id 31337 only, dev account 0 of the public
 * dev mnemonic. Keys are never taken from the command line (they would land in shell history).
 */
import { isAddress, type Address } from 'viem';
import { BaseError } from '../common/errors.ts';
import { feeEscrowAbi, modelRegistryAbi, stakingAbi } from '../chain/artifacts.ts';
import { connectChain } from '../chain/clients.ts';
import { DEFAULTS as DEPLOY_DEFAULTS, deployContracts, type DeployOptions, type DeployResult } from '../chain/deploy.ts';
import { startEmbeddedChain } from '../chain/embedded-chain.ts';
import { intFlag, parse } from './args.ts';
import { DEPLOYER_KEY_ENV, deployerKey, fundsCheckedWallet } from './chain-deployer.ts';
import { EXIT_OK, EXIT_USAGE, UsageError, printJson, type CliIo } from './io.ts';

export interface ChainContext {
  /** Stops `chain start` (tests); Ctrl-C and SIGTERM also stop it. */
  signal?: AbortSignal;
}

const GROUP_HELP = `Usage: hyperspace chain <command> [options]

Commands:
  start    run the embedded chain (EDR, Prague) with the contracts deployed, until Ctrl-C
  deploy   deploy the contracts to a running chain (--rpc-url)
  status   chain id, block, and the parameters of deployed contracts (--rpc-url)

Run \`hyperspace chain <command> --help\` for its options.
`;

const START_HELP = `Usage: hyperspace chain start [--port <p>] [--c1 <bits>] [--json]

Starts an in-process EVM (Prague, chain id 31337, automine, 10 funded dev accounts from the public dev mnemonic)
behind a JSON-RPC endpoint on 127.0.0.1, deploys ModelRegistry, Staking, FeeEscrow, the dispute contracts and
CommitteeRegistry, prints { rpcUrl, chainId, accounts, contracts } and keeps serving until Ctrl-C.

Options:
  --port <p>     TCP port, 0..65535 (default 8545; 0 picks a free one)
  --c1 <bits>    static puzzle difficulty Staking enforces, 0..64 (default ${DEPLOY_DEFAULTS.staticDifficulty})
  --json         print JSON on stdout
  -h, --help     show this help
`;

const DEPLOY_HELP = `Usage: hyperspace chain deploy --rpc-url <url> [--c1 <bits>] [--json]

Deploys the contracts to a running chain and prints their addresses. The deployer key is read from
${DEPLOYER_KEY_ENV} (0x-prefixed 32-byte hex); on chain id 31337 it defaults to dev account 0.

Options:
  --rpc-url <url>  JSON-RPC endpoint (required)
  --c1 <bits>      static puzzle difficulty, 0..64 (default ${DEPLOY_DEFAULTS.staticDifficulty})
  --json           print JSON on stdout
  -h, --help       show this help
`;

const STATUS_HELP = `Usage: hyperspace chain status --rpc-url <url> [--staking <addr>] [--fee-escrow <addr>] [--model-registry <addr>] [--json]

Prints the chain id and block number, and for each contract address given, its parameters.

Options:
  --rpc-url <url>            JSON-RPC endpoint (required)
  --staking <addr>           Staking contract
  --fee-escrow <addr>        FeeEscrow contract
  --model-registry <addr>    ModelRegistry contract
  --json                     print JSON on stdout
  -h, --help                 show this help
`;

/** `chain start --port p` when something else (often anvil or hardhat, on 8545) already listens on p. */
export class PortInUseError extends BaseError<{ port: number }> {
  constructor(port: number) {
    super(
      'PORT_IN_USE',
      `port ${port} on 127.0.0.1 is already in use${port === 8545 ? ' (8545 is the usual port of anvil and hardhat)' : ''}: ` +
        'choose another with --port <p>, or --port 0 for any free port',
      { details: { port } },
    );
  }
}

export class ChainRpcError extends BaseError<{ rpcUrl: string }> {
  constructor(rpcUrl: string, cause: unknown) {
    super('CHAIN_RPC', `cannot talk to the chain at ${rpcUrl}: ${(cause as Error)?.message?.split('\n')[0] ?? String(cause)}`, { cause, details: { rpcUrl } });
  }
}

const COMMANDS: Record<string, { help: string; run: (argv: string[], io: CliIo, context: ChainContext) => Promise<number> }> = {
  start: { help: START_HELP, run: runStart },
  deploy: { help: DEPLOY_HELP, run: runDeploy },
  status: { help: STATUS_HELP, run: runStatus },
};

export async function runChain(argv: string[], io: CliIo, context: ChainContext = {}): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(GROUP_HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const entry = COMMANDS[command];
  if (!entry) throw new UsageError(`unknown command 'chain ${command}'`, 'run `hyperspace chain --help` for the commands');
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(entry.help);
    return EXIT_OK;
  }
  return entry.run(rest, io, context);
}

function rpcUrlFlag(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new UsageError('missing required --rpc-url');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--rpc-url is not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--rpc-url must be http:// or https://');
  return value;
}

function addressFlag(value: unknown, flag: string): Address | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) throw new UsageError(`--${flag} is not a 20-byte hex address`);
  return value as Address;
}

function summary(deployed: DeployResult): Record<string, unknown> {
  return { contracts: deployed.contracts, gas: deployed.gas, blockNumber: deployed.blockNumber };
}

async function deployTo(rpcUrl: string, io: CliIo, options: Partial<DeployOptions>): Promise<{ chainId: number; deployed: DeployResult }> {
  let clients;
  try {
    clients = await connectChain(rpcUrl);
  } catch (error) {
    throw new ChainRpcError(rpcUrl, error);
  }
  const wallet = fundsCheckedWallet(clients.publicClient, clients.wallet(deployerKey(io, clients.chain.id)));
  const deployed = await deployContracts({ publicClient: clients.publicClient, wallet }, options);
  return { chainId: clients.chain.id, deployed };
}

async function runStart(argv: string[], io: CliIo, context: ChainContext): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, c1: { type: 'string' }, json: { type: 'boolean' } });
  const port = intFlag(values.port, 'port', 0, 65_535, 8545); // 8545: the conventional Ethereum JSON-RPC port
  const c1 = intFlag(values.c1, 'c1', 0, 64, DEPLOY_DEFAULTS.staticDifficulty);
  const chain = await startEmbeddedChain({ port }).catch((error: unknown) => {
    throw (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE' ? new PortInUseError(port) : error;
  });
  try {
    const { chainId, deployed } = await deployTo(chain.rpcUrl, io, { staticDifficulty: c1 });
    const info = {
      rpcUrl: chain.rpcUrl,
      chainId,
      hardfork: 'prague',
      accounts: chain.accounts,
      ...summary(deployed),
    };
    if (values.json) printJson(io, info);
    else {
      io.stdout(`embedded chain ${chainId} (Prague) at ${chain.rpcUrl}\n`);
      for (const [name, address] of Object.entries(deployed.contracts)) io.stdout(`  ${name.padEnd(16)} ${address}\n`);
      io.stdout(`dev accounts (public test mnemonic, 10,000 ETH each):\n`);
      for (const a of chain.accounts) io.stdout(`  ${a.address}  ${a.privateKey}\n`);
      io.stdout('serving; Ctrl-C stops\n');
    }
    await waitForStop(context.signal);
  } finally {
    await chain.close();
  }
  if (!values.json) io.stderr('hyperspace: chain stopped\n');
  return EXIT_OK;
}

/** Resolves on Ctrl-C, SIGTERM or the caller's signal; removes only its own listeners. */
function waitForStop(signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
    if (signal?.aborted) stop();
  });
}

async function runDeploy(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { 'rpc-url': { type: 'string' }, c1: { type: 'string' }, json: { type: 'boolean' } });
  const rpcUrl = rpcUrlFlag(values['rpc-url']);
  const c1 = intFlag(values.c1, 'c1', 0, 64, DEPLOY_DEFAULTS.staticDifficulty);
  const { chainId, deployed } = await deployTo(rpcUrl, io, { staticDifficulty: c1 });
  if (values.json) printJson(io, { rpcUrl, chainId, ...summary(deployed) });
  else for (const [name, address] of Object.entries(deployed.contracts)) io.stdout(`${name.padEnd(16)} ${address}\n`);
  return EXIT_OK;
}

async function runStatus(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    'rpc-url': { type: 'string' },
    staking: { type: 'string' },
    'fee-escrow': { type: 'string' },
    'model-registry': { type: 'string' },
    json: { type: 'boolean' },
  });
  const rpcUrl = rpcUrlFlag(values['rpc-url']);
  const staking = addressFlag(values.staking, 'staking');
  const feeEscrow = addressFlag(values['fee-escrow'], 'fee-escrow');
  const modelRegistry = addressFlag(values['model-registry'], 'model-registry');
  let out: Record<string, unknown>;
  try {
    const { publicClient: pc, chain } = await connectChain(rpcUrl);
    const block = await pc.getBlock();
    out = { rpcUrl, chainId: chain.id, blockNumber: block.number, timestamp: block.timestamp };
    if (staking) {
      const read = <F extends 'staticDifficulty' | 'withdrawalDelay' | 'minimumStake' | 'disputeContract' | 'totalBurned' | 'owner'>(functionName: F) =>
        pc.readContract({ address: staking, abi: stakingAbi, functionName });
      out.staking = {
        address: staking,
        owner: await read('owner'),
        disputeContract: await read('disputeContract'),
        staticDifficulty: await read('staticDifficulty'),
        withdrawalDelay: await read('withdrawalDelay'),
        minimumStake: await read('minimumStake'),
        totalBurned: await read('totalBurned'),
        balance: await pc.getBalance({ address: staking }),
      };
    }
    if (feeEscrow) {
      out.feeEscrow = {
        address: feeEscrow,
        disputeContract: await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'disputeContract' }),
        bondChallengeWindow: await pc.readContract({ address: feeEscrow, abi: feeEscrowAbi, functionName: 'bondChallengeWindow' }),
        balance: await pc.getBalance({ address: feeEscrow }),
      };
    }
    if (modelRegistry) {
      out.modelRegistry = { address: modelRegistry, models: await pc.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'modelCount' }) };
    }
  } catch (error) {
    throw new ChainRpcError(rpcUrl, error);
  }
  if (values.json) printJson(io, out);
  else for (const [k, v] of Object.entries(out)) io.stdout(`${k.padEnd(14)} ${typeof v === 'object' ? JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)) : String(v)}\n`);
  return EXIT_OK;
}
