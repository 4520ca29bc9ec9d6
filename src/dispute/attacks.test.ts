/**
 * Issue 11, reproduced against the contracts as they were (whitepaper §2.2.4–2.2.5): these tests PERFORM the
 * attacks and assert that they SUCCEED. They are replaced, in the commit that fixes the contracts, by tests that
 * perform the same attacks and show that they fail. Embedded chain (EDR), real Staking / FeeEscrow / DisputeGame.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEther, type Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { decodeRevert } from '../chain/revert.ts';
import { stakingAbi } from '../chain/artifacts.ts';
import { disputeClient, makeQuery, makeReceipt, openingAbi, playToEnd, type QueryBundle } from '../chain/dispute-env.ts';
import { gameContext, honestTrace, model, output, query, source, withWrong, type GameCtx } from './game-scenarios.test-helper.ts';
import { queryInputValues } from './query-input.ts';
import { TraceParty } from './trace-party.ts';
import { DisputeAgent } from './agent.ts';

let chain: EmbeddedChain;
let ctx: GameCtx;
const ZERO32 = `0x${'00'.repeat(32)}` as Hex;

before(async () => {
  chain = await startEmbeddedChain({ accounts: 24 });
  ctx = await gameContext(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex));
});
after(async () => chain?.close());

const fresh = (): QueryBundle => makeQuery(ctx.env, model.modelHash, queryInputValues(query), ++ctx.nonce);
const party = (t: Int32Array) => new TraceParty(t, source, { arity: 2 });
const addr = (i: number) => ctx.env.addresses[i]!;
const staking = (fn: string, args: unknown[]) => ctx.env.clients.publicClient.readContract({ address: ctx.env.staking, abi: stakingAbi, functionName: fn, args } as never) as Promise<unknown>;
async function write(key: number, fn: string, args: unknown[] = []) {
  const hash = await ctx.env.clients.wallet(ctx.env.keys[key]!).writeContract({ address: ctx.env.staking, abi: stakingAbi, functionName: fn, args } as never);
  assert.equal((await ctx.env.clients.publicClient.waitForTransactionReceipt({ hash })).status, 'success', fn);
}
async function revertName(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return decodeRevert(e)?.errorName ?? String(e).slice(0, 200);
  }
  return undefined;
}

describe('issue 11 reproductions (the attacks succeed against the old contracts)', () => {
  it('attack 1: a liar queues a withdrawal below the minimum; both opening paths revert; it withdraws', async () => {
    const liar = 2;
    const q = fresh();
    const lie = makeReceipt(ctx.env, q, liar, party(withWrong(honestTrace, 30)).receiptRoot, output);
    await write(liar, 'queueWithdrawal', [parseEther('2.5')]);
    const challenger = await disputeClient(ctx.env, 3, []);
    assert.equal(await revertName(challenger.send('openChallenge', [lie.abi, lie.sig, party(honestTrace).root, openingAbi(q, output), ZERO32])), 'NotActiveOperator');
    const honest = makeReceipt(ctx.env, q, 4, party(honestTrace).receiptRoot, output);
    assert.equal(await revertName(challenger.send('openConflict', [honest.abi, honest.sig, lie.abi, lie.sig, openingAbi(q, output)])), 'NotActiveOperator');
    await ctx.env.advance(7 * 24 * 3600 + 1);
    await write(liar, 'completeWithdrawal');
    assert.equal(await staking('slashableStake', [addr(liar)]), parseEther('0.5'));
  });

  it('attack 3: an accomplice squats the false receipt and stays silent; the liar wins; an honest challenger is refused', async () => {
    const [liar, accomplice, honest] = [5, 6, 7];
    const q = fresh();
    const pa = party(withWrong(honestTrace, 30));
    const lie = makeReceipt(ctx.env, q, liar, pa.receiptRoot, output);
    const ca = await disputeClient(ctx.env, liar, []);
    const cb = await disputeClient(ctx.env, accomplice, []);
    const opened = await cb.send('openChallenge', [lie.abi, lie.sig, party(honestTrace).root, openingAbi(q, output), ZERO32]);
    const id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
    const ch = await disputeClient(ctx.env, honest, []);
    assert.equal(await revertName(ch.send('openChallenge', [lie.abi, lie.sig, party(honestTrace).root, openingAbi(q, output), ZERO32])), 'ReceiptAlreadyDisputed');
    const r = await playToEnd(ctx.env, id, { A: ca, B: cb }, { A: pa, B: party(honestTrace) }, [], { silent: 'B' });
    assert.equal(r.winner.toLowerCase(), addr(liar).toLowerCase(), 'the liar wins the squatted game');
    assert.equal(await revertName(ch.send('openChallenge', [lie.abi, lie.sig, party(honestTrace).root, openingAbi(q, output), ZERO32])), 'ReceiptAlreadyDisputed');
  });

  it('attack 4: one minimum stake backs five challenges at once; the slashes are 1, 1, 1, 0, 0 ETH', async () => {
    const challenger = 8;
    await write(challenger, 'queueWithdrawal', [parseEther('2')]); // 1 ETH active = the minimum, 2 ETH queued (slashable)
    const cb = await disputeClient(ctx.env, challenger, []);
    const games: { id: Hex; victim: number }[] = [];
    for (const victim of [9, 10, 11, 12, 13]) {
      const q = fresh();
      const r = makeReceipt(ctx.env, q, victim, party(honestTrace).receiptRoot, output);
      const opened = await cb.send('openChallenge', [r.abi, r.sig, party(withWrong(honestTrace, 30)).root, openingAbi(q, output), ZERO32]);
      games.push({ id: opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex, victim });
    }
    // each victim plays its game (the opening post); the challenger stays silent in all five; all time out together
    const agents = await Promise.all(games.map(async (g) => new DisputeAgent({ chain: await disputeClient(ctx.env, g.victim, []), party: party(honestTrace) }, { side: 'A' })));
    for (const [i, g] of games.entries()) assert.equal((await agents[i]!.act(g.id)).move, 'postChildren');
    await ctx.env.advance(3601);
    const slashed: bigint[] = [];
    for (const [i, g] of games.entries()) {
      assert.equal((await agents[i]!.act(g.id)).move, 'timeout');
      assert.equal((await agents[i]!.act(g.id)).move, 'settle');
      const logs = await ctx.env.clients.publicClient.getContractEvents({ address: ctx.env.staking, abi: stakingAbi, eventName: 'OperatorSlashed', args: { disputeId: g.id }, fromBlock: 0n });
      slashed.push((logs[0] as unknown as { args: { amount: bigint } }).args.amount);
    }
    assert.deepEqual(slashed, [parseEther('1'), parseEther('1'), parseEther('1'), 0n, 0n]);
  });
});
