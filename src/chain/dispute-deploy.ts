/**
 * Deploys the dispute contracts (whitepaper §2.2.5; docs/dispute.md §5): OneStepVerifier and DisputeGame wired to
 * a Staking and a ModelRegistry. `deployDispute` has the DisputeDeployer shape deploy.ts looks for.
 *
 * ABIs and bytecode come from the generated src/chain/artifacts.ts when it already holds them, else from an
 * in-process solc-js compile of contracts/** (compile-contracts.ts, the same settings), cached per process.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem';
import { compileContracts } from './compile-contracts.ts';
import { BaseError } from '../common/errors.ts';
import { concatBytes, toHex } from '../common/bytes.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { weightsRoot as merkleRoot } from '../commitment/weights.ts';

export interface DisputeDeployOptions {
  /** Seconds each move may take before the party on turn can be timed out. */
  moveTimeout: bigint;
  /** Wei taken from each loser (the staking contract caps it at the slashable stake). */
  slashAmount: bigint;
  /** Basis points of a slash credited to the winner. */
  winnerBps: number;
  /** Basis points credited to the claimant who opened the dispute (summed with winnerBps when they are the same). */
  claimantBps: number;
  /** log2 of the bisection arity k of every game: a protocol constant of the deployment, 1..6 (k ≤ 64). */
  logArity: number;
  /** Seconds after a receipt's issuedAt during which it can be disputed (its signer keeps the prompt that long). */
  disputeWindow: bigint;
  /** Seconds between a game's decision and its settlement (time for a watcher's markOutput). */
  settleDelay: bigint;
}

export const DEFAULTS: DisputeDeployOptions = {
  moveTimeout: 3600n, // s; one hour per move: an agent moves in seconds, the rest is slack for congestion (BoLD/Cannon use days on L1)
  slashAmount: 10n ** 18n, // wei; 1 ETH = the devnet minimum stake, so a loser loses its whole minimum collateral
  winnerBps: 5000, // 50% to the honest party: pays its gas many times over
  claimantBps: 2500, // 25% to whoever brought the claim; the remaining 25% is burned so colluders cannot recycle a slash
  logArity: 4, // k = 16 (docs/commitment.md §4 picks 16); never a registrant's choice (issue 11, attack 2)
  disputeWindow: 86_400n, // s; 1 day: how long a node keeps a prompt; withdrawals wait longer (docs/decisions/0002)
  settleDelay: 3600n, // s; one move timeout: a watcher online as often as a party can still mark a wrong output
};

export interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

export class DisputeArtifactError extends BaseError<{ name: string }> {
  constructor(name: string) {
    super('DISPUTE_ARTIFACT', `no compiled artifact for ${name}`, { details: { name } });
  }
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let compiled: Map<string, Artifact> | undefined;

/** The named contract's ABI and creation bytecode (generated artifacts first, else a fresh compile). */
export async function disputeArtifact(name: string): Promise<Artifact> {
  const key = name.charAt(0).toLowerCase() + name.slice(1);
  const gen = (await import('./artifacts.ts')) as Record<string, unknown>;
  const abi = gen[`${key}Abi`];
  const bytecode = gen[`${key}Bytecode`];
  if (abi && typeof bytecode === 'string' && bytecode.length > 2 && !process.env.HYPERSPACE_DISPUTE_COMPILE) return { abi: abi as Abi, bytecode: bytecode as Hex };
  if (!compiled) {
    compiled = new Map();
    for (const c of compileContracts(ROOT).contracts) compiled.set(c.name, { abi: c.abi as Abi, bytecode: c.bytecode });
  }
  const a = compiled.get(name);
  if (!a) throw new DisputeArtifactError(name);
  return a;
}

type Clients = { publicClient: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> };

export async function deployArtifact(clients: Clients, name: string, args: unknown[] = []): Promise<{ address: Address; gas: bigint }> {
  const art = await disputeArtifact(name);
  const hash = await clients.wallet.deployContract({ abi: art.abi, bytecode: art.bytecode, args });
  const r = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (r.status !== 'success' || !r.contractAddress) throw new DisputeArtifactError(name);
  return { address: r.contractAddress, gas: r.gasUsed };
}

/**
 * DisputeDeployer (deploy.ts): OneStepVerifier + DisputeGame over the given core contracts. The game's constructor
 * refuses windows out of order (WindowsOutOfOrder): Staking's withdrawal delay must cover the dispute window plus the
 * longest game, the FeeEscrow's bond window the dispute window (docs/decisions/0002-dispute-windows-and-bonds.md).
 */
export async function deployDispute(
  clients: Clients,
  core: { modelRegistry: Address; staking: Address; feeEscrow: Address },
  options: Partial<DisputeDeployOptions> = {},
): Promise<{ dispute: Address; oneStep: Address; gas: Record<string, bigint> }> {
  const o = { ...DEFAULTS, ...options };
  const one = await deployArtifact(clients, 'OneStepVerifier');
  const game = await deployArtifact(clients, 'DisputeGame', [
    core.staking,
    one.address,
    core.feeEscrow,
    o.moveTimeout,
    o.slashAmount,
    o.winnerBps,
    o.claimantBps,
    o.logArity,
    o.disputeWindow,
    o.settleDelay,
  ]);
  return { dispute: game.address, oneStep: one.address, gas: { OneStepVerifier: one.gas, DisputeGame: game.gas } };
}

/** What registerLayout needs from a model file (src/engine/model-file.ts LoadedModel has all three). */
export interface LayoutSource {
  metaBytes: Uint8Array;
  nodeTable: Uint8Array;
  weightsRoot: Uint8Array;
}

/**
 * Registers a model's layout with the one-step verifier (ModelLayouts.registerLayout), once per model: the
 * contract recomputes the model hash from the metadata bytes (it also reads contextLength and the `<eos>` id from
 * them), the node table and the weights root. Returns the gas used, or 0n when the layout was already there.
 */
export async function registerLayout(clients: Clients, oneStep: Address, model: LayoutSource): Promise<{ modelHash: Hex; gas: bigint }> {
  const { abi } = await disputeArtifact('OneStepVerifier');
  const args = [toHex(model.metaBytes) as Hex, toHex(model.weightsRoot) as Hex, toHex(model.nodeTable) as Hex];
  const sim = await clients.publicClient.simulateContract({ address: oneStep, abi, functionName: 'registerLayout', args, account: clients.wallet.account }).catch(() => undefined);
  if (!sim) {
    const graph = keccak256(concatBytes(keccak256(model.metaBytes), merkleRoot(model.nodeTable)));
    return { modelHash: toHex(keccak256(concatBytes(graph, model.weightsRoot))) as Hex, gas: 0n };
  }
  const hash = await clients.wallet.writeContract(sim.request as never);
  const r = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (r.status !== 'success') throw new DisputeArtifactError('OneStepVerifier.registerLayout');
  return { modelHash: sim.result as Hex, gas: r.gasUsed };
}
