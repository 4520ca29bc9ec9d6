/**
 * A ready dispute deployment for tests and benchmarks (whitepaper §2.2.5; docs/dispute.md): deploys the core
 * contracts and the dispute contracts on any chain URL (embedded EDR or anvil), registers operators, registers a
 * model's layout, builds the Query / Receipt / Opening a claim needs, and plays a dispute to the end with two
 * agents. The same scenarios run against both chains (src/dispute/game.test.ts, src/dispute/anvil.test.ts).
 */
import { parseEther, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { connectChain, type ChainClients } from './clients.ts';
import { deployContracts } from './deploy.ts';
import { modelRegistryAbi, stakingAbi } from './artifacts.ts';
import { DisputeClient, type GasRecord } from './dispute-client.ts';
import { registerLayout, type DisputeDeployOptions, type LayoutSource } from './dispute-deploy.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { hyperspaceDomain, queryDigest, receiptDigest, samplingParamsHash, signReceipt, type Query, type Receipt, type SamplingParams } from '../wire/query-receipt.ts';
import { DisputeAgent } from '../dispute/agent.ts';
import type { TraceParty } from '../dispute/trace-party.ts';
import { stateFromChain } from '../dispute/state-machine.ts';
import { commitQueryInput, inputBytes } from '../inference/query-input.ts';

export interface DisputeEnv {
  clients: ChainClients;
  chainId: bigint;
  keys: Hex[];
  addresses: Address[];
  staking: Address;
  escrow: Address;
  registry: Address;
  game: Address;
  oneStep: Address;
  /** Moves the chain clock forward (evm_increaseTime + evm_mine) and updates `time`. */
  advance(seconds: number): Promise<void>;
  /** Chain time (s) at setup or the last advance: the default `issuedAt` of makeReceipt (never ahead of the chain). */
  time: bigint;
}

/**
 * Deploys everything with `keys[0]` and registers `keys[operators…]` as staked operators (3 ETH each). `dispute`:
 * the game's deployment options (e.g. `logArity: 1`, k = 2, so the tiny models' short traces take several rounds).
 */
export async function setupDisputeEnv(rpcUrl: string, keys: Hex[], operators: number[], dispute: Partial<DisputeDeployOptions> = {}): Promise<DisputeEnv> {
  const clients = await connectChain(rpcUrl);
  const deployer = clients.wallet(keys[0]!);
  const d = await deployContracts({ publicClient: clients.publicClient, wallet: deployer }, { staticDifficulty: 0, minimumStake: parseEther('1'), disputeOptions: dispute });
  const staking = d.contracts.staking as Address;
  for (const i of operators) {
    const acct = privateKeyToAccount(keys[i]!);
    const w = clients.wallet(keys[i]!);
    const hash = await w.writeContract({ address: staking, abi: stakingAbi, functionName: 'registerOperator', args: [`0x${acct.publicKey.slice(4)}` as Hex], value: parseEther('3') });
    await clients.publicClient.waitForTransactionReceipt({ hash });
  }
  const chainTime = async () => (await clients.publicClient.getBlock({ blockTag: 'latest' })).timestamp;
  const advance = async (seconds: number) => {
    await clients.publicClient.request({ method: 'evm_increaseTime' as never, params: [seconds] as never });
    await clients.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
    env.time = await chainTime();
  };
  const env: DisputeEnv = {
    clients,
    chainId: BigInt(await clients.publicClient.getChainId()),
    keys,
    addresses: keys.map((k) => privateKeyToAccount(k).address),
    staking,
    escrow: d.contracts.feeEscrow as Address,
    registry: d.contracts.modelRegistry as Address,
    game: d.contracts.dispute as Address,
    oneStep: d.contracts.oneStep as Address,
    advance,
    time: await chainTime(),
  };
  return env;
}

/**
 * Registers the model's layout with the one-step verifier; with `traceArity`, also in the ModelRegistry (advisory
 * only: every game uses the deployment's own arity, DisputeDeployOptions.logArity).
 */
export async function registerModel(env: DisputeEnv, model: LayoutSource, traceArity?: number): Promise<{ modelHash: Hex; gas: bigint }> {
  const r = await registerLayout({ publicClient: env.clients.publicClient, wallet: env.clients.wallet(env.keys[0]!) }, env.oneStep, model);
  if (traceArity !== undefined) {
    const hash = await env.clients.wallet(env.keys[0]!).writeContract({ address: env.registry, abi: modelRegistryAbi, functionName: 'register', args: [r.modelHash, traceArity, 'test'] });
    await env.clients.publicClient.waitForTransactionReceipt({ hash });
  }
  return r;
}

/** A client's query for `modelHash` over `input` (prompt tokens or classify vector), as the contract takes it. */
export interface QueryBundle {
  query: Query;
  queryAbi: Record<string, unknown>;
  queryHash: Uint8Array;
  inputRoot: Hex;
  inputLength: bigint;
  /** The input values and their opening bytes (Opening.input: big-endian int32). */
  values: Int32Array;
  input: Hex;
  params: SamplingParams;
}

/** `params`: the sampling parameters signed into paramsHash (default greedy, one token — a classify query). */
export function makeQuery(env: DisputeEnv, modelHash: Uint8Array, input: Int32Array, nonce: bigint, params: SamplingParams = { seed: null, maxTokens: 1 }): QueryBundle {
  const c = commitQueryInput(input);
  const query: Query = {
    client: fromHex(env.addresses[1]!),
    modelHash,
    promptHash: c.promptHash,
    paramsHash: samplingParamsHash(params),
    maxFee: 10n ** 15n,
    nonce,
    deadline: 2n ** 40n,
  };
  const queryAbi = {
    client: env.addresses[1]!,
    modelHash: toHex(query.modelHash),
    promptHash: toHex(query.promptHash),
    paramsHash: toHex(query.paramsHash),
    maxFee: query.maxFee,
    nonce,
    deadline: query.deadline,
  };
  return { query, queryAbi, queryHash: queryDigest(hyperspaceDomain(env.chainId, fromHex(env.escrow)), query), inputRoot: toHex(c.root) as Hex, inputLength: BigInt(c.length), values: input, input: toHex(inputBytes(input)) as Hex, params };
}

/** A receipt by operator `keyIndex` over `traceRoot` with output bytes `output`, signed for the dispute contract. */
export function makeReceipt(env: DisputeEnv, q: QueryBundle, keyIndex: number, traceRoot: Uint8Array, output: Uint8Array, over: Partial<Receipt> = {}): { receipt: Receipt; sig: Hex; abi: Record<string, unknown>; digest: Hex } {
  const r: Receipt = {
    queryHash: q.queryHash,
    modelHash: q.query.modelHash,
    outputHash: keccak256(output),
    traceRoot,
    node: fromHex(env.addresses[keyIndex]!),
    fee: 1000n,
    issuedAt: env.time,
    ...over,
  };
  const sig = toHex(signReceipt(hyperspaceDomain(env.chainId, fromHex(env.game)), r, fromHex(env.keys[keyIndex]!))) as Hex;
  return { receipt: r, sig, abi: receiptAbi(r), digest: toHex(receiptDigest(hyperspaceDomain(env.chainId, fromHex(env.game)), r)) as Hex };
}

/**
 * Two conflicting receipts by keys ia and ib for one query, in the order openConflict takes them (A's digest below
 * B's: the receipts fix who moves first, not the claimant). To keep the caller's A and B, the query's nonce is bumped
 * until the digests fall in that order (each try is a coin flip); the query actually used is returned.
 */
export function conflictReceipts(env: DisputeEnv, q: QueryBundle, ia: number, rootA: Uint8Array, outA: Uint8Array, ib: number, rootB: Uint8Array, outB: Uint8Array) {
  for (let i = 0n; i < 64n; i++) {
    const qi = i === 0n ? q : makeQuery(env, q.query.modelHash, q.values, q.query.nonce + (i << 64n), q.params);
    const ra = makeReceipt(env, qi, ia, rootA, outA);
    const rb = makeReceipt(env, qi, ib, rootB, outB);
    if (BigInt(ra.digest) < BigInt(rb.digest)) return { q: qi, ra, rb };
  }
  throw new Error('no nonce put the receipts in digest order'); // 2^-64
}

export function receiptAbi(r: Receipt): Record<string, unknown> {
  return { queryHash: toHex(r.queryHash), modelHash: toHex(r.modelHash), outputHash: toHex(r.outputHash), traceRoot: toHex(r.traceRoot), node: toHex(r.node), fee: r.fee, issuedAt: r.issuedAt };
}

/** DisputeGame.Params: the preimage of paramsHash (abi.encode(seeded, seed, maxTokens)). */
export function paramsAbi(p: SamplingParams): { seeded: boolean; seed: bigint; maxTokens: number } {
  return { seeded: p.seed !== null, seed: p.seed ?? 0n, maxTokens: p.maxTokens };
}

export function openingAbi(q: QueryBundle, outputA: Uint8Array, outputB: Uint8Array = outputA): Record<string, unknown> {
  return { query: q.queryAbi, input: q.input, params: paramsAbi(q.params), outputA: toHex(outputA), outputB: toHex(outputB) };
}

export function disputeClient(env: DisputeEnv, keyIndex: number, log: GasRecord[]): Promise<DisputeClient> {
  return DisputeClient.create({ publicClient: env.clients.publicClient, wallet: env.clients.wallet(env.keys[keyIndex]!), log }, env.game);
}

export interface PlayResult {
  id: Hex;
  winner: string;
  bothLost: boolean;
  moves: string[];
  log: GasRecord[];
}

export interface PlayOptions {
  /** A party that never moves (its deadlines pass). */
  silent?: 'A' | 'B';
  /** Stop the silent party only once the game reaches this state (e.g. 'sums-post'): tests the timeout of each state. */
  silentFrom?: string;
  /** Seconds to advance the clock when nobody can move. */
  timeoutStep?: number;
  /** Called before each agent's turn with the game's state (a watcher's move, e.g. markOutput). */
  hook?: (id: Hex, state: string) => Promise<void>;
}

/** Opens a conflict between A (key ia) and B (key ib) with both traces and lets both agents play to the end. */
export async function playConflict(env: DisputeEnv, q: QueryBundle, pa: TraceParty, pb: TraceParty, ia: number, ib: number, output: { a: Uint8Array; b: Uint8Array }, opts: PlayOptions = {}): Promise<PlayResult> {
  const log: GasRecord[] = [];
  const ca = await disputeClient(env, ia, log);
  const cb = await disputeClient(env, ib, log);
  const { q: qo, ra, rb } = conflictReceipts(env, q, ia, pa.receiptRoot, output.a, ib, pb.receiptRoot, output.b);
  const opened = await ca.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, openingAbi(qo, output.a, output.b)]);
  const id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
  return playToEnd(env, id, { A: ca, B: cb }, { A: pa, B: pb }, log, opts);
}

/**
 * B (key ib) challenges A's receipt (key ia) with its own trace root (openChallenge), optionally holding A's
 * verify-inference fee bond `bondId`, and both agents play to the end.
 */
export async function playChallenge(env: DisputeEnv, q: QueryBundle, pa: TraceParty, pb: TraceParty, ia: number, ib: number, output: Uint8Array, bondId: Hex = `0x${'00'.repeat(32)}`, opts: PlayOptions & { outputB?: Uint8Array } = {}): Promise<PlayResult> {
  const log: GasRecord[] = [];
  const ca = await disputeClient(env, ia, log);
  const cb = await disputeClient(env, ib, log);
  const ra = makeReceipt(env, q, ia, pa.receiptRoot, output);
  // opts.outputB: B's claimed output when it differs from A's (a re-run that ends elsewhere, or the output check)
  const opened = await cb.send('openChallenge', [ra.abi, ra.sig, toHex(pb.receiptRoot), openingAbi(q, output, opts.outputB), bondId]);
  const id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
  return playToEnd(env, id, { A: ca, B: cb }, { A: pa, B: pb }, log, opts);
}

export async function playToEnd(env: DisputeEnv, id: Hex, clients: { A: DisputeClient; B: DisputeClient }, parties: { A: TraceParty; B: TraceParty }, log: GasRecord[], opts: PlayOptions = {}): Promise<PlayResult> {
  const agents = { A: new DisputeAgent({ chain: clients.A, party: parties.A }, { side: 'A' }), B: new DisputeAgent({ chain: clients.B, party: parties.B }, { side: 'B' }) };
  const moves: string[] = [];
  let silenced = opts.silentFrom === undefined;
  for (let i = 0; i < 200; i++) {
    let moved = false;
    for (const side of ['A', 'B'] as const) {
      const g = await clients.A.game(id);
      const state = stateFromChain(g.phase, g.turn, g.posted);
      if (state === opts.silentFrom) silenced = true;
      if (opts.hook) await opts.hook(id, state);
      if (opts.silent === side && silenced) continue;
      const r = await agents[side].act(id);
      if (r.action === 'moved') {
        moves.push(`${side}:${r.move}`);
        moved = true;
      }
    }
    const g = await clients.A.game(id);
    if (stateFromChain(g.phase, g.turn, g.posted) === 'done') break;
    if (!moved) await env.advance(opts.timeoutStep ?? 3601);
  }
  const logs = await env.clients.publicClient.getContractEvents({ address: env.game, abi: clients.A.abi, eventName: 'Resolved', args: { id }, fromBlock: 0n });
  const res = logs[0] as unknown as { args: { winner: string; bothLost: boolean } } | undefined;
  if (!res) throw new Error(`dispute ${id} did not resolve (moves ${moves.join(',')})`);
  return { id, winner: res.args.winner, bothLost: res.args.bothLost, moves, log };
}
