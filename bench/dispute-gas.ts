/**
 * Dispute-game gas and wall time (issue 5 "Benchmark"; whitepaper §2.2.5). Prints ONE JSON object.
 *
 *   node_modules/.bin/node bench/dispute-gas.ts [--elements N] [--fan-in F] [--arity A] [--weights-bytes W] [--disputed matvec|matvec-last-row|select]
 *
 * A whole automated dispute on the embedded chain (EDR, Prague): deploy, register the model layout, open a
 * conflict between two staked operators, then both agents play (trace bisection, partial-sums bisection, one
 * step) until Resolved. The model is SYNTHETIC (random int8 weights) and shaped to reach N elements with the
 * requested fan-in: a decoder step = token → gather (F int8) → matvec (R = 16 rows, F links each) → argmax →
 * the next token; P = steps prompt tokens and one generated token, so steps · stepElements ≈ N. The trace values
 * are synthetic too (random int8 activations; not an engine run — at 10^7 elements an engine run would take
 * minutes), except the disputed element, which the honest party recomputes from its operands. The cheater (A)
 * is off by one at a matvec element in the middle step, the worst case: full trace bisection, then the link
 * phase over F + 1 partial sums, then a multiply-add. When N is too small for F (one step needs F + 18
 * elements) F is halved until it fits, and `fanIn` reports what was used. `--weights-bytes W` grows the embedding
 * table (rows the token never selects) so the weights blob is ≥ W bytes: the multiply-add's weight proof then has
 * the depth of a model that size (`weightsDepth` reported; 10^7 bytes → depth 19). `--disputed select` adds a
 * second embedding and a `select(next, embed, embed2)` node after the argmax and puts the cheater's error in the
 * select's last element: a 3-input element-wise one step whose three operands lie in three different trace leaves
 * (the verifier proves the condition, then only the taken branch, as a multiproof), no link phase.
 * `--disputed matvec-last-row` disputes the matvec's last row instead of row 0: the multiply-add's trace operand then
 * lies outside the disputed leaf (sums + trace + weight proofs, the multiply-add's worst case).
 *
 * Reported: `rounds` (trace + sums descents: difference-proof moves, B's sums root included), `roundGas` (gas of
 * each `bisect` move; one party per round), `openingPostGas` (A's children of its trace root), `openGas`,
 * `sumsRootGas` (A: root + its children of it; B: root + the first sums descent), `oneStepGas` (the one-step transaction: replay and decision only; with its calldata bytes and EIP-7623 tokens,
 * the floor 21,000 + 10·tokens and the execution gas the standard formula implies: gas − 21,000 − 4·tokens), `settleGas` (the separate
 * settlement: unlock, slash with payouts — not a move), `movesGas` (every transaction of the game from the opening
 * to the decision), `totalGas` (movesGas + settleGas; layout registration is per model, reported apart), `wallSeconds` (opening to resolution, both agents, no deadline
 * waits), `setupSeconds` (trace commitments etc.). The machine is shared: wall times are noisy.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Hex } from 'viem';
import { startEmbeddedChain } from '../src/chain/embedded-chain.ts';
import { makeQuery, playConflict, registerModel, setupDisputeEnv } from '../src/chain/dispute-env.ts';
import { GraphBuilder } from '../src/engine/builder.ts';
import { SeededRandom } from '../src/common/clock.ts';
import { modelStepSource } from '../src/dispute/step-source.ts';
import { TraceParty } from '../src/dispute/trace-party.ts';
import { outputBytes } from '../src/engine/run-result.ts';
import { Tokenizer } from '../src/engine/tokenizer.ts';
import { describeElement, partialSums } from '../src/engine/element.ts';
import { disputeArtifact } from '../src/chain/dispute-deploy.ts';

const { values: args } = parseArgs({
  options: {
    elements: { type: 'string', default: '10000000' },
    'fan-in': { type: 'string', default: '4096' },
    arity: { type: 'string', default: '16' },
    'weights-bytes': { type: 'string', default: '0' },
    disputed: { type: 'string', default: 'matvec' },
  },
});
const N = Number(args.elements);
let F = Number(args['fan-in']);
const ARITY = Number(args.arity);
const WEIGHTS_BYTES = Number(args['weights-bytes']);
const SELECT = args.disputed === 'select';
// matvec-last-row: the matvec's last row, whose link operand a = embed[j] lies outside the disputed leaf (a full trace
// proof besides the sums and weight proofs); matvec (row 0) has the last link's a in the disputed leaf
const LAST_ROW = args.disputed === 'matvec-last-row';
if (!SELECT && !LAST_ROW && args.disputed !== 'matvec') throw new Error('--disputed must be matvec, matvec-last-row or select');
const TOKENIZER = Tokenizer.fromAlphabet('abcdefghijklm');
const ROWS = TOKENIZER.size; // matvec rows = vocabulary size (16 with the specials): keeps the weights small (2 × 16 × F bytes)

const stepSize = (f: number) => (SELECT ? 3 * f : f) + ROWS + 2;
while (F > 1 && stepSize(F) > N) F >>= 1;
const stepElements = stepSize(F);
const steps = Math.max(1, Math.min(4096, Math.round(N / stepElements)));

const rng = new SeededRandom(42);
const int8s = (n: number) => Int8Array.from({ length: n }, () => (rng.nextU32() % (256)) - 128);
const g = new GraphBuilder({ name: 'bench-dispute', description: 'synthetic decoder for the dispute benchmark', task: 'generate', contextLength: 4096, vocabSize: ROWS, vocab: TOKENIZER.toJSON() });
const tok = g.token();
// embedding rows: ROWS, or more (never selected by a token < ROWS) to reach --weights-bytes
const EMBED_ROWS = Math.max(ROWS, Math.ceil(WEIGHTS_BYTES / F) - ROWS);
const emb = g.gather(tok, int8s(EMBED_ROWS * F), EMBED_ROWS, F, 'embed');
const emb2 = SELECT ? g.gather(tok, int8s(ROWS * F), ROWS, F, 'embed2') : -1;
const logits = g.matvec(emb, int8s(ROWS * F), ROWS, Int32Array.from({ length: ROWS }, () => (rng.nextU32() % (2000)) - 1000), 'logits');
const next = g.argmax(logits, ROWS, 'next');
g.output(next);
const sel = SELECT ? g.select(next, emb, emb2, 'select') : -1;
const model = g.build();

const t0 = performance.now();
const elements = steps * model.layout.stepElements;
const honest = new Int32Array(elements);
for (let s = 0; s < steps; s++) {
  const base = s * model.layout.stepElements;
  honest[base] = (rng.nextU32() % (ROWS));
  for (let i = 1; i <= (SELECT ? 2 * F : F); i++) honest[base + i] = (rng.nextU32() % (256)) - 128;
  for (let i = F + 1; i < model.layout.stepElements; i++) honest[base + i] = (rng.nextU32() % (ROWS));
}
const prompt = Int32Array.from({ length: steps }, (_, s) => honest[s * model.layout.stepElements]!);
const query = { prompt, vector: new Int8Array(0), seed: null };
const source = modelStepSource(model, query);
const mid = Math.floor(steps / 2) * model.layout.stepElements;
const disputed = SELECT ? mid + model.layout.offsets[sel]! + F - 1 : mid + model.layout.offsets[logits]! + (LAST_ROW ? ROWS - 1 : 0);
const desc = describeElement(model, { trace: honest, query }, disputed).description;
if (SELECT) {
  // select(c, a, b)[i] = c[0] ≠ 0 ? a[i] : b[i] (engine.md §3.5), from the honest trace's own operands
  const c = honest[mid + model.layout.offsets[next]!]!;
  honest[disputed] = c !== 0 ? honest[mid + model.layout.offsets[emb]! + F - 1]! : honest[mid + model.layout.offsets[emb2]! + F - 1]!;
} else {
  if (desc.kind !== 'reduction') throw new Error('the disputed element must be a matvec reduction');
  honest[disputed] = partialSums(model, { trace: honest, query }, desc)[F]!; // the disputed element is right in the honest trace
}
const cheat = Int32Array.from(honest);
cheat[disputed] = honest[disputed]! + 1;
const pa = new TraceParty(cheat, source, { arity: ARITY });
const pb = new TraceParty(honest, source, { arity: ARITY });
const setupSeconds = (performance.now() - t0) / 1000;

const chain = await startEmbeddedChain();
try {
  const env = await setupDisputeEnv(chain.rpcUrl, chain.accounts.map((a) => a.privateKey as Hex), [2, 3]);
  const layout = await registerModel(env, model);
  const q = makeQuery(env, model.modelHash, prompt, 1n);
  const out = outputBytes(Int32Array.of(honest[elements - 1]!));
  const t1 = performance.now();
  const r = await playConflict(env, q, pa, pb, 2, 3, { a: out, b: out });

  const wallSeconds = (performance.now() - t1) / 1000;
  // BENCH_TRACE=<file>: the one step's opcode trace (debug_traceTransaction) as [depth, pc, op, gasCost] rows, for
  // profiling (depth 1 = DisputeGame, 2 = OneStepVerifier); its execution gas per call depth goes to stderr
  if (process.env.BENCH_TRACE) {
    const tx = r.log.find((x) => x.fn === 'resolveLink' || x.fn === 'resolveElement')!;
    const res = await fetch(chain.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'debug_traceTransaction', params: [tx.hash, {}] }) });
    const j = (await res.json()) as { result?: { structLogs: { op: string; gasCost: number; depth: number; pc: number }[] }; error?: unknown };
    if (!j.result) throw new Error(`debug_traceTransaction: ${JSON.stringify(j.error)}`);
    const byDepth: Record<number, number> = {};
    for (const l of j.result.structLogs) if (l.op !== 'STATICCALL' && l.op !== 'CALL') byDepth[l.depth] = (byDepth[l.depth] ?? 0) + l.gasCost;
    process.stderr.write(`one-step execution gas by call depth (calls excluded): ${JSON.stringify(byDepth)}\n`);
    (await import('node:fs')).writeFileSync(process.env.BENCH_TRACE, JSON.stringify(j.result.structLogs.map((l) => [l.depth, l.pc, l.op, l.gasCost])));
  }
  const { abi } = await disputeArtifact('DisputeGame');
  const replays = await env.clients.publicClient.getContractEvents({ address: env.game, abi, eventName: 'StepReplayed', fromBlock: 0n });
  const replay = (replays[0] as unknown as { args: { computed: bigint; valueA: bigint; valueB: bigint } } | undefined)?.args;
  const gasOf = (fn: string) => r.log.filter((x) => x.fn === fn).map((x) => Number(x.gas));
  // difference-proof rounds: one descent per move; B's postSumsRoot carries the first sums descent
  const roundGas = gasOf('bisect');
  const sumsDescents = gasOf('postSumsRoot').length === 2 && pb.sums(disputed).commitment.depth > 0 ? 1 : 0;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const oneStep = [...gasOf('resolveLink'), ...gasOf('resolveElement')];
  const totalGas = sum(r.log.map((x) => Number(x.gas)));
  const oneStepTx = r.log.find((x) => x.fn === 'resolveLink' || x.fn === 'resolveElement');
  const settleGas = sum(gasOf('settle'));
  console.log(
    JSON.stringify({
      bench: 'dispute-gas',
      elements,
      requestedElements: N,
      fanIn: F,
      disputed: SELECT ? 'select (operands in 3 leaves: condition, then the taken branch)' : LAST_ROW ? 'matvec last row (multiply-add, link operand outside the disputed leaf)' : 'matvec (multiply-add)',
      weightsBytes: model.weights.length,
      weightsDepth: Math.ceil(Math.log2(Math.max(1, Math.ceil(model.weights.length / 32)))),
      arity: ARITY,
      steps,
      stepElements: model.layout.stepElements,
      synthetic: 'synthetic decoder (token → gather → matvec F links → argmax) and synthetic trace values; disputed element recomputed',
      winner: r.winner.toLowerCase() === env.addresses[3]!.toLowerCase() ? 'honest B' : r.bothLost ? 'both lost' : 'cheater A',
      moves: r.moves.length,
      replayed: replay ? { computed: String(replay.computed), cheaterA: String(replay.valueA), honestB: String(replay.valueB) } : null,
      rounds: roundGas.length + sumsDescents,
      roundGas,
      openingPostGas: sum(gasOf('postChildren')),
      txs: process.env.BENCH_TXS ? r.log.map((x) => `${x.fn}:${x.gas}:${x.calldataBytes}`) : undefined,
      openGas: sum(gasOf('openConflict')),
      sumsRootGas: gasOf('postSumsRoot'),
      oneStepGas: oneStep[0] ?? null,
      oneStepCalldataBytes: oneStepTx?.calldataBytes ?? null,
      // EIP-7623: gas = 21,000 + max(4·tokens + execution, 10·tokens); execution as the standard formula implies
      oneStepCalldataTokens: oneStepTx?.calldataTokens ?? null,
      oneStepFloorGas: oneStepTx ? 21000 + 10 * oneStepTx.calldataTokens : null,
      oneStepExecutionGas: oneStepTx ? Number(oneStepTx.gas) - 21000 - 4 * oneStepTx.calldataTokens : null,
      settleGas,
      movesGas: totalGas - settleGas,
      totalGas,
      maxCalldataBytes: Math.max(...r.log.map((x) => x.calldataBytes)),
      layoutRegistrationGas: Number(layout.gas),
      wallSeconds: Number(wallSeconds.toFixed(2)),
      setupSeconds: Number(setupSeconds.toFixed(2)),
      machine: { cpus: os.cpus().length, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))), node: process.version },
    }),
  );
} finally {
  await chain.close();
}
