/**
 * AgentRunner on the embedded chain (EDR): games played with no manual loop — only the game's events (log polling)
 * and deadline wake-ups call the agents — plus restart recovery, dropped events and failed transactions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { gameContext, honestTrace, model, output, query, source, withWrong, type GameCtx } from './game-scenarios.test-helper.ts';
import { TraceParty } from './trace-party.ts';
import { conflictReceipts, disputeClient, makeQuery, openingAbi } from '../chain/dispute-env.ts';
import { realTimers, type DisputeClient, type GasRecord } from '../chain/dispute-client.ts';
import { queryInputValues } from '../inference/query-input.ts';
import { DisputeAgent } from './agent.ts';
import { AgentRunner, AgentRunnerFailedError, AgentRunnerStoppedError, type AgentRunnerOptions, type RunnerChain, type TimerPort } from './agent-runner.ts';
import { ManualClock, systemClock } from '../common/clock.ts';
import { stateFromChain } from './state-machine.ts';

let chain: EmbeddedChain;
let ctx: GameCtx;

before(async () => {
  chain = await startEmbeddedChain({ accounts: 12 });
  // settleDelay 0: these runners use real timers, so the winner settles at once (the agent waiting out a settle delay
  // is exercised in attacks.test.ts 7a and by every playToEnd; the runner waking at the settle time is not tested yet)
  ctx = await gameContext(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex), { settleDelay: 0n });
});

const started: AgentRunner[] = [];

after(async () => {
  // a failed test must not leave a runner polling (its timers would keep the process alive)
  await Promise.all(started.map((r) => r.stop()));
  await chain?.close();
});

const FAST: Partial<AgentRunnerOptions> = { pollIntervalMs: 20, retryBaseMs: 20, retryMaxMs: 200 };

/** Opens a conflict between A (key ia, trace ta) and B (key ib, trace tb); returns the id and both clients and parties. */
async function open(ta: Int32Array, tb: Int32Array, ia: number, ib: number): Promise<{ id: Hex; ca: DisputeClient; cb: DisputeClient; pa: TraceParty; pb: TraceParty }> {
  const log: GasRecord[] = [];
  const q = makeQuery(ctx.env, model.modelHash, queryInputValues(query), ++ctx.nonce);
  const pa = new TraceParty(ta, source, { arity: 16 });
  const pb = new TraceParty(tb, source, { arity: 16 });
  const ca = await disputeClient(ctx.env, ia, log);
  const cb = await disputeClient(ctx.env, ib, log);
  const { q: qo, ra, rb } = conflictReceipts(ctx.env, q, ia, pa.receiptRoot, output, ib, pb.receiptRoot, output);
  const opened = await ca.send('openConflict', [ra.abi, ra.sig, rb.abi, rb.sig, openingAbi(qo, output, output)]);
  const id = opened.logs.find((l) => l.eventName === 'DisputeOpened')!.args.id as Hex;
  return { id, ca, cb, pa, pb };
}

function runner(c: RunnerChain & DisputeClient, p: TraceParty, side: 'A' | 'B', id: Hex, opts: Partial<AgentRunnerOptions> = {}, parts: { chain?: RunnerChain; timers?: TimerPort; clock?: ManualClock } = {}): AgentRunner {
  const agent = new DisputeAgent({ chain: c, party: p }, { side });
  const r = new AgentRunner({ agent, chain: parts.chain ?? c, clock: parts.clock ?? systemClock, timers: parts.timers ?? realTimers }, id, { ...FAST, ...opts });
  started.push(r);
  return r;
}

async function resolvedWinner(c: DisputeClient, id: Hex): Promise<string> {
  const logs = await c.publicClient.getContractEvents({ address: c.address, abi: c.abi, eventName: 'Resolved', args: { id }, fromBlock: 0n });
  return ((logs[0] as unknown as { args: { winner: string } }).args.winner).toLowerCase();
}

/** Polls `cond` until it holds; the cap (6,000 polls, over a minute) only turns a hang into a failure. */
async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Timers on a manual clock: tasks run only when the test advances the clock past them. */
class ManualTimers implements TimerPort {
  private readonly tasks = new Map<number, { at: number; task: () => void }>();
  private next = 1;
  readonly clock: ManualClock;
  constructor(clock: ManualClock) {
    this.clock = clock;
  }
  set(delayMs: number, task: () => void): unknown {
    const h = this.next++;
    this.tasks.set(h, { at: this.clock.now() + delayMs, task });
    return h;
  }
  clear(handle: unknown): void {
    this.tasks.delete(handle as number);
  }
  /** The latest pending task's due time, ms (-Infinity when none). */
  lastDue(): number {
    return Math.max(...[...this.tasks.values()].map((t) => t.at));
  }
  /** Advances the clock to `at` and runs the tasks due by then (those scheduled meanwhile wait for the next call). */
  advanceTo(at: number): void {
    this.clock.set(Math.max(at, this.clock.now()));
    const due = [...this.tasks.entries()].filter(([, t]) => t.at <= this.clock.now()).sort((x, y) => x[1].at - y[1].at);
    for (const [h, t] of due) {
      this.tasks.delete(h);
      t.task();
    }
  }
  get size(): number {
    return this.tasks.size;
  }
}

describe('AgentRunner: the dispute played by events and deadline wake-ups (embedded chain)', () => {
  it('two runners play a whole game (reduction: links and sums phases) with no manual loop; the cheater loses and the winner settles', async () => {
    const g = await open(withWrong(honestTrace, 10, 5), honestTrace, 2, 3);
    const ra = runner(g.ca, g.pa, 'A', g.id);
    const rb = runner(g.cb, g.pb, 'B', g.id);
    const [oa, ob] = await Promise.all([ra.start(), rb.start()]);
    assert.equal(oa.won, false);
    assert.equal(ob.won, true);
    assert.ok(ob.moves.includes('postSumsRoot') && oa.moves.includes('postChildren'), `${oa.moves} / ${ob.moves}`);
    assert.ok(ob.moves.includes('settle'), 'the winner settled');
    assert.equal(ob.state, 'done');
    assert.equal(await resolvedWinner(g.ca, g.id), ctx.env.addresses[3]!.toLowerCase());
    // after the start, only events drove them (every later agent call came from a log poll), and nothing is left behind
    assert.ok(ra.stats.eventTicks > 0 && rb.stats.eventTicks > 0);
    assert.ok(!oa.moves.includes('timeout') && !ob.moves.includes('timeout'));
    assert.equal(ra.stats.pendingTimers + rb.stats.pendingTimers, 0);
  });

  it('a runner stopped mid-game leaves no timer; a fresh runner for the same side reads the chain, resumes and wins', async () => {
    const g = await open(honestTrace, withWrong(honestTrace, 30), 4, 5);
    const ra1 = runner(g.ca, g.pa, 'A', g.id);
    const state = async () => {
      const v = await g.ca.game(g.id);
      return stateFromChain(v.phase, v.turn, v.posted);
    };
    // A alone first: it makes its opening move, then is stopped
    void ra1.start();
    await until(async () => (await state()) === 'trace-b', 'A posted');
    await ra1.stop();
    assert.equal(ra1.stats.pendingTimers, 0);
    await assert.rejects(ra1.outcome, AgentRunnerStoppedError);
    // B answers; nobody plays A until the new runner starts
    const rb = runner(g.cb, g.pb, 'B', g.id);
    const ob = rb.start();
    await until(async () => (await state()) === 'trace-a', 'B answered');
    // a restarted node: a new client, agent and runner; it kept only the game id and its opening block
    const opened = g.ca.gameStart(g.id);
    assert.ok(opened > 0n, 'the opening block was recorded by the client that opened the game');
    const late = await disputeClient(ctx.env, 4, []);
    late.setGameStart(g.id, opened + 1n);
    await assert.rejects(late.config(g.id), /DISPUTE_TX|config/, 'event reads start at the game start, not block 0');
    const ca2 = await disputeClient(ctx.env, 4, []);
    ca2.setGameStart(g.id, opened);
    const ra2 = runner(ca2, g.pa, 'A', g.id);
    const oa = await ra2.start();
    assert.equal(oa.won, true);
    assert.ok(oa.moves.includes('bisect') && !oa.moves.includes('postChildren'), oa.moves.join(','));
    assert.equal((await ob).won, false);
    assert.equal(await resolvedWinner(g.ca, g.id), ctx.env.addresses[4]!.toLowerCase());
  });

  it('a runner whose events are all dropped still moves before each deadline, woken at deadline − margin', async () => {
    const g = await open(honestTrace, withWrong(honestTrace, 30), 6, 7);
    const margin = 600;
    const clock = new ManualClock(Date.now());
    const timers = new ManualTimers(clock);
    // the watcher double: blocks advance, but no event of this game ever reaches A's runner
    const deaf: RunnerChain = { game: (id) => g.ca.game(id), now: () => g.ca.now(), blockNumber: () => g.ca.blockNumber(), gameEvents: async () => [] };
    const ra = runner(g.ca, g.pa, 'A', g.id, { safetyMarginSeconds: margin, pollIntervalMs: 1000 }, { chain: deaf, timers, clock });
    const rb = runner(g.cb, g.pb, 'B', g.id);
    const ob = rb.start();
    const oa = ra.start();
    let done = false;
    void oa.then(() => (done = true));
    let wakes = 0;
    const aOnTurn = async () => {
      const v = await g.ca.game(g.id);
      const st = stateFromChain(v.phase, v.turn, v.posted);
      return st === 'trace-a' || st === 'trace-step';
    };
    for (let round = 0; round < 20 && !done; round++) {
      // wait until B has answered (A on turn) or the game is over; A heard nothing of it
      await until(async () => done || (await aOnTurn()), 'A on turn');
      // A's last tick has ended by setting its wake-up (its poll and its wake-up are both pending again)
      await until(async () => done || ra.stats.pendingTimers === 2, "A's wake-up set");
      if (done) break;
      const v = await g.ca.game(g.id);
      const chainNow = Number(await g.ca.now());
      const wakeAt = timers.lastDue(); // the deadline wake-up (the other pending task is the next log poll)
      const step = Math.max(0, Math.ceil((wakeAt - clock.now()) / 1000));
      // the wake-up falls about `margin` before A's deadline: well before it, not much earlier
      assert.ok(chainNow + step < Number(v.deadline) && chainNow + step > Number(v.deadline) - margin - 60, `wake-up at chain time ${chainNow + step}, deadline ${v.deadline}`);
      // move chain time and A's clock together to that wake-up and fire it
      await ctx.env.advance(step);
      timers.advanceTo(wakeAt);
      wakes++;
      await until(async () => done || !(await aOnTurn()), 'A moved');
    }
    const a = await oa;
    assert.equal(a.won, true, a.moves.join(','));
    assert.ok(!a.moves.includes('timeout') && !(await ob).moves.includes('timeout'));
    assert.equal(ra.stats.events, 0, 'no event reached A');
    assert.equal(ra.stats.eventTicks, 0);
    assert.ok(wakes >= 2 && a.moves.length >= 3, `${wakes} wake-ups, moves ${a.moves}`);
    const t = await g.ca.publicClient.getContractEvents({ address: g.ca.address, abi: g.ca.abi, eventName: 'TimedOut', args: { id: g.id }, fromBlock: 0n });
    assert.equal(t.length, 0, 'nobody timed out');
  });

  it('a failed transaction is retried with backoff; stop() on a finished runner is a no-op', async () => {
    const g = await open(honestTrace, withWrong(honestTrace, 30), 8, 9);
    let failures = 2;
    const flaky = new Proxy(g.ca, {
      get(target, prop, recv) {
        if (prop === 'postChildren' || prop === 'bisect') {
          return async (...args: unknown[]) => {
            if (failures-- > 0) throw new Error('injected RPC failure');
            return (target[prop] as (...a: unknown[]) => Promise<void>).apply(target, args);
          };
        }
        const v = Reflect.get(target, prop, recv);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as DisputeClient;
    const ra = runner(flaky, g.pa, 'A', g.id);
    const rb = runner(g.cb, g.pb, 'B', g.id);
    const [oa, ob] = await Promise.all([ra.start(), rb.start()]);
    assert.equal(oa.won, true);
    assert.equal(ob.won, false);
    assert.equal(ra.stats.errors, 2);
    await ra.stop();
    assert.deepEqual(await ra.outcome, oa);
  });
});

describe('AgentRunner: retries and giving up (no chain)', () => {
  it('a failing chain is retried after base, 2·base, … backoff up to the cap, then the outcome rejects with AgentRunnerFailedError', async () => {
    const clock = new ManualClock(0);
    const timers = new ManualTimers(clock);
    const delays: number[] = [];
    const recording: TimerPort = {
      set: (ms, task) => {
        delays.push(ms);
        return timers.set(ms, task);
      },
      clear: (h) => timers.clear(h),
    };
    const down = async (): Promise<never> => {
      throw new Error('RPC down');
    };
    const dead = { game: down, now: down, blockNumber: down, gameEvents: down } as unknown as RunnerChain & DisputeClient;
    const agent = new DisputeAgent({ chain: dead, party: new TraceParty(honestTrace, source, { arity: 16 }) }, { side: 'B' });
    const r = new AgentRunner({ agent, chain: dead, clock, timers: recording }, `0x${'11'.repeat(32)}`, { pollIntervalMs: 10_000, retryBaseMs: 100, retryMaxMs: 350, maxConsecutiveErrors: 5 });
    r.start();
    for (let i = 0; i < 50 && r.running; i++) {
      await new Promise((res) => setTimeout(res, 1));
      timers.advanceTo(clock.now() + 100);
    }
    await assert.rejects(r.outcome, (e: unknown) => e instanceof AgentRunnerFailedError && e.details.errors === 5);
    const retries = delays.filter((d) => d !== 10_000 && d !== 0);
    assert.deepEqual(retries, [100, 200, 350, 350]);
    assert.equal(r.stats.pendingTimers, 0);
    assert.equal(timers.size, 0, 'no timer left behind');
  });
});
