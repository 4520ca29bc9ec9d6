/**
 * The driver that plays one side of a dispute to the end (whitepaper §2.2.5 "every move has a deadline; a missed
 * move loses"; docs/dispute.md §7). The DisputeAgent makes at most one move per call and keeps no state; this
 * runner decides WHEN to call it:
 * - on the game's events: it polls the contract's logs for this game id from the last block it has seen (never
 *   from block 0; at most `maxLogRange` blocks per request, since real RPCs cap log ranges);
 * - on a wake-up well before the current deadline (deadline − safety margin), so a missed or dropped event cannot
 *   cost the game, and just after the deadline, to claim the other side's timeout;
 * - after a failed move, with exponential backoff.
 * A fresh runner for the same game reads the chain and continues (restart recovery). It stops when the game is
 * decided (after settling it, when this side is the one to settle) and resolves `outcome`; `stop()` ends it early
 * with no timer or poll left behind.
 *
 * Pure (DESIGN.md §3): no Date.now and no timers of its own; the Clock and the TimerPort are injected (real timers:
 * src/chain/dispute-client.ts `realTimers`; tests can drive a manual clock).
 */
import type { Clock } from '../common/clock.ts';
import { BaseError } from '../common/errors.ts';
import type { DisputeAgent, GameView } from './agent.ts';
import { stateFromChain, type DisputeState, type Party } from './state-machine.ts';
import type { Hex } from './proof-packer.ts';

/** Run `task` after `delayMs` of (possibly virtual) time; `clear` cancels a pending one. */
export interface TimerPort {
  set(delayMs: number, task: () => void): unknown;
  clear(handle: unknown): void;
}

/** One decoded DisputeGame event of the followed game. */
export interface GameEvent {
  eventName: string;
  blockNumber: bigint;
  args: Record<string, unknown>;
}

/** What the runner reads from the chain besides what the agent does (DisputeClient implements it). */
export interface RunnerChain {
  game(id: Hex): Promise<GameView>;
  /** Latest block timestamp, seconds. */
  now(): Promise<bigint>;
  /** Latest block number. */
  blockNumber(): Promise<bigint>;
  /** Events of game `id` in blocks [fromBlock, toBlock]. */
  gameEvents(id: Hex, fromBlock: bigint, toBlock: bigint): Promise<GameEvent[]>;
}

export interface AgentRunnerOptions {
  /** Wake up this long before the deadline of the move in progress, whoever is on turn. */
  safetyMarginSeconds: number;
  /** Between two log polls. */
  pollIntervalMs: number;
  /** Blocks per eth_getLogs request. */
  maxLogRange: bigint;
  /** First retry delay after a failed move or read; doubled per consecutive failure up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Consecutive failures after which the runner gives up (`outcome` rejects with AgentRunnerFailedError). */
  maxConsecutiveErrors: number;
  /** Seconds after the deadline before claiming the other side's timeout. */
  lateClaimSeconds: number;
  /** Settle the decided game when this side is the one expected to (the agent's rule); else stop at 'decided'. */
  settle: boolean;
  /** First block to read events from (default: the latest block at start; a restart needs no old events). */
  fromBlock?: bigint;
}

export const DEFAULTS: AgentRunnerOptions = {
  safetyMarginSeconds: 600, // s; 10 minutes of the contract's 1-hour moveTimeout (dispute-deploy.ts): room for ~8 backoff retries
  pollIntervalMs: 2_000, // ms; a few polls per 12-s L1 block; the embedded chain mines on each transaction
  maxLogRange: 1_000n, // blocks; within common public RPC caps on eth_getLogs (1k–10k blocks)
  retryBaseMs: 1_000, // ms; a reverted or dropped transaction is retried after 1 s, 2 s, 4 s, …
  retryMaxMs: 60_000, // ms; at most a minute apart: several tries fit inside the safety margin
  maxConsecutiveErrors: 20, // tries; ~15 minutes of backoff at the cap: past the margin, the move is lost anyway
  lateClaimSeconds: 1, // s; the contract accepts timeout(id) once block.timestamp > deadline
  settle: true, // the winner settles: it is paid at settlement
};

/** How the game ended for this runner: the contract's outcome bits (DisputeGame.turn in Decided / Done). */
export interface RunnerOutcome {
  id: Hex;
  side: Party;
  state: 'decided' | 'done';
  aRight: boolean;
  bRight: boolean;
  /** This side was right (not slashed). */
  won: boolean;
  /** The moves this runner made, in order (agent move names). */
  moves: string[];
}

export interface RunnerStats {
  /** Agent calls triggered by the game's events. */
  eventTicks: number;
  /** Agent calls triggered by a deadline wake-up (or the start). */
  wakeTicks: number;
  /** Failed agent calls or reads (each retried with backoff). */
  errors: number;
  /** Events seen for this game. */
  events: number;
  /** Timers pending now (0 once finished or stopped). */
  pendingTimers: number;
}

export class AgentRunnerStoppedError extends BaseError<{ id: string }> {
  constructor(id: string) {
    super('DISPUTE_RUNNER_STOPPED', `dispute runner for ${id} was stopped before the game was decided`, { details: { id } });
  }
}

export class AgentRunnerFailedError extends BaseError<{ id: string; errors: number }> {
  constructor(id: string, errors: number, cause: unknown) {
    super('DISPUTE_RUNNER_FAILED', `dispute runner for ${id} gave up after ${errors} consecutive failures`, { cause, details: { id, errors } });
  }
}

type Trigger = 'event' | 'wake';

export class AgentRunner {
  readonly id: Hex;
  /** Resolves when the game is decided (and settled, when this side settles); rejects on stop() or giving up. */
  readonly outcome: Promise<RunnerOutcome>;
  private readonly agent: DisputeAgent;
  private readonly chain: RunnerChain;
  private readonly clock: Clock;
  private readonly timers: TimerPort;
  private readonly options: AgentRunnerOptions;
  private readonly moves: string[] = [];
  private readonly s = { eventTicks: 0, wakeTicks: 0, errors: 0, events: 0 };
  private resolve!: (o: RunnerOutcome) => void;
  private reject!: (e: unknown) => void;
  private state: 'idle' | 'running' | 'finished' = 'idle';
  private cursor: bigint | undefined;
  /** Chain time minus local time, ms: the largest seen (a stale latest block only underestimates it). */
  private skewMs = Number.NEGATIVE_INFINITY;
  private consecutiveErrors = 0;
  private busy = false;
  private again: Trigger | undefined;
  private wakeTimer: unknown;
  private pollTimer: unknown;
  private inflightTick: Promise<void> = Promise.resolve();
  private inflightPoll: Promise<void> = Promise.resolve();

  constructor(
    components: { agent: DisputeAgent; chain: RunnerChain; clock: Clock; timers: TimerPort },
    id: Hex,
    options: Partial<AgentRunnerOptions> = {},
  ) {
    this.id = id;
    this.agent = components.agent;
    this.chain = components.chain;
    this.clock = components.clock;
    this.timers = components.timers;
    this.options = { ...DEFAULTS, ...options };
    this.outcome = new Promise<RunnerOutcome>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.outcome.catch(() => undefined); // a caller that never awaits a stopped runner gets no unhandled rejection
  }

  get stats(): RunnerStats {
    return { ...this.s, pendingTimers: (this.wakeTimer === undefined ? 0 : 1) + (this.pollTimer === undefined ? 0 : 1) };
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Starts following the game: reads the chain at once (restart recovery) and then on events and wake-ups. */
  start(): Promise<RunnerOutcome> {
    if (this.state !== 'idle') return this.outcome;
    this.state = 'running';
    this.cursor = this.options.fromBlock;
    this.schedulePoll(0);
    this.runTick('wake');
    return this.outcome;
  }

  /** Stops without waiting for the game: clears every timer; `outcome` rejects with AgentRunnerStoppedError. */
  async stop(): Promise<void> {
    if (this.state === 'finished') return;
    this.finish(undefined, new AgentRunnerStoppedError(this.id));
    // let an agent call or poll in flight end (a transaction already sent is not cancelled; nothing follows it)
    let t: Promise<void>;
    do {
      t = this.inflightTick;
      await Promise.all([t, this.inflightPoll]);
    } while (t !== this.inflightTick);
  }

  private finish(o: RunnerOutcome | undefined, e?: unknown): void {
    if (this.state === 'finished') return;
    this.state = 'finished';
    this.clearWake();
    if (this.pollTimer !== undefined) this.timers.clear(this.pollTimer);
    this.pollTimer = undefined;
    if (o) this.resolve(o);
    else this.reject(e);
  }

  private clearWake(): void {
    if (this.wakeTimer !== undefined) this.timers.clear(this.wakeTimer);
    this.wakeTimer = undefined;
  }

  private setWake(delayMs: number, trigger: Trigger = 'wake'): void {
    this.clearWake();
    if (this.state !== 'running') return;
    this.wakeTimer = this.timers.set(Math.max(0, Math.ceil(delayMs)), () => {
      this.wakeTimer = undefined;
      this.runTick(trigger);
    });
  }

  private runTick(trigger: Trigger): void {
    if (this.busy) {
      this.again = this.again ?? trigger;
      return;
    }
    this.inflightTick = this.tick(trigger);
  }

  /** One agent call (and more while it keeps moving); then the next wake-up. Calls never overlap. */
  private async tick(trigger: Trigger): Promise<void> {
    if (this.state !== 'running') return;
    if (this.busy) {
      this.again = this.again ?? trigger;
      return;
    }
    this.busy = true;
    try {
      let t: Trigger | undefined = trigger;
      while (t && this.state === 'running') {
        this.again = undefined;
        if (t === 'event') this.s.eventTicks++;
        else this.s.wakeTicks++;
        const r = await this.agent.act(this.id);
        this.consecutiveErrors = 0;
        if (r.action === 'moved') this.moves.push(r.move ?? '?');
        const g = await this.chain.game(this.id);
        await this.observeTime();
        const state = stateFromChain(g.phase, g.turn, g.posted);
        if (state === 'done') return this.finishWith(state, g);
        // decided: the outcome is fixed; go on only to let the agent settle (it waits when the other side should)
        // (an agent that will settle but waits for the settle time says so with settleAt: wake then)
        if (state === 'decided' && (!this.options.settle || (r.state === 'decided' && r.action === 'waiting' && r.settleAt === undefined))) return this.finishWith(state, g);
        if (state === 'none') return this.finish(undefined, new AgentRunnerFailedError(this.id, 0, new Error('no such game')));
        // moved, or the game changed under the agent's call (it read an earlier state): call it again at once
        t = r.action === 'moved' || r.state !== state ? 'wake' : this.again;
        if (!t) this.scheduleFor(state, g);
      }
    } catch (e) {
      this.s.errors++;
      this.consecutiveErrors++;
      if (this.consecutiveErrors >= this.options.maxConsecutiveErrors) this.finish(undefined, new AgentRunnerFailedError(this.id, this.consecutiveErrors, e));
      else this.setWake(Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (this.consecutiveErrors - 1)));
    } finally {
      this.busy = false;
    }
    if (this.again && this.state === 'running') this.runTick(this.again);
  }

  private finishWith(state: 'decided' | 'done', g: GameView): void {
    const aRight = (g.turn & 1) !== 0;
    const bRight = (g.turn & 2) !== 0;
    const side = this.agent.side;
    this.finish({ id: this.id, side, state, aRight, bRight, won: side === 'A' ? aRight : bRight, moves: [...this.moves] });
  }

  /** The next wake-up while waiting: deadline − margin, else just past the deadline, else the next poll. */
  private scheduleFor(state: DisputeState, g: GameView): void {
    const nowMs = this.chainNowMs();
    const deadlineMs = Number(g.deadline) * 1000;
    const marginMs = this.options.safetyMarginSeconds * 1000;
    const lateMs = deadlineMs + this.options.lateClaimSeconds * 1000;
    let at: number;
    if (state === 'decided') at = Math.max(nowMs + this.options.pollIntervalMs, lateMs); // the settle time (the decided game's deadline), then poll
    else if (nowMs < deadlineMs - marginMs) at = deadlineMs - marginMs;
    else if (nowMs < lateMs) at = lateMs;
    else at = nowMs + this.options.pollIntervalMs; // past the deadline: the timeout is being claimed
    this.setWake(at - nowMs);
  }

  /** Chain time estimate, ms: local clock + the largest (chain − local) seen. */
  private chainNowMs(): number {
    const local = this.clock.now();
    return Number.isFinite(this.skewMs) ? local + this.skewMs : local;
  }

  private async observeTime(): Promise<void> {
    const ts = Number(await this.chain.now()) * 1000;
    this.skewMs = Math.max(this.skewMs, ts - this.clock.now());
  }

  private schedulePoll(delayMs: number): void {
    if (this.state !== 'running') return;
    this.pollTimer = this.timers.set(delayMs, () => {
      this.pollTimer = undefined;
      this.inflightPoll = this.poll();
    });
  }

  /** Reads this game's events since the cursor (in ranges of maxLogRange blocks); any event → an agent call. */
  private async poll(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      const head = await this.chain.blockNumber();
      let from = this.cursor ?? head + 1n; // start: the chain state is read by the first tick, not from old events
      let seen = 0;
      while (from <= head && this.state === 'running') {
        const last = from + this.options.maxLogRange - 1n;
        const to = last < head ? last : head;
        seen += (await this.chain.gameEvents(this.id, from, to)).length;
        from = to + 1n;
        this.cursor = from;
      }
      this.cursor = from;
      this.s.events += seen;
      if (seen > 0) this.runTick('event');
    } catch {
      this.s.errors++; // the deadline wake-up still covers this game; the next poll retries the same range
    }
    this.schedulePoll(this.options.pollIntervalMs);
  }
}
