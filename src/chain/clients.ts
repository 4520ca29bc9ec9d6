/**
 * viem clients for any Hyperspace chain (embedded, anvil, or an external JSON-RPC URL): one code path, the plain
 * `http` transport (DESIGN.md §2).
 */
import { createPublicClient, createWalletClient, defineChain, http, type Account, type Chain, type PublicClient, type Transport, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

export interface ChainClientsOptions {
  /** Poll interval for receipts and filters, ms: 50 ms suits an automining local chain (viem's 4 s default suits mainnet). */
  pollingIntervalMs: number;
  /** Per-request timeout, ms. */
  timeoutMs: number;
}

export const DEFAULTS: ChainClientsOptions = {
  pollingIntervalMs: 50, // ms; local chains mine instantly
  timeoutMs: 30_000, // ms; a large deployment on a loaded machine stays well under this
};

export function hyperspaceChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? 'Hyperspace devnet' : `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export interface ChainClients {
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  /** A wallet client for `account`, signing locally (the key never goes to the node). */
  wallet(account: Account | `0x${string}`): WalletClient<Transport, Chain, Account>;
}

/** Asks the node for its chain id, then builds clients bound to it. */
export async function connectChain(rpcUrl: string, options: Partial<ChainClientsOptions> = {}): Promise<ChainClients> {
  const opts = { ...DEFAULTS, ...options };
  const transport = http(rpcUrl, { timeout: opts.timeoutMs, retryCount: 0 });
  const probe = createPublicClient({ transport });
  const chainId = await probe.getChainId();
  const chain = hyperspaceChain(chainId, rpcUrl);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: opts.pollingIntervalMs });
  return {
    chain,
    publicClient,
    wallet: (account) =>
      createWalletClient({
        chain,
        transport,
        pollingInterval: opts.pollingIntervalMs,
        account: typeof account === 'string' ? privateKeyToAccount(account) : account,
      }),
  };
}
