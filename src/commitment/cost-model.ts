/**
 * A small cost model of the k-ary bisection game over binary trace trees (whitepaper §2.2.5; issue 5's
 * goals: ≤ 10 rounds at 10^7 elements with fan-in 4,096, one-step ≤ 100,000 gas, whole dispute ≤ 2M gas).
 * It chose DEFAULTS.arity (docs/commitment.md, "Choosing k"); bench/dispute-gas.ts measures the real thing.
 *
 * Gas of a transaction on Prague (EIP-7623): 21,000 + max(16·nz + 4·z + execution, 40·nz + 10·z), nz/z the
 * nonzero/zero calldata bytes. Hashes are incompressible, so proofs and child roots pay the 40 gas/byte floor
 * unless execution is heavy. Execution figures are estimates written down here, not measurements.
 */
import { bisectionRounds } from './bisection.ts';
import { depthFor } from './merkle.ts';
import { traceLeafCount } from './trace.ts';

export const GAS = {
  /** Intrinsic gas of a transaction. */
  txBase: 21_000,
  /** EIP-7623 floor: 10 gas per token, a nonzero byte is 4 tokens. */
  floorPerNonzeroByte: 40,
  floorPerZeroByte: 10,
  /** Standard calldata price (EIP-2028), paid when execution is heavy enough to exceed the floor. */
  standardPerNonzeroByte: 16,
  standardPerZeroByte: 4,
  /** keccak256 of 64 bytes in memory: 30 + 6·2 = 42 gas, plus mstores and loop overhead (estimate). */
  pairHash: 100,
  /** SSTORE updating a nonzero slot, cold: 2,900 + 2,100. */
  storageWrite: 5_000,
  /** SLOAD, cold. */
  storageRead: 2_100,
  /** Storage slots a move reads and writes (the disputed pair's hash, turn and deadline; estimate). */
  slotsRead: 3,
  slotsWritten: 3,
  /** Dispatch, ABI decoding, checks and a small event per move (estimate). */
  moveOverhead: 5_000,
  /** Per-transaction calldata besides nodes: selector, game id, ABI offsets and lengths (mostly zero). */
  overheadNonzeroBytes: 12,
  overheadZeroBytes: 100,
  /** One-step execution besides hashing: the op, reads of game state, the verdict (estimate). */
  oneStepExecution: 12_000,
} as const;

export type Gas = typeof GAS;

/** Gas of one transaction carrying `nodes` 32-byte nodes (all nonzero bytes) with `execution` gas. */
export function txGas(nodes: number, execution: number, gas: Gas = GAS): number {
  const nz = nodes * 32 + gas.overheadNonzeroBytes;
  const z = gas.overheadZeroBytes;
  const standard = gas.standardPerNonzeroByte * nz + gas.standardPerZeroByte * z + execution;
  const floor = gas.floorPerNonzeroByte * nz + gas.floorPerZeroByte * z;
  return gas.txBase + Math.max(standard, floor);
}

function moveExecution(hashes: number, gas: Gas): number {
  return hashes * gas.pairHash + gas.slotsRead * gas.storageRead + gas.slotsWritten * gas.storageWrite + gas.moveOverhead;
}

export interface BisectionCost {
  depth: number;
  rounds: number;
  transactions: number;
  /** Largest calldata of one move, bytes. */
  maxMoveBytes: number;
  /** Sum of the gas of every move of both parties. */
  totalGas: number;
}

/**
 * "resend" style (the probe of ANCHORS.md): per round the first mover posts k children (checked against its
 * parent), the second posts its own k plus the first mover's k again (checked against their stored hash) and
 * the contract finds the first difference. 2 transactions per round.
 */
export function resendBisection(depth: number, arity: number, gas: Gas = GAS): BisectionCost {
  let h = depth;
  let totalGas = 0;
  let maxMoveBytes = 0;
  const b = Math.log2(arity);
  while (h > 0) {
    const s = Math.min(b, h);
    const k = 2 ** s;
    const first = txGas(k, moveExecution(k - 1, gas) + 30 + 6 * k, gas); // + keccak of the k-node list to store its hash
    const second = txGas(2 * k, moveExecution(k - 1, gas) + 30 + 6 * k, gas);
    totalGas += first + second;
    maxMoveBytes = Math.max(maxMoveBytes, 2 * k * 32);
    h -= s;
  }
  const rounds = bisectionRounds(depth, arity);
  return { depth, rounds, transactions: 2 * rounds, maxMoveBytes, totalGas };
}

/**
 * "difference-proof" style (bisection.ts `proveFirstDifference`): moves alternate; each move proves the first
 * differing child among the other party's last posted children and its own (≤ 2 + 2s nodes, worst case
 * child 0) and posts its own children of the new disputed node (2^s' nodes). One opening move posts the
 * first children; R rounds take R + 1 transactions.
 */
export function differenceProofBisection(depth: number, arity: number, gas: Gas = GAS): BisectionCost {
  const b = Math.log2(arity);
  const steps: number[] = [];
  for (let h = depth; h > 0; h -= Math.min(b, h)) steps.push(Math.min(b, h));
  if (steps.length === 0) return { depth, rounds: 0, transactions: 0, maxMoveBytes: 0, totalGas: 0 };
  let totalGas = 0;
  let maxMoveBytes = 0;
  for (let m = 0; m <= steps.length; m++) {
    const proofSteps = m === 0 ? 0 : steps[m - 1]!;
    const proofNodes = m === 0 ? 0 : 2 + 2 * proofSteps;
    const newChildren = m < steps.length ? 2 ** steps[m]! : 0;
    const hashes = 2 * proofSteps + Math.max(0, newChildren - 1);
    const nodes = proofNodes + newChildren;
    totalGas += txGas(nodes, moveExecution(hashes, gas), gas);
    maxMoveBytes = Math.max(maxMoveBytes, nodes * 32);
  }
  return { depth, rounds: steps.length, transactions: steps.length + 1, maxMoveBytes, totalGas };
}

export interface OneStepCost {
  bytes: number;
  gas: number;
}

/** One-step transaction carrying `proofs` binary Merkle proofs of the given depths (leaf + siblings each). */
export function oneStepCost(proofDepths: number[], gas: Gas = GAS): OneStepCost {
  let nodes = 0;
  let hashes = 0;
  for (const d of proofDepths) {
    nodes += 1 + d;
    hashes += d;
  }
  return { bytes: nodes * 32, gas: txGas(nodes, hashes * gas.pairHash + gas.oneStepExecution, gas) };
}

/** Bytes of one proof in a true k-ary tree (k − 1 siblings per level), for comparison with binary proofs. */
export function karyTreeProofBytes(leafCount: number, arity: number): number {
  let levels = 0;
  for (let width = 1; width < leafCount; width *= arity) levels++;
  return 32 * (1 + (arity - 1) * levels);
}

export interface ScenarioRow {
  elements: number;
  fanIn: number;
  arity: number;
  traceDepth: number;
  sumsDepth: number;
  weightsDepth: number;
  rounds: number;
  resend: BisectionCost;
  differenceProof: BisectionCost;
  /** Multiply-add: activation (trace) + weight + previous partial sum (worst case: in the previous leaf). */
  oneStepMac: OneStepCost;
  /** Element-wise op with 3 trace inputs. */
  oneStepElementwise3: OneStepCost;
  /** Same with 2 inputs. */
  oneStepElementwise2: OneStepCost;
  /** Proof bytes of one element if the tree itself were k-ary, instead of binary. */
  karyTreeProofBytes: number;
}

/**
 * One scenario: a trace of `elements`, a disputed reduction with `fanIn` links (F + 1 partial sums), and
 * `weightBytes` of weights (default: as many bytes as trace elements).
 */
export function scenario(elements: number, fanIn: number, arity: number, weightBytes = elements, gas: Gas = GAS): ScenarioRow {
  const traceDepth = depthFor(traceLeafCount(elements));
  const sumsDepth = depthFor(traceLeafCount(fanIn + 1));
  const weightsDepth = depthFor(Math.max(1, Math.ceil(weightBytes / 32)));
  const add = (x: BisectionCost, y: BisectionCost): BisectionCost => ({
    depth: x.depth,
    rounds: x.rounds + y.rounds,
    transactions: x.transactions + y.transactions,
    maxMoveBytes: Math.max(x.maxMoveBytes, y.maxMoveBytes),
    totalGas: x.totalGas + y.totalGas,
  });
  const resend = add(resendBisection(traceDepth, arity, gas), resendBisection(sumsDepth, arity, gas));
  const differenceProof = add(differenceProofBisection(traceDepth, arity, gas), differenceProofBisection(sumsDepth, arity, gas));
  return {
    elements,
    fanIn,
    arity,
    traceDepth,
    sumsDepth,
    weightsDepth,
    rounds: resend.rounds,
    resend,
    differenceProof,
    oneStepMac: oneStepCost([traceDepth, weightsDepth, sumsDepth], gas),
    oneStepElementwise3: oneStepCost([traceDepth, traceDepth, traceDepth], gas),
    oneStepElementwise2: oneStepCost([traceDepth, traceDepth], gas),
    karyTreeProofBytes: karyTreeProofBytes(traceLeafCount(elements), arity),
  };
}

/** The table of docs/commitment.md: k ∈ {2..64} × elements ∈ {10^3, 10^5, 10^7}, fan-in 4,096. */
export function costTable(arities = [2, 4, 8, 16, 32, 64], sizes = [1e3, 1e5, 1e7], fanIn = 4096): ScenarioRow[] {
  const rows: ScenarioRow[] = [];
  for (const elements of sizes) for (const arity of arities) rows.push(scenario(elements, fanIn, arity));
  return rows;
}

/** Markdown rendering of `costTable` (kept in docs/commitment.md). */
export function costTableMarkdown(rows: ScenarioRow[] = costTable()): string {
  const k = (x: number): string => `${Math.round(x / 1000)}k`;
  const lines = [
    '| elements | k | rounds (trace+links) | resend: txs, max bytes/tx, total gas | diff-proof: txs, max bytes/tx, total gas | k-ary-tree proof bytes |',
    '|---:|---:|---|---|---|---:|',
  ];
  for (const r of rows) {
    const t = Math.ceil(r.traceDepth / Math.log2(r.arity));
    lines.push(
      `| ${r.elements.toExponential(0).replace('e+', 'e')} | ${r.arity} | ${r.rounds} (${t}+${r.rounds - t}) | ` +
        `${r.resend.transactions}, ${r.resend.maxMoveBytes}, ${k(r.resend.totalGas)} | ` +
        `${r.differenceProof.transactions}, ${r.differenceProof.maxMoveBytes}, ${k(r.differenceProof.totalGas)} | ${r.karyTreeProofBytes} |`,
    );
  }
  return lines.join('\n');
}
