/**
 * viem binding of DisputeGame for the dispute agent (src/dispute/agent.ts DisputeChain) and for tests/benchmarks:
 * every write waits for its receipt and records its gas, so a caller can sum a whole dispute's cost.
 */
import { decodeEventLog, decodeFunctionData, numberToHex, type Abi, type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from 'viem';
import type { DisputeChain, GameView, Links, SumsPost } from '../dispute/agent.ts';
import type { GameEvent, TimerPort } from '../dispute/agent-runner.ts';
import type { Hex } from '../dispute/proof-packer.ts';
import { BaseError } from '../common/errors.ts';
import { disputeArtifact } from './dispute-deploy.ts';

export interface GasRecord {
  fn: string;
  from: Address;
  gas: bigint;
  calldataBytes: number;
  /** EIP-7623 calldata tokens: zero bytes + 4 × non-zero bytes (standard cost 4 gas/token, floor 10 gas/token). */
  calldataTokens: number;
  hash: Hex;
}

/** EIP-7623 tokens of a transaction's input: one per zero byte, four per non-zero byte. */
export function calldataTokens(input: Hex): number {
  let t = 0;
  for (let i = 2; i < input.length; i += 2) t += input[i] === '0' && input[i + 1] === '0' ? 1 : 4;
  return t;
}

export class DisputeTxError extends BaseError<{ fn: string; txHash: string }> {
  constructor(fn: string, txHash: string) {
    super('DISPUTE_TX', `dispute transaction ${fn} reverted`, { details: { fn, txHash } });
  }
}

export class DisputeClient implements DisputeChain {
  readonly address: Address;
  readonly abi: Abi;
  readonly publicClient: PublicClient<Transport, Chain>;
  readonly wallet: WalletClient<Transport, Chain, Account>;
  /** Gas of every transaction this client sent (shared between clients when passed in). */
  readonly log: GasRecord[];
  private readonly configs = new Map<Hex, Record<string, unknown>>();
  /** Block each game was opened in: its event reads start there, not at block 0 (real RPCs cap log ranges). */
  private readonly starts = new Map<Hex, bigint>();

  constructor(
    components: { publicClient: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account>; abi: Abi; log?: GasRecord[] },
    address: Address,
  ) {
    this.address = address;
    this.abi = components.abi;
    this.publicClient = components.publicClient;
    this.wallet = components.wallet;
    this.log = components.log ?? [];
  }

  static async create(components: { publicClient: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account>; log?: GasRecord[] }, address: Address): Promise<DisputeClient> {
    const { abi } = await disputeArtifact('DisputeGame');
    return new DisputeClient({ ...components, abi }, address);
  }

  async send(fn: string, args: unknown[]): Promise<{ hash: Hex; gas: bigint; logs: { eventName: string; args: Record<string, unknown> }[] }> {
    const hash = (await this.wallet.writeContract({ address: this.address, abi: this.abi, functionName: fn, args } as never)) as Hex;
    const r = await this.publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== 'success') throw new DisputeTxError(fn, hash);
    const tx = await this.publicClient.getTransaction({ hash });
    this.log.push({ fn, from: this.wallet.account.address, gas: r.gasUsed, calldataBytes: (tx.input.length - 2) / 2, calldataTokens: calldataTokens(tx.input), hash });
    const logs = [];
    for (const l of r.logs) {
      if (l.address.toLowerCase() !== this.address.toLowerCase()) continue;
      try {
        const d = decodeEventLog({ abi: this.abi, data: l.data, topics: l.topics }) as unknown as { eventName: string; args: Record<string, unknown> };
        if (d.eventName === 'DisputeOpened') this.starts.set(d.args.id as Hex, r.blockNumber);
        logs.push(d);
      } catch {
        // not one of ours
      }
    }
    return { hash, gas: r.gasUsed, logs };
  }

  /**
   * Where reads of game `id`'s events start: the block it was opened in — recorded when this client sent the
   * opening, else set by the caller (e.g. persisted with the game id, for a restart) — or 0 when unknown.
   */
  gameStart(id: Hex): bigint {
    return this.starts.get(id) ?? 0n;
  }

  setGameStart(id: Hex, block: bigint): void {
    this.starts.set(id, block);
  }

  async game(id: Hex): Promise<GameView> {
    return (await this.publicClient.readContract({ address: this.address, abi: this.abi, functionName: 'getGame', args: [id] })) as GameView;
  }

  /** The game's Config (DisputeGame.Config, from its DisputeOpened event): what postSumsRoot, resolve* and settle pass back. */
  async config(id: Hex): Promise<Record<string, unknown>> {
    let c = this.configs.get(id);
    if (!c) {
      const logs = await this.publicClient.getContractEvents({ address: this.address, abi: this.abi, eventName: 'DisputeOpened', args: { id }, fromBlock: this.gameStart(id) });
      const ev = logs[0] as unknown as { args: { config: Record<string, unknown> } } | undefined;
      if (!ev) throw new DisputeTxError('config', id);
      c = ev.args.config;
      this.configs.set(id, c);
    }
    return c;
  }

  /**
   * The query input posted with the game's opening (Opening.input, big-endian int32 values: query-input.ts
   * inputFromBytes), read back from the opening transaction's calldata: a node that no longer has the prompt
   * recovers it from the chain and re-runs the query to rebuild its trace (issue 11, attack 6).
   */
  async openingInput(id: Hex): Promise<Hex> {
    const logs = await this.publicClient.getContractEvents({ address: this.address, abi: this.abi, eventName: 'DisputeOpened', args: { id }, fromBlock: this.gameStart(id) });
    const hash = logs[0]?.transactionHash;
    if (!hash) throw new DisputeTxError('openingInput', id);
    const tx = await this.publicClient.getTransaction({ hash });
    const call = decodeFunctionData({ abi: this.abi, data: tx.input }) as { functionName: string; args: readonly unknown[] };
    const opening = call.args[call.functionName === 'openConflict' ? 4 : 3] as { input?: Hex } | undefined;
    if (!opening?.input) throw new DisputeTxError('openingInput', hash);
    return opening.input;
  }

  /** The Links (A's trace leaf and both sums roots) of the game's reduction, from its LinksOpened event. */
  async links(id: Hex): Promise<Links> {
    const logs = await this.publicClient.getContractEvents({ address: this.address, abi: this.abi, eventName: 'LinksOpened', args: { id }, fromBlock: this.gameStart(id) });
    const ev = logs[logs.length - 1] as unknown as { args: { links: Links } } | undefined;
    if (!ev) throw new DisputeTxError('links', id);
    return ev.args.links;
  }

  /** The children last posted in game `id` (latest ChildrenPosted: the other party's, when it is our move). */
  async postedChildren(id: Hex): Promise<Hex[]> {
    const logs = await this.publicClient.getContractEvents({ address: this.address, abi: this.abi, eventName: 'ChildrenPosted', args: { id }, fromBlock: this.gameStart(id) });
    const last = logs[logs.length - 1] as unknown as { args: { children: Hex[] } } | undefined;
    return last ? [...last.args.children] : [];
  }

  /** Latest block number, uncached (viem caches it for a polling interval by default): the runner's log cursor. */
  async blockNumber(): Promise<bigint> {
    return this.publicClient.getBlockNumber({ cacheTime: 0 });
  }

  /**
   * Decoded events of game `id` in blocks [fromBlock, toBlock]: one eth_getLogs on this contract with topic 1 = id
   * (every DisputeGame event has `bytes32 indexed id` first). The caller keeps the range small (real RPCs cap it).
   */
  async gameEvents(id: Hex, fromBlock: bigint, toBlock: bigint): Promise<GameEvent[]> {
    const logs = await this.publicClient.request({
      method: 'eth_getLogs',
      params: [{ address: this.address, fromBlock: numberToHex(fromBlock), toBlock: numberToHex(toBlock), topics: [null, id] }],
    });
    const out: GameEvent[] = [];
    for (const l of logs) {
      try {
        const d = decodeEventLog({ abi: this.abi, data: l.data, topics: l.topics as [Hex, ...Hex[]] }) as unknown as { eventName: string; args: Record<string, unknown> };
        out.push({ eventName: d.eventName, args: d.args, blockNumber: BigInt(l.blockNumber ?? '0x0') });
      } catch {
        // not one of ours (a log with the same topic layout from an older ABI): skip
      }
    }
    return out;
  }

  async now(): Promise<bigint> {
    return (await this.publicClient.getBlock()).timestamp;
  }

  async postChildren(id: Hex, children: Hex[]): Promise<void> {
    await this.send('postChildren', [id, children]);
  }

  async bisect(id: Hex, child: bigint, proof: Hex, children: Hex[]): Promise<void> {
    await this.send('bisect', [id, child, proof, children]);
  }

  async postSumsRoot(id: Hex, post: SumsPost): Promise<void> {
    await this.send('postSumsRoot', [id, await this.config(id), post]);
  }

  async resolveElement(id: Hex, node: bigint, proofs: Hex): Promise<void> {
    await this.send('resolveElement', [id, await this.config(id), node, proofs]);
  }

  async resolveLink(id: Hex, node: bigint, proofs: Hex): Promise<void> {
    await this.send('resolveLink', [id, await this.config(id), node, proofs]);
  }

  async resolveStop(id: Hex, proofs: Hex): Promise<void> {
    await this.send('resolveStop', [id, await this.config(id), proofs]);
  }

  async outputs(id: Hex): Promise<{ a: Hex; b: Hex }> {
    const logs = await this.publicClient.getContractEvents({ address: this.address, abi: this.abi, eventName: 'OutputDisputed', args: { id }, fromBlock: this.gameStart(id) });
    const ev = logs[0] as unknown as { args: { outputA: Hex; outputB: Hex } } | undefined;
    if (!ev) throw new DisputeTxError('outputs', id);
    return { a: ev.args.outputA, b: ev.args.outputB };
  }

  async resolveOutput(id: Hex, j: bigint, outputA: Hex, outputB: Hex, proof: Hex): Promise<void> {
    await this.send('resolveOutput', [id, await this.config(id), j, outputA, outputB, proof]);
  }

  /**
   * The output mark (anyone, until settled): token `j` of party `isB ? B : A`'s own output differs from its own
   * trace's output element; `proof` = leaf ‖ siblings against that party's root; both outputs as opened.
   */
  async markOutput(id: Hex, isB: boolean, j: bigint, outputA: Hex, outputB: Hex, proof: Hex): Promise<void> {
    await this.send('markOutput', [id, await this.config(id), { isB, token: j, outputA, outputB, proof }]);
  }

  async settle(id: Hex): Promise<void> {
    await this.send('settle', [id, await this.config(id)]);
  }

  async timeout(id: Hex): Promise<void> {
    await this.send('timeout', [id]);
  }
}

/** Node's timers as the AgentRunner's TimerPort (src/dispute is pure: the host injects the timers). */
export const realTimers: TimerPort = {
  set: (delayMs, task) => setTimeout(task, delayMs),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
