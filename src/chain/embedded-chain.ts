/**
 * The embedded settlement chain (DESIGN.md §2): an in-process EVM from `@nomicfoundation/edr` (exact version
 * pinned), Prague hardfork, automine (each transaction mined at once), chain id 31337, the dev accounts of
 * `dev-accounts.ts` funded at genesis, served over JSON-RPC by our own `json-rpc-server.ts` on 127.0.0.1, so that
 * callers use viem's plain `http` transport exactly as they would against anvil or any other node.
 */
import { createRequire } from 'node:module';
import { fromHex } from 'viem';
import { BaseError } from '../common/errors.ts';
import { DEFAULTS as DEV_DEFAULTS, devAccounts, type DevAccount } from './dev-accounts.ts';
import { startJsonRpcServer, type JsonRpcOutcome, type JsonRpcRequest, type JsonRpcServerOptions } from './json-rpc-server.ts';

export interface EmbeddedChainOptions {
  /** TCP port of the JSON-RPC endpoint; 0 picks a free one. */
  port: number;
  /** Bind address; loopback by default. */
  host: string;
  /** 31337: the local-development chain id anvil and Hardhat use, so wallets and tooling recognise it. */
  chainId: bigint;
  /** Funded dev accounts (from the shared mnemonic). */
  accounts: number;
  /** Genesis balance per account, wei. */
  balance: bigint;
  /** Block gas limit: 30M, mainnet's limit when Prague shipped; a whole dispute fits in a few blocks. */
  blockGasLimit: bigint;
  /** Genesis base fee (wei/gas): 1 gwei, so fees are visible but tiny. */
  initialBaseFeePerGas: bigint;
  /** Largest JSON-RPC request body, bytes. */
  maxBodyBytes: number;
}

export const DEFAULTS: EmbeddedChainOptions = {
  port: 0,
  host: '127.0.0.1',
  chainId: 31337n, // local dev chain id (anvil, Hardhat)
  accounts: DEV_DEFAULTS.count, // 10, as anvil
  balance: DEV_DEFAULTS.balance, // 10,000 ETH each, as anvil
  blockGasLimit: 30_000_000n, // gas per block, mainnet at Prague
  initialBaseFeePerGas: 1_000_000_000n, // 1 gwei
  maxBodyBytes: 16 * 1024 * 1024, // 16 MiB, see json-rpc-server.ts
};

export const EMBEDDED_HARDFORK = 'prague';

export interface EmbeddedChain {
  rpcUrl: string;
  chainId: bigint;
  accounts: DevAccount[];
  close(): Promise<void>;
}

export class EmbeddedChainError extends BaseError<{ reason: string }> {
  constructor(reason: string, cause?: unknown) {
    super('EMBEDDED_CHAIN', `embedded chain: ${reason}`, { cause, details: { reason } });
  }
}

// The EDR module is CommonJS with a native binding; its EdrContext must be created once per process.
interface EdrResponse { data: string | unknown }
interface EdrProvider { handleRequest(request: string): Promise<EdrResponse> }
interface EdrModule {
  EdrContext: new () => {
    registerProviderFactory(chainType: string, factory: unknown): Promise<void>;
    createProvider(chainType: string, config: unknown, logger: unknown, subscription: unknown, decoder: unknown): Promise<EdrProvider>;
  };
  ContractDecoder: new () => unknown;
  L1_CHAIN_TYPE: string;
  l1ProviderFactory(): unknown;
  l1GenesisState(hardfork: number): Array<{ address: Uint8Array; balance?: bigint }>;
  l1HardforkFromString(name: string): number;
}

let contextPromise: Promise<{ edr: EdrModule; context: InstanceType<EdrModule['EdrContext']> }> | undefined;

function edrContext() {
  contextPromise ??= (async () => {
    const edr = createRequire(import.meta.url)('@nomicfoundation/edr') as EdrModule;
    const context = new edr.EdrContext();
    await context.registerProviderFactory(edr.L1_CHAIN_TYPE, edr.l1ProviderFactory());
    return { edr, context };
  })();
  return contextPromise;
}

/** Creates an EDR provider (no HTTP): for callers that want the raw request function. */
export async function createEdrBackend(options: Partial<EmbeddedChainOptions> = {}): Promise<(request: JsonRpcRequest) => Promise<JsonRpcOutcome>> {
  const opts = { ...DEFAULTS, ...options };
  let provider: EdrProvider;
  try {
    const { edr, context } = await edrContext();
    const hardfork = edr.l1HardforkFromString(EMBEDDED_HARDFORK);
    const accounts = devAccounts(opts.accounts);
    provider = await context.createProvider(
      edr.L1_CHAIN_TYPE,
      {
        allowBlocksWithSameTimestamp: false,
        allowUnlimitedContractSize: false, // EIP-170 as on a real chain
        bailOnCallFailure: true, // a reverting eth_call answers an error with the revert data, as geth and anvil do
        bailOnTransactionFailure: false, // reverted transactions are mined with status 0, as on a real chain
        chainId: opts.chainId,
        coinbase: new Uint8Array(20),
        defaultTransactionGasLimit: opts.blockGasLimit,
        genesisState: [
          ...edr.l1GenesisState(hardfork), // Prague system contracts (EIP-2935, EIP-4788, EIP-7002, EIP-7251)
          ...accounts.map((a) => ({ address: fromHex(a.address, 'bytes'), balance: opts.balance })),
        ],
        hardfork: EMBEDDED_HARDFORK,
        initialBaseFeePerGas: opts.initialBaseFeePerGas,
        minGasPrice: 0n,
        mining: { autoMine: true, blockGasLimit: opts.blockGasLimit, memPool: { order: 'Priority' } },
        network: { genesisBlockGasLimit: opts.blockGasLimit },
        networkId: opts.chainId,
        observability: {},
        ownedAccounts: accounts.map((a) => a.privateKey),
        precompileOverrides: [],
      },
      { enable: false, decodeConsoleLogInputsCallback: () => [], printLineCallback: () => {} },
      { subscriptionCallback: () => {} },
      new edr.ContractDecoder(),
    );
  } catch (error) {
    throw new EmbeddedChainError('could not create the EDR provider', error);
  }
  return async (request) => {
    const response = await provider.handleRequest(JSON.stringify({ jsonrpc: '2.0', id: 1, method: request.method, params: request.params }));
    const data = (typeof response.data === 'string' ? JSON.parse(response.data) : response.data) as JsonRpcOutcome;
    return 'error' in data ? { error: normaliseError(data.error) } : { result: data.result };
  };
}

/**
 * EDR reports a revert as `{ code: -32000, data: { reason, data: "0x…", transactionHash } }`; geth and anvil say
 * `{ code: 3, message: "execution reverted…", data: "0x…" }`, which is what viem decodes into the contract's
 * custom error. Reverts are rewritten to that shape; other errors pass unchanged.
 */
export function normaliseError(error: { code: number; message: string; data?: unknown }): { code: number; message: string; data?: unknown } {
  const inner = error.data as { data?: unknown } | undefined;
  if (inner !== null && typeof inner === 'object' && typeof inner.data === 'string' && /^0x[0-9a-fA-F]*$/.test(inner.data)) {
    return { code: 3, message: error.message, data: inner.data };
  }
  return error;
}

/** Starts an in-process Prague chain and its JSON-RPC endpoint. `close()` stops the endpoint. */
export async function startEmbeddedChain(options: Partial<EmbeddedChainOptions> = {}): Promise<EmbeddedChain> {
  const opts = { ...DEFAULTS, ...options };
  const backend = await createEdrBackend(opts);
  const serverOptions: Partial<JsonRpcServerOptions> = { host: opts.host, port: opts.port, maxBodyBytes: opts.maxBodyBytes };
  const server = await startJsonRpcServer(backend, serverOptions);
  return { rpcUrl: server.url, chainId: opts.chainId, accounts: devAccounts(opts.accounts), close: () => server.close() };
}
