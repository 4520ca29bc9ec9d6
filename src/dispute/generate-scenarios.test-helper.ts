/**
 * Generate-model dispute scenarios (docs/dispute.md §2–3), run by both chain suites (embedded EDR:
 * sampling.test.ts; anvil as a real process: anvil.test.ts): the sampler's `random` / `seeded` sources replayed from
 * the opened params preimage, conflicts whose outputs differ in length settled by the stop rule (eos, maxTokens),
 * outputs no honest run can give, the output check (a receipt whose output disagrees with its own trace), and the
 * timeouts of `sums-b`, `trace-stop` and `trace-output`. The model is the tiny transformer (663 elements per step,
 * a 32-link MLP projection, a seeded sampler), registered at k = 2.
 */
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { disputeClient, makeQuery, playChallenge, playConflict, registerModel, setupDisputeEnv, type DisputeEnv, type PlayOptions, type PlayResult } from '../chain/dispute-env.ts';
import type { DisputeClient } from '../chain/dispute-client.ts';
import { outputBytes } from '../engine/run-result.ts';
import { prepareQuery, type RunInput } from '../engine/run-query.ts';
import { runModel } from '../engine/runner.ts';
import { tinyTransformer } from '../testnet/test-models.ts';
import { fromHex, toHex } from '../common/bytes.ts';
import { modelStepSource } from './step-source.ts';
import { outputTokens } from './output-proofs.ts';
import { TraceParty } from './trace-party.ts';
import { queryInputValues } from '../inference/query-input.ts';

export const model = tinyTransformer();
export const E = model.layout.stepElements;
export const nodeId = (name: string): number => model.meta.nodeNames!.indexOf(name);
export const EOS = model.meta.vocab!.indexOf('<eos>');

export interface GenCtx {
  env: DisputeEnv;
  nonce: bigint;
  /** Next operator key index; each scenario takes a fresh pair (3 ETH stake each, 1 ETH per slash). */
  pair: number;
}

/** Deploys, registers every key from 2 on as an operator and the tiny transformer's layout, the game at k = 2. */
export async function generateContext(rpcUrl: string, keys: Hex[]): Promise<GenCtx> {
  const env = await setupDisputeEnv(rpcUrl, keys, keys.map((_, i) => i).slice(2), { logArity: 1 });
  const reg = await registerModel(env, model);
  assert.equal(reg.modelHash, toHex(model.modelHash));
  return { env, nonce: 0n, pair: 2 };
}

export interface Side {
  trace: Int32Array;
  output: Int32Array;
}

export function honest(input: RunInput): Side & { input: RunInput } {
  const r = runModel(model, input, { trace: true });
  return { trace: r.trace!, output: r.output, input };
}

export function wrongAt(s: Side, index: number, delta = 1): Side {
  const t = Int32Array.from(s.trace);
  t[index] = t[index]! + delta;
  return { trace: t, output: s.output };
}

/** The first `tokens` generated tokens of a run of prompt length P: its trace cut after step P − 2 + tokens. */
export function truncated(s: Side, P: number, tokens: number): Side {
  return { trace: s.trace.slice(0, (P - 1 + tokens) * E), output: s.output.slice(0, tokens) };
}

/** A run that goes on for one more (made-up) step after its last: the last step's values again, one more token. */
export function extended(s: Side, extraToken: number): Side {
  const t = new Int32Array(s.trace.length + E);
  t.set(s.trace);
  t.set(s.trace.subarray(s.trace.length - E), s.trace.length);
  return { trace: t, output: Int32Array.from([...s.output, extraToken]) };
}

/** The same trace with another output (the output check's cheater: a right trace, a wrong signed output). */
export function withOutput(s: Side, output: number[]): Side {
  return { trace: s.trace, output: Int32Array.from(output) };
}

/** A trace zero-padded by `steps` whole steps (its commitment is the same as the unpadded one's at the same depth). */
export function zeroPadded(s: Side, steps: number, output: number[]): Side {
  const t = new Int32Array(s.trace.length + steps * E);
  t.set(s.trace);
  return { trace: t, output: Int32Array.from(output) };
}

export type Outcome = { winner: 'A' | 'B' | 'none'; moves: string[] };

function outcome(ctx: GenCtx, r: PlayResult, ia: number, ib: number): Outcome {
  const w = r.winner.toLowerCase();
  const winner = r.bothLost ? 'none' : w === ctx.env.addresses[ia]!.toLowerCase() ? 'A' : w === ctx.env.addresses[ib]!.toLowerCase() ? 'B' : 'none';
  return { winner, moves: r.moves };
}

function parties(ctx: GenCtx, input: RunInput, a: Side, b: Side) {
  const { query, maxTokens } = prepareQuery(model, input);
  const q = makeQuery(ctx.env, model.modelHash, queryInputValues(query), ++ctx.nonce, { seed: query.seed, maxTokens });
  const source = modelStepSource(model, query);
  const len = Math.max(a.trace.length, b.trace.length);
  return { q, pa: new TraceParty(a.trace, source, { arity: 16, padTo: len }), pb: new TraceParty(b.trace, source, { arity: 16, padTo: len }), ia: ctx.pair++, ib: ctx.pair++ };
}

/** Plays a conflict over `input` between A and B (each its own trace and signed output). */
export async function playGen(ctx: GenCtx, input: RunInput, a: Side, b: Side, opts: PlayOptions = {}): Promise<Outcome> {
  const { q, pa, pb, ia, ib } = parties(ctx, input, a, b);
  return outcome(ctx, await playConflict(ctx.env, q, pa, pb, ia, ib, { a: outputBytes(a.output), b: outputBytes(b.output) }, opts), ia, ib);
}

/** B challenges A's receipt (A's trace and output) with its own trace root and its own output. */
export async function challengeGen(ctx: GenCtx, input: RunInput, a: Side, b: Side, opts: PlayOptions = {}): Promise<Outcome> {
  const { q, pa, pb, ia, ib } = parties(ctx, input, a, b);
  return outcome(ctx, await playChallenge(ctx.env, q, pa, pb, ia, ib, outputBytes(a.output), undefined, { ...opts, outputB: outputBytes(b.output) }), ia, ib);
}

/** What a watcher sees at each agent turn of a game played by playWatched. */
export interface Watch {
  id: Hex;
  state: string;
  /** A client of key 0 (not a party): markOutput is open to anyone. */
  watcher: DisputeClient;
  /** A's and B's outputs as opened (B's effective output). */
  outA: Hex;
  outB: Hex;
  /** Each party's committed trace (padded to the common length): what a watcher that re-ran it would hold. */
  pa: TraceParty;
  pb: TraceParty;
}

/**
 * A conflict (or, with `challenge`, a challenge of A's receipt by B) played to the end by both agents, with
 * `watch` called before every agent turn (the output mark, docs/dispute.md §2). Returns the outcome and the game id.
 * A challenger side with an empty output names no output (Opening.outputB empty: it claims A's length, no token).
 */
export async function playWatched(ctx: GenCtx, input: RunInput, a: Side, b: Side, watch: (w: Watch) => Promise<void>, challenge = false): Promise<Outcome & { id: Hex; watch: Omit<Watch, 'state'> }> {
  const { q, pa, pb, ia, ib } = parties(ctx, input, a, b);
  const watcher = await disputeClient(ctx.env, 0, []);
  const outA = toHex(outputBytes(a.output)) as Hex;
  const outB = toHex(outputBytes(b.output)) as Hex;
  let w: Omit<Watch, 'state'> | undefined;
  const hook = async (id: Hex, state: string): Promise<void> => {
    w ??= { id, watcher, outA, outB, pa, pb };
    await watch({ ...w, state });
  };
  const r = challenge
    ? await playChallenge(ctx.env, q, pa, pb, ia, ib, outputBytes(a.output), undefined, { hook, outputB: outputBytes(b.output) }) // empty stays empty
    : await playConflict(ctx.env, q, pa, pb, ia, ib, { a: outputBytes(a.output), b: outputBytes(b.output) }, { hook });
  assert.ok(w, 'the watcher saw the game');
  return { ...outcome(ctx, r, ia, ib), id: r.id, watch: w };
}

/** A watcher holding party X's committed trace marks X's output once, in the first state `at` accepts. */
function markOnce(isB: boolean, at: (state: string) => boolean, seen: string[]): (w: Watch) => Promise<void> {
  return async (w) => {
    if (seen.length > 0 || !at(w.state)) return;
    const m = (isB ? w.pb : w.pa).outputMismatch(outputTokens(fromHex(isB ? w.outB : w.outA)));
    assert.ok(m, 'the marked output differs from its own trace');
    await w.watcher.markOutput(w.id, isB, BigInt(m.j), w.outA, w.outB, m.proof);
    seen.push(w.state);
  };
}

/** Right trace + wrong signed output vs a wrong trace: the output mark (docs/dispute.md §2 "output mark"). */
export const MARK_SCENARIOS: GenScenario[] = [
  {
    name: 'A commits the right trace but signs a wrong second token, B commits a wrong trace: without a mark only B loses (the bisection cannot see A\'s lie)',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 3 });
      const bad = Array.from(h.output);
      bad[1] = (bad[1]! + 1) % model.meta.vocabSize;
      const r = await playGen(ctx, h.input, withOutput(h, bad), wrongAt(h, E + model.layout.offsets[nodeId('mlp.out')]! + 3, 9));
      assert.equal(r.winner, 'A', r.moves.join(','));
    },
  },
  {
    name: 'the same with a watcher marking A\'s output in trace-step (token 1 ≠ A\'s own trace): both are slashed',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 3 });
      const bad = Array.from(h.output);
      bad[1] = (bad[1]! + 1) % model.meta.vocabSize;
      const seen: string[] = [];
      const r = await playWatched(ctx, h.input, withOutput(h, bad), wrongAt(h, E + model.layout.offsets[nodeId('mlp.out')]! + 3, 9), markOnce(false, (s) => s === 'trace-step', seen));
      assert.deepEqual(seen, ['trace-step']);
      assert.equal(r.winner, 'none', r.moves.join(','));
      assert.ok(r.moves.some((m) => m.endsWith(':resolveLink')), 'the step still replayed B\'s wrong element');
    },
  },
  {
    name: 'challenge: B re-ran with the right trace but claims a wrong first token, A\'s receipt has a wrong trace; B marked during the bisection: both are slashed',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 3], maxTokens: 5, seed: 3n });
      const bad = Array.from(h.output);
      bad[0] = (bad[0]! + 2) % model.meta.vocabSize;
      const seen: string[] = [];
      const r = await playWatched(ctx, h.input, wrongAt(h, 2 * E + model.layout.offsets[nodeId('next.random')]!, 7), withOutput(h, bad), markOnce(true, (s) => s === 'trace-b', seen), true);
      assert.deepEqual(seen, ['trace-b']);
      assert.equal(r.winner, 'none', r.moves.join(','));
    },
  },
  {
    name: 'a mark after the decision but before settlement clears the winner\'s right: both are slashed',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
      const bad = [h.output[0]!, (h.output[1]! + 1) % model.meta.vocabSize];
      const seen: string[] = [];
      const r = await playWatched(ctx, h.input, withOutput(h, bad), wrongAt(h, E + model.layout.offsets[nodeId('next.seeded')]!, 1), markOnce(false, (s) => s === 'decided', seen));
      assert.deepEqual(seen, ['decided']);
      assert.equal(r.winner, 'none', r.moves.join(','));
    },
  },
];

const has = (r: Outcome, move: string) => r.moves.includes(move);
const noBisection = (r: Outcome) => !r.moves.some((m) => m.endsWith(':bisect') || m.endsWith(':postChildren'));

export interface GenScenario {
  name: string;
  run(ctx: GenCtx): Promise<void>;
}

/** Sources replayed from the params preimage, the stop rule, impossible outputs, timeouts of sums-b and trace-stop. */
export const STOP_SCENARIOS: GenScenario[] = [
  {
    name: 'random source: a cheater wrong at prng(seed, t) loses; the seed comes from the params preimage',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 3, seed: 5n });
      const e = 2 * E + model.layout.offsets[nodeId('next.random')]!; // step P − 1: the first sampled token
      assert.ok(h.trace[e]! > 0);
      const r = await playGen(ctx, h.input, wrongAt(h, e, 7), h);
      assert.equal(r.winner, 'B', r.moves.join(','));
      assert.ok(has(r, 'A:resolveElement'), r.moves.join(','));
    },
  },
  {
    name: 'seeded source: honest A wins against a B that claims a greedy query is seeded',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 2 }); // greedy: seeded = 0, random = 0
      const e = E + model.layout.offsets[nodeId('next.seeded')]!;
      assert.equal(h.trace[e], 0);
      const r = await playGen(ctx, h.input, h, wrongAt(h, e, 1));
      assert.equal(r.winner, 'A', r.moves.join(','));
    },
  },
  {
    name: 'stopped too early: A drops the last token before <eos>; StopDisputed, StopChecked(not stopped), then honest B wins at the next token',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 3], maxTokens: 5 });
      assert.deepEqual(Array.from(h.output), [10, 6, EOS], 'this prompt ends with <eos> after 3 tokens');
      const r = await playGen(ctx, h.input, truncated(h, 3, 2), h);
      assert.equal(r.winner, 'B', r.moves.join(','));
      // A, shown wrong by the stop rule, may still replay; B (not yet checked) replays its own element too (issue 11)
      assert.ok(has(r, 'A:resolveStop') && (has(r, 'A:resolveElement') || has(r, 'B:resolveElement')), r.moves.join(','));
    },
  },
  {
    name: 'did not stop at <eos>: B goes on after <eos>; the stop rule reads the agreed <eos> and honest A wins',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 3], maxTokens: 5 });
      const r = await playGen(ctx, h.input, h, extended(h, 6));
      assert.equal(r.winner, 'A', r.moves.join(','));
      assert.ok(has(r, 'A:resolveStop'), r.moves.join(','));
    },
  },
  {
    name: 'did not stop at maxTokens: A runs a real third token with maxTokens = 2; its output is impossible and it loses at opening',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
      const longer = honest({ prompt: [1, 3, 4], maxTokens: 3 });
      assert.equal(longer.output.length, 3);
      const r = await playGen(ctx, h.input, longer, h);
      assert.equal(r.winner, 'B', r.moves.join(','));
      assert.ok(noBisection(r), r.moves.join(','));
    },
  },
  {
    name: 'an output longer than maxTokens (B, made-up extra step) is decided at opening: its signer loses without a bisection',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
      const r = await playGen(ctx, h.input, h, extended(h, 4));
      assert.equal(r.winner, 'A', r.moves.join(','));
      assert.ok(noBisection(r), r.moves.join(','));
    },
  },
  {
    name: 'timeout in state sums-b (a 32-link reduction: 33 partial sums, three sums levels at k = 2): the silent B loses',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
      const e = E + model.layout.offsets[nodeId('mlp.out')]! + 3;
      const r = await playGen(ctx, h.input, wrongAt(h, e, 9), h, { silent: 'B', silentFrom: 'sums-b' });
      assert.ok(has(r, 'A:timeout'), r.moves.join(','));
      assert.equal(r.winner, 'A', r.moves.join(','));
    },
  },
  {
    name: 'timeout in state trace-stop: A (honest, stopped at <eos>) never calls resolveStop; B waits for A, then times it out and wins',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 3], maxTokens: 5 });
      const r = await playGen(ctx, h.input, h, extended(h, 6), { silent: 'A', silentFrom: 'trace-stop' });
      assert.ok(has(r, 'B:timeout') && !has(r, 'A:resolveStop'), r.moves.join(','));
      assert.equal(r.winner, 'B', r.moves.join(','));
    },
  },
];

/** The output check (docs/dispute.md §2): both commit the same trace, the signed outputs differ. */
export const OUTPUT_SCENARIOS: GenScenario[] = [
  {
    name: 'output check: A commits the right trace but signs a wrong second token (same trace root as honest B); A loses with no bisection',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 3 });
      const bad = Array.from(h.output);
      bad[1] = (bad[1]! + 1) % model.meta.vocabSize;
      const r = await playGen(ctx, h.input, withOutput(h, bad), h);
      assert.equal(r.winner, 'B', r.moves.join(','));
      assert.ok(has(r, 'A:resolveOutput') && noBisection(r), r.moves.join(','));
    },
  },
  {
    name: 'output check in a challenge: B re-ran the query, got the same trace and another output; the receipt signer (wrong first token) loses',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 3], maxTokens: 5, seed: 3n });
      const bad = Array.from(h.output);
      bad[0] = (bad[0]! + 2) % model.meta.vocabSize;
      const r = await challengeGen(ctx, h.input, withOutput(h, bad), h);
      assert.equal(r.winner, 'B', r.moves.join(','));
      assert.ok(has(r, 'A:resolveOutput'), r.moves.join(','));
    },
  },
  {
    name: 'output check: same trace, both outputs wrong (differently) at the first token: both are slashed',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
      const V = model.meta.vocabSize;
      const r = await playGen(ctx, h.input, withOutput(h, [(h.output[0]! + 1) % V, h.output[1]!]), withOutput(h, [(h.output[0]! + 2) % V, h.output[1]!]));
      assert.equal(r.winner, 'none', r.moves.join(','));
    },
  },
  {
    name: 'output check: A drops the final <eos> from its output but commits the whole trace (same root); the padding 0 ≠ <eos> in the trace: A loses',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 3], maxTokens: 5 });
      assert.equal(h.output[h.output.length - 1], EOS);
      const r = await playGen(ctx, h.input, withOutput(h, Array.from(h.output).slice(0, -1)), h);
      assert.equal(r.winner, 'B', r.moves.join(','));
      assert.ok(has(r, 'A:resolveOutput'), r.moves.join(','));
    },
  },
  {
    name: 'output check: B claims one more token (6) after <eos> over a zero step (same root as A\'s padded trace); the trace holds 0 there: B loses',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 3], maxTokens: 5 });
      const r = await playGen(ctx, h.input, h, zeroPadded(h, 1, [...h.output, 6]));
      assert.equal(r.winner, 'A', r.moves.join(','));
      assert.ok(has(r, 'A:resolveOutput'), r.moves.join(','));
    },
  },
  {
    name: 'same trace, B claims one more token 0 (= the trace\'s padding): no token differs from the trace; the stop rule on the shared trace (<eos>) decides: B loses',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 3], maxTokens: 5 });
      const r = await playGen(ctx, h.input, h, zeroPadded(h, 1, [...h.output, 0]));
      assert.equal(r.winner, 'A', r.moves.join(','));
      assert.ok(has(r, 'A:resolveStop') && !has(r, 'A:resolveOutput'), r.moves.join(','));
    },
  },
  {
    name: 'timeout in state trace-output: A (honest) never checks the outputs; B waits for A, then times it out and wins',
    async run(ctx) {
      const h = honest({ prompt: [1, 3, 4], maxTokens: 2 });
      const r = await playGen(ctx, h.input, h, withOutput(h, [h.output[0]!, (h.output[1]! + 1) % model.meta.vocabSize]), { silent: 'A', silentFrom: 'trace-output' });
      assert.ok(has(r, 'B:timeout'), r.moves.join(','));
      assert.equal(r.winner, 'B', r.moves.join(','));
    },
  },
];
