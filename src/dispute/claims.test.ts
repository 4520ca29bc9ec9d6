/**
 * Fraud claims that must be refused or must not pay twice (issue 5 "Tests"; whitepaper §2.2.4–2.2.5;
 * docs/dispute.md §1, §6): replayed receipts, forged receipts, receipts for different queries, double
 * settlement/slashing, withdrawal while a dispute locks the stake, reentrancy from the staking contract during
 * settlement, and the verify-inference fee bond held by a challenge (forfeited to a winning challenger, else
 * returned). Embedded chain (EDR), real Staking / FeeEscrow except the reentrancy probe (DisputeTestStaking).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFunctionData, keccak256 as viemKeccak, parseEther, toHex as viemHex, type Address, type Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { decodeRevert } from '../chain/revert.ts';
import { feeEscrowAbi, stakingAbi } from '../chain/artifacts.ts';
import { deployArtifact, disputeArtifact, registerLayout } from '../chain/dispute-deploy.ts';
import { conflictReceipts, disputeClient, makeQuery, makeReceipt, openingAbi, playChallenge, playConflict, playToEnd, type DisputeEnv, type QueryBundle } from '../chain/dispute-env.ts';
import type { GasRecord } from '../chain/dispute-client.ts';
import { fromHex } from '../common/bytes.ts';
import { gameContext, honestTrace, model, output, query, source, withWrong, type GameCtx } from './game-scenarios.test-helper.ts';
import { queryInputValues } from '../inference/query-input.ts';
import { TraceParty } from './trace-party.ts';

let chain: EmbeddedChain;
let ctx: GameCtx;
const ZERO32 = `0x${'00'.repeat(32)}` as Hex;
const ZERO_ADDR = '0x0000000000000000000000000000000000000000' as Address;

before(async () => {
  chain = await startEmbeddedChain({ accounts: 24 });
  ctx = await gameContext(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex));
});
after(async () => chain?.close());

const fresh = (env: DisputeEnv = ctx.env): QueryBundle => makeQuery(env, model.modelHash, queryInputValues(query), ++ctx.nonce);
const party = (t: Int32Array) => new TraceParty(t, source, { arity: 2 });
const addr = (i: number) => ctx.env.addresses[i]!;

/** Awaits a transaction expected to revert with custom error `name`; returns the error's arguments. */
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

async function openConflict(env: DisputeEnv, q: QueryBundle, ia: number, ib: number, ta: Int32Array, tb: Int32Array, opener = ia) {
  const log: GasRecord[] = [];
  const c = await disputeClient(env, opener, log);
  const pa = party(ta);
  const pb = party(tb);
  const { q: qo, ra, rb } = conflictReceipts(env, q, ia, pa.commitment.root, output, ib, pb.commitment.root, output);
  const opened = await c.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, openingAbi(qo, output)]);
  const id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
  return { id, q: qo, ra, rb, pa, pb, c, log };
}

async function finish(env: DisputeEnv, o: Awaited<ReturnType<typeof openConflict>>, ia: number, ib: number) {
  const ca = await disputeClient(env, ia, o.log);
  const cb = await disputeClient(env, ib, o.log);
  return playToEnd(env, o.id, { A: ca, B: cb }, { A: o.pa, B: o.pb }, o.log);
}

const read = (address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
  ctx.env.clients.publicClient.readContract({ address, abi: abi as never, functionName, args } as never) as Promise<unknown>;

async function write(env: DisputeEnv, key: number, address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = [], value?: bigint) {
  const hash = await env.clients.wallet(env.keys[key]!).writeContract({ address, abi: abi as never, functionName, args, value } as never);
  const r = await env.clients.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(r.status, 'success', functionName);
}

describe('fraud claims: replayed, forged and unrelated receipts are refused; nothing pays twice', () => {
  it('a receipt can be in several games at once; its signer is slashed for it once, then it cannot be disputed again (ReceiptAlreadySlashed)', async () => {
    const q = fresh();
    const o = await openConflict(ctx.env, q, 2, 3, honestTrace, withWrong(honestTrace, 30));
    await reverts(o.c.send('openConflict', [o.ra.abi, o.ra.sig, o.rb.abi, o.rb.sig, openingAbi(o.q, output)]), 'GameExists');
    // the same false receipt (B's) challenged in parallel by an honest operator
    const challenger = await disputeClient(ctx.env, 5, []);
    const opened = await challenger.send('openChallenge', [o.rb.abi, o.rb.sig, party(honestTrace).root, openingAbi(o.q, output), ZERO32]);
    const id2 = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
    const r = await finish(ctx.env, o, 2, 3);
    assert.equal(r.winner.toLowerCase(), addr(2).toLowerCase());
    assert.equal(await read(ctx.env.game, o.c.abi, 'slashedReceipt', [o.rb.digest]), true);
    await reverts(challenger.send('openChallenge', [o.rb.abi, o.rb.sig, party(withWrong(honestTrace, 31)).root, openingAbi(o.q, output), ZERO32]), 'ReceiptAlreadySlashed');
    // the parallel game is still played and won by the challenger, but node 3 is not slashed a second time for that receipt
    const before = (await read(ctx.env.staking, stakingAbi, 'slashableStake', [addr(3)])) as bigint;
    const r2 = await playToEnd(ctx.env, id2, { A: await disputeClient(ctx.env, 3, []), B: challenger }, { A: o.pb, B: party(honestTrace) }, []);
    assert.equal(r2.winner.toLowerCase(), addr(5).toLowerCase());
    assert.equal((await read(ctx.env.staking, stakingAbi, 'slashableStake', [addr(3)])) as bigint, before, 'slashed once per receipt');
    assert.equal(await read(ctx.env.staking, stakingAbi, 'isLockedBy', [addr(3), id2]), false, 'unlocked instead');
  });

  it('forged receipts are refused: signer ≠ node, a field changed after signing, truncated or high-s signatures, a non-operator signer', async () => {
    const q = fresh();
    const c = await disputeClient(ctx.env, 2, []);
    const ra = makeReceipt(ctx.env, q, 4, party(honestTrace).commitment.root, output);
    const wrongRoot = party(withWrong(honestTrace, 30)).commitment.root;
    const open = (rb: { abi: unknown; sig: Hex }, a: { abi: unknown; sig: Hex } = ra) => c.send('openConflict', [a.abi, a.sig, rb.abi, rb.sig, openingAbi(q, output)]);
    // key 5 signs a receipt naming node 6
    const posing = makeReceipt(ctx.env, q, 5, wrongRoot, output, { node: fromHex(addr(6)) });
    const args = await reverts(open(posing), 'BadSignature');
    assert.equal(String(args[0]).toLowerCase(), addr(6).toLowerCase());
    assert.equal(String(args[1]).toLowerCase(), addr(5).toLowerCase(), 'the recovered signer is reported');
    // a genuine receipt whose trace root is changed after signing
    const genuine = makeReceipt(ctx.env, q, 5, wrongRoot, output);
    await reverts(open({ abi: { ...genuine.abi, traceRoot: viemHex(party(withWrong(honestTrace, 31)).commitment.root) }, sig: genuine.sig }), 'BadSignature');
    // truncated signature, and the same signature with s replaced by n − s (malleated, high s)
    await reverts(open({ abi: genuine.abi, sig: genuine.sig.slice(0, 130) as Hex }), 'BadSignature');
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const sHigh = n - BigInt(`0x${genuine.sig.slice(66, 130)}`);
    const v = parseInt(genuine.sig.slice(130, 132), 16) === 27 ? '1c' : '1b';
    await reverts(open({ abi: genuine.abi, sig: `${genuine.sig.slice(0, 66)}${sHigh.toString(16).padStart(64, '0')}${v}` as Hex }), 'BadSignature');
    // a correctly signed receipt by an address that is not a staked operator (key 1, the client)
    await reverts(open(makeReceipt(ctx.env, q, 1, wrongRoot, output)), 'NoStake');
    // the genuine pair still opens (nothing above consumed the receipts), in digest order
    const [x, y] = BigInt(ra.digest) < BigInt(genuine.digest) ? [ra, genuine] : [genuine, ra];
    await c.send('openConflict', [x.abi, x.sig, y.abi, y.sig, openingAbi(q, output)]);
  });

  it('receipts for different queries or models are not a conflict; nor are equal traces or one node twice', async () => {
    const q = fresh();
    const q2 = fresh();
    const c = await disputeClient(ctx.env, 2, []);
    const ra = makeReceipt(ctx.env, q, 6, party(honestTrace).commitment.root, output);
    const wrongRoot = party(withWrong(honestTrace, 30)).commitment.root;
    const open = (rb: { abi: unknown; sig: Hex }) => c.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, openingAbi(q, output)]);
    await reverts(open(makeReceipt(ctx.env, q2, 7, wrongRoot, output)), 'QueryMismatch');
    await reverts(open(makeReceipt(ctx.env, q, 7, wrongRoot, output, { modelHash: new Uint8Array(32).fill(7) })), 'ModelMismatch');
    await reverts(open(makeReceipt(ctx.env, q, 7, party(honestTrace).commitment.root, output)), 'ReceiptsDoNotConflict');
    await reverts(open(makeReceipt(ctx.env, q, 6, wrongRoot, output)), 'SameParty');
    // the opening must be the receipts' own query
    const rb = makeReceipt(ctx.env, q, 7, wrongRoot, output);
    const [x, y] = BigInt(ra.digest) < BigInt(rb.digest) ? [ra, rb] : [rb, ra];
    await reverts(c.send('openConflict', [x.abi, x.sig, y.abi, y.sig, openingAbi(q2, output)]), 'QueryHashMismatch');
    await reverts(c.send('openConflict', [y.abi, y.sig, x.abi, x.sig, openingAbi(q, output)]), 'ReceiptsOutOfOrder');
  });

  it('double slashing: a settled game cannot be settled or timed out again; the loser was slashed exactly once', async () => {
    const before = (await read(ctx.env.staking, stakingAbi, 'slashableStake', [addr(9)])) as bigint;
    const q = fresh();
    const r = await playConflict(ctx.env, q, party(honestTrace), party(withWrong(honestTrace, 30)), 8, 9, { a: output, b: output });
    assert.equal(r.winner.toLowerCase(), addr(8).toLowerCase());
    assert.ok(r.moves.includes('A:settle'), r.moves.join(','));
    const c = await disputeClient(ctx.env, 8, []);
    await reverts(c.send('settle', [r.id, await c.config(r.id)]), 'WrongPhase');
    await ctx.env.advance(7200);
    await reverts(c.send('timeout', [r.id]), 'WrongPhase');
    const after = (await read(ctx.env.staking, stakingAbi, 'slashableStake', [addr(9)])) as bigint;
    assert.equal(before - after, parseEther('1'), 'one slash of slashAmount');
    assert.equal(await read(ctx.env.staking, stakingAbi, 'isSlashed', [addr(9), r.id]), true);
    assert.equal(await read(ctx.env.staking, stakingAbi, 'isLockedBy', [addr(8), r.id]), false, 'the winner is unlocked');
  });

  it('settle passes the opening config back: a wrong config is refused', async () => {
    const q = fresh();
    const o = await openConflict(ctx.env, q, 10, 11, honestTrace, withWrong(honestTrace, 30));
    const cfg = await o.c.config(o.id);
    await ctx.env.advance(3601); // A (on turn) times out: decided
    await o.c.send('timeout', [o.id]);
    await reverts(o.c.send('settle', [o.id, cfg]), 'SettleTooEarly'); // settleDelay after the decision
    await ctx.env.advance(3600);
    await reverts(o.c.send('settle', [o.id, { ...cfg, claimant: addr(11) }]), 'BadConfig');
    await o.c.send('settle', [o.id, cfg]);
  });

  it('withdrawal during a dispute is blocked (OperatorLocked), and allowed once the game is settled', async () => {
    const w = 12;
    await write(ctx.env, w, ctx.env.staking, stakingAbi, 'queueWithdrawal', [parseEther('1')]);
    await ctx.env.advance(7 * 24 * 3600 + 1); // the withdrawal delay passes before the dispute opens
    const o = await openConflict(ctx.env, fresh(), w, 13, honestTrace, withWrong(honestTrace, 30));
    await reverts(write(ctx.env, w, ctx.env.staking, stakingAbi, 'completeWithdrawal'), 'OperatorLocked');
    await reverts(write(ctx.env, w, ctx.env.staking, stakingAbi, 'deregisterOperator'), 'OperatorLocked');
    const r = await finish(ctx.env, o, w, 13);
    assert.equal(r.winner.toLowerCase(), addr(w).toLowerCase());
    const balance = await ctx.env.clients.publicClient.getBalance({ address: addr(w) });
    await write(ctx.env, w, ctx.env.staking, stakingAbi, 'completeWithdrawal');
    assert.ok((await ctx.env.clients.publicClient.getBalance({ address: addr(w) })) > balance, 'the queued ETH came out');
  });
});

describe('verify-inference fee bond held by a challenge (whitepaper §2.2.3)', () => {
  /** The bond node `key` posts for its answer `out` to query q: hcs = the query's client, challengeId = the query hash. */
  const postBond = async (key: number, q: QueryBundle, out: Uint8Array = output): Promise<Hex> => {
    const challengeId = viemHex(q.queryHash);
    await write(ctx.env, key, ctx.env.escrow, feeEscrowAbi, 'postBond', [addr(1), challengeId, viemKeccak(out)], parseEther('0.1'));
    return (await read(ctx.env.escrow, feeEscrowAbi, 'bondIdOf', [addr(key), addr(1), challengeId])) as Hex;
  };
  const bondStatus = async (id: Hex) => ((await read(ctx.env.escrow, feeEscrowAbi, 'getBond', [id])) as { status: number }).status;
  const escrowBalance = (i: number) => read(ctx.env.escrow, feeEscrowAbi, 'balanceOf', [addr(i)]) as Promise<bigint>;

  it('a successful challenger gets the wrong node\'s bond (Forfeited)', async () => {
    const q = fresh();
    const bondId = await postBond(14, q);
    const before = await escrowBalance(15);
    const r = await playChallenge(ctx.env, q, party(withWrong(honestTrace, 30)), party(honestTrace), 14, 15, output, bondId);
    assert.equal(r.winner.toLowerCase(), addr(15).toLowerCase());
    assert.equal(await bondStatus(bondId), 4, 'Forfeited');
    assert.equal((await escrowBalance(15)) - before, parseEther('0.1'));
  });

  it('a failed challenge drops its hold: the bond is Posted again (released after its window); while the game runs it cannot be released', async () => {
    const q = fresh();
    const bondId = await postBond(16, q);
    const log: GasRecord[] = [];
    const ca = await disputeClient(ctx.env, 16, log);
    const cb = await disputeClient(ctx.env, 17, log);
    const pa = party(honestTrace);
    const pb = party(withWrong(honestTrace, 30));
    const ra = makeReceipt(ctx.env, q, 16, pa.commitment.root, output);
    const opened = await cb.send('openChallenge', [ra.abi, ra.sig, pb.root, openingAbi(q, output), bondId]);
    const id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
    assert.equal(await bondStatus(bondId), 2, 'Held');
    await reverts(write(ctx.env, 16, ctx.env.escrow, feeEscrowAbi, 'releaseBond', [bondId]), 'BondNotActive');
    const r = await playToEnd(ctx.env, id, { A: ca, B: cb }, { A: pa, B: pb }, log);
    assert.equal(r.winner.toLowerCase(), addr(16).toLowerCase());
    assert.equal(await bondStatus(bondId), 1, 'Posted');
    await ctx.env.advance(2 * 24 * 3600);
    const before = await escrowBalance(16);
    await write(ctx.env, 16, ctx.env.escrow, feeEscrowAbi, 'releaseBond', [bondId]);
    assert.equal(await bondStatus(bondId), 3, 'Released');
    assert.equal((await escrowBalance(16)) - before, parseEther('0.1'));
  });

  it('a challenge cannot hold another node\'s bond (BondNotForReceipt)', async () => {
    const q = fresh();
    const bondId = await postBond(18, q);
    const ra = makeReceipt(ctx.env, q, 19, party(honestTrace).commitment.root, output);
    const c = await disputeClient(ctx.env, 20, []);
    await reverts(c.send('openChallenge', [ra.abi, ra.sig, party(withWrong(honestTrace, 30)).root, openingAbi(q, output), bondId]), 'BondNotForReceipt');
  });
});

describe('reentrancy', () => {
  it('the staking contract re-entering settle() from inside slash() is refused (Reentrancy); the game settles once', async () => {
    const env0 = ctx.env;
    const deployer = { publicClient: env0.clients.publicClient, wallet: env0.clients.wallet(env0.keys[0]!) };
    const probe = (await deployArtifact(deployer, 'DisputeTestStaking', [parseEther('1')])).address;
    const oneStep = (await deployArtifact(deployer, 'OneStepVerifier')).address;
    const escrow = (await deployArtifact(deployer, 'FeeEscrow', [3n * 86_400n, ZERO_ADDR])).address;
    const game = (await deployArtifact(deployer, 'DisputeGame', [probe, oneStep, escrow, 3600n, parseEther('1'), 5000, 2500, 1, 86_400n, 3600n])).address;
    const probeAbi = (await disputeArtifact('DisputeTestStaking')).abi;
    const gameAbi = (await disputeArtifact('DisputeGame')).abi;
    await write(env0, 0, probe, probeAbi, 'setDisputeContract', [game]);
    await write(env0, 0, escrow, feeEscrowAbi, 'setDisputeContract', [game]);
    await registerLayout(deployer, oneStep, model);
    for (const k of [21, 22]) await write(env0, k, probe, probeAbi, 'stake', [], parseEther('3'));
    const env: DisputeEnv = { ...env0, staking: probe, escrow, game, oneStep, registry: ZERO_ADDR };
    const o = await openConflict(env, fresh(env), 21, 22, honestTrace, withWrong(honestTrace, 30));
    const cfg = await o.c.config(o.id);
    await write(env0, 0, probe, probeAbi, 'setReenter', [encodeFunctionData({ abi: gameAbi, functionName: 'settle', args: [o.id, cfg] } as never)]);
    const r = await finish(env, o, 21, 22);
    assert.equal(r.winner.toLowerCase(), addr(21).toLowerCase());
    assert.equal(await read(probe, probeAbi, 'reenterTried'), true, 'the probe ran inside slash()');
    assert.equal(await read(probe, probeAbi, 'reenterSucceeded'), false);
    const err = (await read(probe, probeAbi, 'reenterError')) as Hex;
    assert.equal(err.slice(0, 10), viemKeccak(viemHex('Reentrancy()')).slice(0, 10), 'refused by the reentrancy guard');
    const resolved = await env.clients.publicClient.getContractEvents({ address: game, abi: gameAbi, eventName: 'Resolved', fromBlock: 0n });
    assert.equal(resolved.length, 1, 'settled once');
    assert.equal(await read(probe, probeAbi, 'isSlashed', [addr(22), o.id]), true);
  });
});
