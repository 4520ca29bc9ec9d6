/**
 * The core dispute scenarios, run by both chain suites (embedded EDR: game.test.ts; anvil as a real process:
 * anvil.test.ts): tiny-MLP engine traces (45 elements: 8 vector sources, fc1 matvec 8 links, requant, fc2 matvec
 * 16 links, argmax), the model layout registered on chain, two agents playing to the end.
 */
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import { runModel } from '../engine/runner.ts';
import { outputBytes } from '../engine/run-result.ts';
import { prepareQuery } from '../engine/run-query.ts';
import { tinyMlp } from '../testnet/test-models.ts';
import { toHex } from '../common/bytes.ts';
import { modelStepSource } from './step-source.ts';
import { TraceParty } from './trace-party.ts';
import { queryInputValues } from '../inference/query-input.ts';
import { makeQuery, playConflict, registerModel, setupDisputeEnv, type DisputeEnv, type PlayOptions, type PlayResult } from '../chain/dispute-env.ts';
import type { DisputeDeployOptions } from '../chain/dispute-deploy.ts';

export const model = tinyMlp();
const input = { vector: [1, -128, 127, 5, 0, -1, 64, -64] };
const run = runModel(model, input, { trace: true });
export const honestTrace = run.trace!;
export const query = prepareQuery(model, input).query;
export const source = modelStepSource(model, query);
export const output = outputBytes(run.output);

export interface GameCtx {
  env: DisputeEnv;
  nonce: bigint;
}

/**
 * Deploys, registers every key from 2 on as an operator, and the tiny MLP's layout (checking the model hash the
 * contract recomputes) with a game deployed at bisection arity k = 2 (logArity 1): the 45-element trace (depth 3) then takes
 * three difference-proof moves after A's opening post, so every state of the game is visited.
 */
export async function gameContext(rpcUrl: string, keys: Hex[], dispute: Partial<DisputeDeployOptions> = {}): Promise<GameCtx> {
  const env = await setupDisputeEnv(rpcUrl, keys, keys.map((_, i) => i).slice(2), { logArity: 1, ...dispute });
  const reg = await registerModel(env, model);
  assert.equal(reg.modelHash, toHex(model.modelHash), 'the contract recomputes the engine model hash from the node table');
  return { env, nonce: 0n };
}

export async function play(ctx: GameCtx, traceA: Int32Array, traceB: Int32Array, ia: number, ib: number, opts: PlayOptions & { forgeA?: TraceParty['options']['forgeSums']; outputs?: { a: Uint8Array; b: Uint8Array } } = {}): Promise<PlayResult> {
  const q = makeQuery(ctx.env, model.modelHash, queryInputValues(query), ++ctx.nonce);
  const pa = new TraceParty(traceA, source, { arity: 16, forgeSums: opts.forgeA });
  const pb = new TraceParty(traceB, source, { arity: 16 });
  return playConflict(ctx.env, q, pa, pb, ia, ib, opts.outputs ?? { a: output, b: output }, opts);
}

/** The classify output (the argmax class, engine.md §5.1: the output node's elements) with another value. */
export const otherClass = (delta: number): Uint8Array => outputBytes(Int32Array.of(run.output[0]! + delta));

export function withWrong(trace: Int32Array, index: number, delta = 1): Int32Array {
  const t = Int32Array.from(trace);
  t[index] = t[index]! + delta;
  return t;
}

const addr = (ctx: GameCtx, i: number) => ctx.env.addresses[i]!.toLowerCase();

/** Each scenario uses its own operator pair so none runs out of stake (3 ETH each, 1 ETH per slash). */
export const GAME_SCENARIOS: { name: string; run(ctx: GameCtx): Promise<void> }[] = [
  {
    name: 'honest A beats a B that is wrong in an element-wise op (requant, element 30)',
    async run(ctx) {
      const r = await play(ctx, honestTrace, withWrong(honestTrace, 30), 2, 3);
      assert.equal(r.winner.toLowerCase(), addr(ctx, 2));
      assert.ok(r.moves.includes('A:resolveElement'));
    },
  },
  {
    name: 'a wrong FIRST element (query vector source 0) loses: the input is proven against the Query promptHash',
    async run(ctx) {
      const r = await play(ctx, withWrong(honestTrace, 0, 3), honestTrace, 4, 5);
      assert.equal(r.winner.toLowerCase(), addr(ctx, 5));
      assert.ok(r.moves.includes('A:resolveElement'), r.moves.join(','));
    },
  },
  {
    name: 'honest B beats an A that is wrong in the middle of a reduction (fc1 element 10): link phase then one multiply-add',
    async run(ctx) {
      const r = await play(ctx, withWrong(honestTrace, 10, 5), honestTrace, 6, 7);
      assert.equal(r.winner.toLowerCase(), addr(ctx, 7));
      assert.ok(r.moves.includes('B:postSumsRoot') && r.moves.includes('A:resolveLink'), r.moves.join(','));
    },
  },
  {
    name: 'a cheater whose forged partial sums go wrong inside the links (from link 3 on) loses at that link',
    async run(ctx) {
      const forge = (_e: number, sums: Int32Array, claimed: number) => Int32Array.from(sums, (v, i) => (i >= 3 ? v + (claimed - sums[sums.length - 1]!) : v));
      const r = await play(ctx, withWrong(honestTrace, 12, 7), honestTrace, 8, 9, { forgeA: forge });
      assert.equal(r.winner.toLowerCase(), addr(ctx, 9));
    },
  },
  {
    name: 'the last element (argmax reduction, element 44) wrong: the cheater loses',
    async run(ctx) {
      const r = await play(ctx, honestTrace, withWrong(honestTrace, 44, 1), 3, 2);
      assert.equal(r.winner.toLowerCase(), addr(ctx, 3));
    },
  },
  {
    name: 'classify output check: the same trace, B signs another class than the trace\'s argmax element: B loses, no bisection',
    async run(ctx) {
      assert.equal(run.output.length, 1);
      assert.equal(honestTrace[model.layout.offsets[model.meta.outputNode]!], run.output[0], 'the output is the argmax element of the trace');
      const r = await play(ctx, honestTrace, honestTrace, 4, 6, { outputs: { a: output, b: otherClass(1) } });
      assert.equal(r.winner.toLowerCase(), addr(ctx, 4));
      assert.ok(r.moves.includes('A:resolveOutput') && !r.moves.some((m) => m.endsWith(':bisect')), r.moves.join(','));
    },
  },
  {
    name: 'classify: an output that is not size(output node) int32s is decided at opening; the same trace with two wrong classes: both lose',
    async run(ctx) {
      const two = new Uint8Array(8);
      two.set(output);
      const r = await play(ctx, honestTrace, withWrong(honestTrace, 30), 8, 9, { outputs: { a: two, b: output } });
      assert.equal(r.winner.toLowerCase(), addr(ctx, 9));
      assert.ok(!r.moves.some((m) => m.endsWith(':bisect') || m.endsWith(':postChildren')), r.moves.join(','));
      const both = await play(ctx, honestTrace, honestTrace, 2, 3, { outputs: { a: otherClass(1), b: otherClass(2) } });
      assert.equal(both.bothLost, true, both.moves.join(','));
    },
  },
  {
    name: 'both wrong at the same element: both are slashed',
    async run(ctx) {
      const r = await play(ctx, withWrong(honestTrace, 30, 1), withWrong(honestTrace, 30, 2), 5, 7);
      assert.equal(r.bothLost, true);
    },
  },
];
