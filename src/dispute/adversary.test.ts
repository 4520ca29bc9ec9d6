/**
 * Property-based adversarial tests of the dispute game over the real contracts (issue 11; whitepaper §2.2.4–2.2.5;
 * docs/security.md §1): fast-check draws a trace with one wrong element (anywhere in the tiny MLP's 45: sources,
 * element-wise ops, reductions, the output), which side is honest, a conflict or a challenge, and a dishonest
 * strategy — per turn one of: play its own (wrong) trace, stay silent, wait until a minute before the deadline and
 * then play, send a random illegal transaction (garbage difference proofs, children that do not recombine to its
 * root, a replay without proofs, an early timeout or settlement, a forged output mark) — plus, before the game,
 * queuing a withdrawal of all its active stake and opening a parallel game against the honest side's receipt.
 * The honest side is the unmodified DisputeAgent. Invariants: the honest side never loses stake or bond and wins
 * every game; the side wrong at the disputed element never gets a winner share; every game ends.
 *
 * Runs: HYPERSPACE_PROPERTY_RUNS (default 6, a few seconds per run on EDR); e.g. HYPERSPACE_PROPERTY_RUNS=200 for a
 * long run. The seed is printed by fast-check on failure (fc.assert), and HYPERSPACE_PROPERTY_SEED replays one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseEther, type Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { stakingAbi } from '../chain/artifacts.ts';
import { conflictReceipts, disputeClient, makeQuery, makeReceipt, openingAbi } from '../chain/dispute-env.ts';
import type { DisputeClient } from '../chain/dispute-client.ts';
import { gameContext, honestTrace, model, output, query, source, withWrong, type GameCtx } from './game-scenarios.test-helper.ts';
import { queryInputValues } from '../inference/query-input.ts';
import { TraceParty } from './trace-party.ts';
import { DisputeAgent } from './agent.ts';
import { stateFromChain } from './state-machine.ts';

const RUNS = Number(process.env.HYPERSPACE_PROPERTY_RUNS ?? 6); // runs per property; each plays 1–2 whole games on EDR
const SEED = process.env.HYPERSPACE_PROPERTY_SEED === undefined ? undefined : Number(process.env.HYPERSPACE_PROPERTY_SEED);
const PAIRS = 10; // operator pairs (keys 2..21), reused round-robin and topped up to 3 ETH before each run

let chain: EmbeddedChain;
let ctx: GameCtx;
before(async () => {
  chain = await startEmbeddedChain({ accounts: 2 + 2 * PAIRS });
  ctx = await gameContext(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex));
});
after(async () => chain?.close());

type Tactic = 'play' | 'silent' | 'late' | 'illegal';
interface Case {
  element: number;
  delta: number;
  honestIsA: boolean;
  kind: 'conflict' | 'challenge';
  tactics: Tactic[];
  garbage: number[];
  queue: boolean;
  parallel: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  element: fc.integer({ min: 0, max: honestTrace.length - 1 }),
  delta: fc.integer({ min: -1000, max: 1000 }).filter((d) => d !== 0),
  honestIsA: fc.boolean(),
  kind: fc.constantFrom('conflict' as const, 'challenge' as const),
  tactics: fc.array(fc.constantFrom<Tactic>('play', 'play', 'silent', 'late', 'illegal'), { minLength: 1, maxLength: 12 }),
  garbage: fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: 8, maxLength: 8 }),
  queue: fc.boolean(),
  parallel: fc.boolean(),
});

const party = (t: Int32Array) => new TraceParty(t, source, { arity: 2 });
const word = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
let run = 0;

async function topUp(key: number): Promise<void> {
  const pc = ctx.env.clients.publicClient;
  const op = (await pc.readContract({ address: ctx.env.staking, abi: stakingAbi, functionName: 'getOperator', args: [ctx.env.addresses[key]!] })) as { stake: bigint };
  if (op.stake >= parseEther('3')) return;
  const hash = await ctx.env.clients.wallet(ctx.env.keys[key]!).writeContract({ address: ctx.env.staking, abi: stakingAbi, functionName: 'stake', value: parseEther('3') - op.stake });
  await pc.waitForTransactionReceipt({ hash });
}

/** One random illegal transaction by the dishonest side; it must revert (the game state is unchanged). */
async function illegal(c: DisputeClient, id: Hex, g: number[], turn: number): Promise<void> {
  const pick = g[turn % g.length]! % 7;
  const calls: [string, unknown[]][] = [
    ['bisect', [id, BigInt(g[1]! % 4), `0x${word(g[2]!).slice(2)}${word(g[3]!).slice(2)}` as Hex, [word(g[4]!), word(g[5]!)]]],
    ['postChildren', [id, [word(g[0]!), word(g[6]!)]]], // children that do not recombine to its root (or the wrong phase)
    ['resolveElement', [id, await c.config(id), BigInt(g[7]! % 6), '0x']],
    ['resolveLink', [id, await c.config(id), BigInt(g[7]! % 6), '0x']],
    ['timeout', [id]], // before the deadline
    ['settle', [id, await c.config(id)]], // before the decision
    ['markOutput', [id, await c.config(id), { isB: g[2]! % 2 === 0, token: 0n, outputA: `0x${Buffer.from(output).toString('hex')}`, outputB: `0x${Buffer.from(output).toString('hex')}`, proof: word(g[3]!) }]],
  ];
  const [fn, args] = calls[pick]!;
  await assert.rejects(c.send(fn, args), Error, `illegal ${fn} was accepted`);
}

/** Plays games to the end: the honest agent moves whenever it can; the dishonest side follows `tactics` turn by turn. */
async function playAll(games: { id: Hex; honest: DisputeAgent; liar: DisputeAgent; liarClient: DisputeClient }[], c: Case): Promise<void> {
  let turn = 0;
  for (let step = 0; step < 400; step++) {
    let live = 0;
    let moved = false;
    for (const gm of games) {
      const g = await gm.liarClient.game(gm.id);
      if (stateFromChain(g.phase, g.turn, g.posted) === 'done') continue;
      live++;
      if ((await gm.honest.act(gm.id)).action === 'moved') moved = true;
      const tactic = c.tactics[turn++ % c.tactics.length]!;
      if (tactic === 'silent') continue;
      if (tactic === 'illegal') await illegal(gm.liarClient, gm.id, c.garbage, turn);
      if (tactic === 'late') {
        // to a minute before the earliest live deadline (of this game or another): as late as possible while the honest
        // side — whose runner wakes 600 s before each deadline — still moves in time after it
        let first = (await gm.liarClient.game(gm.id)).deadline;
        for (const other of games) {
          const o = await other.liarClient.game(other.id);
          if (stateFromChain(o.phase, o.turn, o.posted) !== 'done' && o.deadline < first) first = o.deadline;
        }
        const now = await gm.liarClient.now();
        if (first > now + 60n) await ctx.env.advance(Number(first - now) - 60);
      }
      // a dishonest move that reverts (its wrong trace cannot be proven) is simply no move
      const r = await gm.liar.act(gm.id).catch(() => undefined);
      if (r?.action === 'moved') moved = true;
    }
    if (live === 0) return;
    if (!moved) await ctx.env.advance(3601);
  }
  assert.fail('a game did not end in 400 steps');
}

describe('dispute game under a random dishonest side (fast-check over the real contracts, EDR)', () => {
  it('an honest side that moves in time never loses and always wins; the wrong side never gets a winner share', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const pair = 2 + 2 * (run++ % PAIRS);
        const honestKey = c.honestIsA ? pair : pair + 1;
        const liarKey = c.honestIsA ? pair + 1 : pair;
        for (const k of [pair, pair + 1]) await topUp(k);
        const bad = withWrong(honestTrace, c.element, c.delta);
        const [ta, tb] = c.honestIsA ? [honestTrace, bad] : [bad, honestTrace];
        const [ka, kb] = [pair, pair + 1];
        const pc = ctx.env.clients.publicClient;
        const stakeOf = async (k: number) => (await pc.readContract({ address: ctx.env.staking, abi: stakingAbi, functionName: 'slashableStake', args: [ctx.env.addresses[k]!] })) as bigint;
        const claimOf = async (k: number) => (await pc.readContract({ address: ctx.env.staking, abi: stakingAbi, functionName: 'claimable', args: [ctx.env.addresses[k]!] })) as bigint;
        const honestStake = await stakeOf(honestKey);
        const liarClaim = await claimOf(liarKey);
        if (c.queue) {
          const active = ((await pc.readContract({ address: ctx.env.staking, abi: stakingAbi, functionName: 'getOperator', args: [ctx.env.addresses[liarKey]!] })) as { stake: bigint }).stake;
          if (active > 0n) {
            const hash = await ctx.env.clients.wallet(ctx.env.keys[liarKey]!).writeContract({ address: ctx.env.staking, abi: stakingAbi, functionName: 'queueWithdrawal', args: [active] });
            await pc.waitForTransactionReceipt({ hash });
          }
        }
        const q = makeQuery(ctx.env, model.modelHash, queryInputValues(query), ++ctx.nonce);
        const ca = await disputeClient(ctx.env, ka, []);
        const cb = await disputeClient(ctx.env, kb, []);
        let id: Hex;
        let qo = q;
        let honestReceipt: ReturnType<typeof makeReceipt> | undefined;
        if (c.kind === 'conflict') {
          const r = conflictReceipts(ctx.env, q, ka, party(ta).receiptRoot, output, kb, party(tb).receiptRoot, output);
          const opened = await ca.send('openConflict', [r.ra.abi, r.ra.sig, r.rb.abi, r.rb.sig, openingAbi(r.q, output)]);
          id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
          honestReceipt = c.honestIsA ? r.ra : r.rb;
          qo = r.q;
        } else {
          const r = makeReceipt(ctx.env, q, ka, party(ta).receiptRoot, output);
          const opened = await cb.send('openChallenge', [r.abi, r.sig, party(tb).root, openingAbi(q, output), `0x${'00'.repeat(32)}`]);
          id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
          if (c.honestIsA) honestReceipt = r;
        }
        const [honestC, liarC] = c.honestIsA ? [ca, cb] : [cb, ca];
        const games = [{ id, honest: new DisputeAgent({ chain: honestC, party: party(honestTrace) }, { side: c.honestIsA ? 'A' : 'B' }), liar: new DisputeAgent({ chain: liarC, party: party(bad) }, { side: c.honestIsA ? 'B' : 'A' }), liarClient: liarC }];
        // a parallel game against the honest side's receipt, by the dishonest side with its wrong trace (it needs free stake)
        if (c.parallel && honestReceipt && c.kind === 'conflict') {
          const free = (await pc.readContract({ address: ctx.env.staking, abi: stakingAbi, functionName: 'freeStake', args: [ctx.env.addresses[liarKey]!] })) as bigint;
          if (free >= parseEther('1')) {
            const opened = await liarC.send('openChallenge', [honestReceipt.abi, honestReceipt.sig, party(withWrong(bad, (c.element + 1) % bad.length, 1)).root, openingAbi(qo, output), `0x${'00'.repeat(32)}`]).catch(() => undefined);
            const pid = opened?.logs.find((l) => l.eventName === 'DisputeOpened')?.args.id as Hex | undefined;
            if (pid) games.push({ id: pid, honest: new DisputeAgent({ chain: honestC, party: party(honestTrace) }, { side: 'A' }), liar: new DisputeAgent({ chain: liarC, party: party(withWrong(bad, (c.element + 1) % bad.length, 1)) }, { side: 'B' }), liarClient: liarC });
          }
        }
        await playAll(games, c);
        for (const gm of games) {
          const logs = await pc.getContractEvents({ address: ctx.env.game, abi: liarC.abi, eventName: 'Resolved', args: { id: gm.id }, fromBlock: 0n });
          const res = (logs[0] as unknown as { args: { winner: string } }).args;
          assert.equal(res.winner.toLowerCase(), ctx.env.addresses[honestKey]!.toLowerCase(), `the honest side wins (${JSON.stringify(c)})`);
        }
        assert.ok((await stakeOf(honestKey)) >= honestStake, 'the honest side lost no stake');
        assert.equal(await claimOf(liarKey), liarClaim, 'the wrong side got no winner share');
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});
