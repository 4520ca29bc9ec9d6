/**
 * Issue 11: each attack on the dispute game, performed against the real contracts on the embedded chain (EDR:
 * Staking, FeeEscrow, ModelRegistry, DisputeGame, OneStepVerifier; the tiny MLP, game at k = 2), shown to fail
 * (whitepaper §2.2.3–2.2.5; docs/security.md §1; docs/decisions/0002-dispute-windows-and-bonds.md). Attacks 1, 3
 * and 4 were first reproduced against the old contracts (this file's previous commit asserted that they succeed).
 * The fork replay of attack 7 needs `anvil_setChainId`: attacks-fork.test.ts, on anvil.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256 as viemKeccak, parseEther, toHex as viemHex, type Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { decodeRevert } from '../chain/revert.ts';
import { feeEscrowAbi, modelRegistryAbi, stakingAbi } from '../chain/artifacts.ts';
import { deployArtifact } from '../chain/dispute-deploy.ts';
import { conflictReceipts, disputeClient, makeQuery, makeReceipt, openingAbi, playToEnd, type QueryBundle } from '../chain/dispute-env.ts';
import { fromHex } from '../common/bytes.ts';
import { runModel } from '../engine/runner.ts';
import { gameContext, honestTrace, model, otherClass, output, query, source, withWrong, type GameCtx } from './game-scenarios.test-helper.ts';
import { inputFromBytes, queryInputValues } from '../inference/query-input.ts';
import { TraceParty } from './trace-party.ts';
import { DisputeAgent } from './agent.ts';

let chain: EmbeddedChain;
let ctx: GameCtx;
const ZERO32 = `0x${'00'.repeat(32)}` as Hex;
const DAY = 86_400;

before(async () => {
  chain = await startEmbeddedChain({ accounts: 24 });
  ctx = await gameContext(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex));
});
after(async () => chain?.close());

const fresh = (): QueryBundle => makeQuery(ctx.env, model.modelHash, queryInputValues(query), ++ctx.nonce);
const party = (t: Int32Array) => new TraceParty(t, source, { arity: 2 });
const wrong = withWrong(honestTrace, 30);
const addr = (i: number) => ctx.env.addresses[i]!;
const same = (a: unknown, i: number) => assert.equal(String(a).toLowerCase(), addr(i).toLowerCase());
const read = (address: Hex, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
  ctx.env.clients.publicClient.readContract({ address, abi: abi as never, functionName, args } as never) as Promise<unknown>;
const stake = (i: number) => read(ctx.env.staking, stakingAbi, 'slashableStake', [addr(i)]) as Promise<bigint>;
const claimable = (i: number) => read(ctx.env.staking, stakingAbi, 'claimable', [addr(i)]) as Promise<bigint>;
async function write(key: number, address: Hex, abi: readonly unknown[], fn: string, args: unknown[] = [], value?: bigint) {
  const hash = await ctx.env.clients.wallet(ctx.env.keys[key]!).writeContract({ address, abi: abi as never, functionName: fn, args, value } as never);
  assert.equal((await ctx.env.clients.publicClient.waitForTransactionReceipt({ hash })).status, 'success', fn);
}
async function reverts(p: Promise<unknown>, name: string): Promise<readonly unknown[]> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name}, but the call succeeded`);
  const d = decodeRevert(err);
  assert.equal(d?.errorName, name, `expected ${name}, got ${d?.errorName ?? String(err).slice(0, 300)}`);
  return d!.args;
}
/** Opens a challenge of receipt `r` by key `by` with trace `t` (optionally holding `bondId`); returns the game id. */
async function challenge(by: number, q: QueryBundle, r: { abi: unknown; sig: Hex }, t: Int32Array, bondId: Hex = ZERO32): Promise<Hex> {
  const c = await disputeClient(ctx.env, by, []);
  const opened = await c.send('openChallenge', [r.abi, r.sig, party(t).root, openingAbi(q, output), bondId]);
  return opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
}
async function play(id: Hex, a: number, ta: Int32Array, b: number, tb: Int32Array, silent?: 'A' | 'B') {
  return playToEnd(ctx.env, id, { A: await disputeClient(ctx.env, a, []), B: await disputeClient(ctx.env, b, []) }, { A: party(ta), B: party(tb) }, [], silent ? { silent } : {});
}

describe('issue 11: the attacks on the dispute game fail', () => {
  it('attack 1 (escape by withdrawal): a liar that queues 2.5 of 3 ETH is still disputed and slashed; its withdrawal waits for the game', async () => {
    const [liar, honest] = [2, 3];
    const q = fresh();
    const lie = makeReceipt(ctx.env, q, liar, party(wrong).receiptRoot, output);
    await write(liar, ctx.env.staking, stakingAbi, 'queueWithdrawal', [parseEther('2.5')]);
    assert.equal(await read(ctx.env.staking, stakingAbi, 'isActiveOperator', [addr(liar)]), false, 'below the minimum');
    // the last minute of the receipt's dispute window: still disputable (before the fix: NotActiveOperator)
    await ctx.env.advance(DAY - 60);
    const id = await challenge(honest, q, lie, honestTrace);
    await ctx.env.advance(6 * DAY + 61); // the withdrawal delay has now passed, the game is not settled
    await reverts(write(liar, ctx.env.staking, stakingAbi, 'completeWithdrawal'), 'OperatorLocked');
    const r = await play(id, liar, wrong, honest, honestTrace);
    same(r.winner, honest);
    assert.equal(await stake(liar), parseEther('2'), 'slashed 1 ETH, from active then queued stake');
    await write(liar, ctx.env.staking, stakingAbi, 'completeWithdrawal'); // what is left of the queue, after the game
    // the windows are ordered at deployment: a game whose dispute window + longest game exceed the withdrawal delay is refused
    const deployer = { publicClient: ctx.env.clients.publicClient, wallet: ctx.env.clients.wallet(ctx.env.keys[0]!) };
    const windows = viemKeccak(viemHex('WindowsOutOfOrder(uint256,uint256)')).slice(0, 10);
    await assert.rejects(deployArtifact(deployer, 'DisputeGame', [ctx.env.staking, ctx.env.oneStep, ctx.env.escrow, 3600n, parseEther('1'), 5000, 2500, 1, 7n * 86_400n, 3600n]), (e) => String(e).includes(windows));
  });

  it('attack 2 (arity chosen by a stranger): the registry caps k at 64 and the game uses its own constant, whatever was registered', async () => {
    const stranger = 1;
    const hash = viemKeccak(viemHex('some model nodes serve'));
    await reverts(write(stranger, ctx.env.registry, modelRegistryAbi, 'register', [hash, 65_536, 'x']), 'InvalidTraceArity');
    await reverts(write(stranger, ctx.env.registry, modelRegistryAbi, 'register', [hash, 65, 'x']), 'InvalidTraceArity');
    // the stranger registers the model the game is about, first, at the largest arity allowed
    await write(stranger, ctx.env.registry, modelRegistryAbi, 'register', [viemHex(model.modelHash), 64, 'x']);
    const q = fresh();
    const id = await challenge(3, q, makeReceipt(ctx.env, q, 11, party(wrong).receiptRoot, output), honestTrace);
    const g = await (await disputeClient(ctx.env, 3, [])).game(id);
    assert.equal(g.logArity, 1, 'the deployment constant (k = 2), not the registered 64');
    // and a deployment cannot pick more than 2^6 children per move
    const deployer = { publicClient: ctx.env.clients.publicClient, wallet: ctx.env.clients.wallet(ctx.env.keys[0]!) };
    await assert.rejects(deployArtifact(deployer, 'DisputeGame', [ctx.env.staking, ctx.env.oneStep, ctx.env.escrow, 3600n, parseEther('1'), 5000, 2500, 7, 86_400n, 3600n]));
    const r = await play(id, 11, wrong, 3, honestTrace);
    same(r.winner, 3);
  });

  it('attack 3 (squatting): an accomplice challenges first and stays silent; an honest challenger still disputes the receipt and the liar is slashed', async () => {
    const [liar, accomplice, honest] = [4, 5, 6];
    const q = fresh();
    const lie = makeReceipt(ctx.env, q, liar, party(wrong).receiptRoot, output);
    const squat = await challenge(accomplice, q, lie, honestTrace);
    const real = await challenge(honest, q, lie, honestTrace); // before the fix: ReceiptAlreadyDisputed
    const before = await stake(liar);
    const r1 = await play(squat, liar, wrong, accomplice, honestTrace, 'B');
    same(r1.winner, liar);
    assert.equal(await stake(liar), before, 'winning the squatted game costs the liar nothing, and gains it nothing');
    const r2 = await play(real, liar, wrong, honest, honestTrace);
    same(r2.winner, honest);
    assert.equal(await stake(liar), before - parseEther('1'));
    assert.equal(await read(ctx.env.game, (await disputeClient(ctx.env, 1, [])).abi, 'slashedReceipt', [lie.digest]), true);
  });

  it('attack 4 (one stake, many challenges): a challenger with 3 ETH opens three challenges, not a fourth; each victim is paid in full', async () => {
    const challenger = 7;
    await write(challenger, ctx.env.staking, stakingAbi, 'queueWithdrawal', [parseEther('2')]); // 1 ETH active, 2 queued: all slashable
    const games: { id: Hex; victim: number }[] = [];
    for (const victim of [8, 9, 10]) {
      const q = fresh();
      games.push({ id: await challenge(challenger, q, makeReceipt(ctx.env, q, victim, party(honestTrace).receiptRoot, output), wrong), victim });
    }
    assert.equal(await read(ctx.env.staking, stakingAbi, 'reservedStake', [addr(challenger)]), parseEther('3'));
    const q = fresh();
    const args = await reverts(challenge(challenger, q, makeReceipt(ctx.env, q, 11, party(honestTrace).receiptRoot, output), wrong), 'ChallengerStakeTooLow');
    assert.deepEqual(args.slice(1), [0n, parseEther('1')]);
    // every victim plays its opening move; the challenger is silent in all three; all time out together
    const agents = await Promise.all(games.map(async (g) => new DisputeAgent({ chain: await disputeClient(ctx.env, g.victim, []), party: party(honestTrace) }, { side: 'A' })));
    for (const [i, g] of games.entries()) assert.equal((await agents[i]!.act(g.id)).move, 'postChildren');
    await ctx.env.advance(3601);
    for (const [i, g] of games.entries()) assert.equal((await agents[i]!.act(g.id)).move, 'timeout');
    await ctx.env.advance(3600); // the settle delay
    const slashed: bigint[] = [];
    for (const [i, g] of games.entries()) {
      const before = await claimable(g.victim);
      assert.equal((await agents[i]!.act(g.id)).move, 'settle');
      const logs = await ctx.env.clients.publicClient.getContractEvents({ address: ctx.env.staking, abi: stakingAbi, eventName: 'OperatorSlashed', args: { disputeId: g.id }, fromBlock: 0n });
      slashed.push((logs[0] as unknown as { args: { amount: bigint } }).args.amount);
      assert.equal((await claimable(g.victim)) - before, parseEther('0.5'), 'winner share of a full slash');
    }
    assert.deepEqual(slashed, [parseEther('1'), parseEther('1'), parseEther('1')], 'before the fix: 1, 1, 1, 0, 0 over five');
    assert.equal(await read(ctx.env.staking, stakingAbi, 'reservedStake', [addr(challenger)]), 0n);
  });

  it('attack 5 (the fee bond): it is tied to the answer, shared by parallel games, won by the first honest challenger, never released under an open window', async () => {
    const [liar, accomplice, honest, other] = [12, 13, 14, 15];
    const postBond = async (key: number, q: QueryBundle, out: Uint8Array) => {
      await write(key, ctx.env.escrow, feeEscrowAbi, 'postBond', [addr(1), viemHex(q.queryHash), viemKeccak(out)], parseEther('0.1'));
      return (await read(ctx.env.escrow, feeEscrowAbi, 'bondIdOf', [addr(key), addr(1), viemHex(q.queryHash)])) as Hex;
    };
    // (a) the bond of an honest answer (query q1) cannot be taken in a challenge of another receipt (q2) of the same node
    const q1 = fresh();
    const q2 = fresh();
    const honestBond = await postBond(liar, q1, output);
    const lie = makeReceipt(ctx.env, q2, liar, party(wrong).receiptRoot, output);
    await reverts(challenge(honest, q2, lie, honestTrace, honestBond), 'BondNotForReceipt');
    // (b) a bond posted for another answer to the same query is not this receipt's
    const q3 = fresh();
    const otherAnswer = await postBond(other, q3, otherClass(1));
    await reverts(challenge(honest, q3, makeReceipt(ctx.env, q3, other, party(wrong).receiptRoot, output), honestTrace, otherAnswer), 'BondAnswerMismatch');
    // (c) the accomplice holds the liar's bond in a game it loses; the honest challenger holds it too, wins, and gets it
    const bond = await postBond(liar, q2, output);
    const squat = await challenge(accomplice, q2, lie, honestTrace, bond);
    const real = await challenge(honest, q2, lie, honestTrace, bond);
    same((await play(squat, liar, wrong, accomplice, honestTrace, 'B')).winner, liar);
    assert.equal(((await read(ctx.env.escrow, feeEscrowAbi, 'getBond', [bond])) as { status: number }).status, 2, 'still held by the honest game');
    const before = (await read(ctx.env.escrow, feeEscrowAbi, 'balanceOf', [addr(honest)])) as bigint;
    same((await play(real, liar, wrong, honest, honestTrace)).winner, honest);
    assert.equal(((await read(ctx.env.escrow, feeEscrowAbi, 'balanceOf', [addr(honest)])) as bigint) - before, parseEther('0.1'));
    // (d) no front-running release: at the last minute of a receipt's window its bond is not releasable yet
    const q4 = fresh();
    const late = makeReceipt(ctx.env, q4, other, party(wrong).receiptRoot, output);
    const lateBond = await postBond(other, q4, output);
    await ctx.env.advance(DAY - 60);
    await reverts(write(1, ctx.env.escrow, feeEscrowAbi, 'releaseBond', [lateBond]), 'BondWindowOpen');
    const id = await challenge(16, q4, late, honestTrace, lateBond);
    same((await play(id, other, wrong, 16, honestTrace)).winner, 16);
    assert.equal(((await read(ctx.env.escrow, feeEscrowAbi, 'getBond', [lateBond])) as { status: number }).status, 4, 'Forfeited');
  });

  it('attack 6 (stale receipts, lost prompts): receipts expire after the window, cannot be dated ahead, and the prompt is on chain for the node', async () => {
    const [node, challenger] = [17, 18];
    const q = fresh();
    const old = makeReceipt(ctx.env, q, node, party(honestTrace).receiptRoot, output);
    const ahead = makeReceipt(ctx.env, q, node, party(honestTrace).receiptRoot, output, { issuedAt: ctx.env.time + 3600n });
    await reverts(challenge(challenger, q, ahead, wrong), 'ReceiptFromFuture');
    await ctx.env.advance(DAY + 1);
    const args = await reverts(challenge(challenger, q, old, wrong), 'ReceiptExpired');
    assert.equal(args[1], old.receipt.issuedAt);
    // inside the window: the node discarded its prompt and trace; it reads the prompt back from the opening's
    // calldata, re-runs the query, and wins with the rebuilt trace
    const q2 = fresh();
    const r = makeReceipt(ctx.env, q2, node, party(honestTrace).receiptRoot, output);
    const id = await challenge(challenger, q2, r, wrong);
    const input = inputFromBytes(fromHex(await (await disputeClient(ctx.env, node, [])).openingInput(id)));
    assert.deepEqual([...input], [...queryInputValues(query)]);
    const rebuilt = runModel(model, { vector: [...input] }, { trace: true }).trace!;
    same((await play(id, node, rebuilt, challenger, wrong)).winner, node);
  });

  it('attack 7a (same-block settlement): settle waits settleDelay after the decision', async () => {
    const q = fresh();
    const id = await challenge(20, q, makeReceipt(ctx.env, q, 19, party(honestTrace).receiptRoot, output), wrong);
    const c = await disputeClient(ctx.env, 19, []);
    await ctx.env.advance(3601);
    await c.timeout(id); // A (on turn) was silent
    const g = await c.game(id);
    const args = await reverts(c.settle(id), 'SettleTooEarly');
    assert.equal(args[1], g.deadline);
    await ctx.env.advance(3600);
    await c.settle(id);
  });

  it('attack 7b (timeout after markOutput): a party already shown wrong that goes silent does not make the other a rewarded winner', async () => {
    const [a, b] = [21, 22];
    // A: the right trace with a wrong output (marked); B: a wrong trace. A goes silent: B's trace was never checked
    const { q, ra, rb } = conflictReceipts(ctx.env, fresh(), a, party(honestTrace).receiptRoot, otherClass(1), b, party(wrong).receiptRoot, output);
    const c = await disputeClient(ctx.env, a, []);
    const opened = await c.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, { ...openingAbi(q, otherClass(1), output) }]);
    const id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
    const watcher = await disputeClient(ctx.env, 1, []);
    await watcher.markOutput(id, false, 0n, viemHex(otherClass(1)), viemHex(output), party(honestTrace).outputProof(0));
    const [sa, sb, cb] = [await stake(a), await stake(b), await claimable(b)];
    await ctx.env.advance(3601);
    const t = await watcher.send('timeout', [id]);
    assert.ok(t.logs.some((l) => l.eventName === 'NoReward'), 'B is right by default only');
    await ctx.env.advance(3600);
    await watcher.settle(id);
    assert.equal(await stake(a), sa - parseEther('1'), 'A (shown wrong) is slashed');
    assert.equal(await stake(b), sb, 'B is not slashed (nothing was shown against it)');
    assert.equal(await claimable(b), cb, 'but not rewarded either: before the fix it won 50% of A\'s slash');
    assert.equal(await read(ctx.env.staking, stakingAbi, 'isLockedBy', [addr(b), id]), false);
  });

  it('attack 7d (first-mover burden): openConflict takes the receipts in digest order only; the claimant cannot choose A', async () => {
    const { q, ra, rb } = conflictReceipts(ctx.env, fresh(), 21, party(honestTrace).receiptRoot, output, 23, party(wrong).receiptRoot, output);
    const c = await disputeClient(ctx.env, 1, []);
    const args = await reverts(c.send('openConflict', [rb.abi, rb.sig, ra.abi, ra.sig, openingAbi(q, output)]), 'ReceiptsOutOfOrder');
    assert.deepEqual(args, [rb.digest, ra.digest]);
    await c.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, openingAbi(q, output)]);
  });
});
