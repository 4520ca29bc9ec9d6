/**
 * The query input commitment (whitepaper §2.2.5: every element of the disputed step, sources included, must be
 * checkable on chain; docs/dispute.md §1). The engine's input — the prompt token ids of a generate query, or the
 * int8 vector of a classify query, each as an int32 — is committed exactly like a trace (src/commitment/trace.ts:
 * 8 big-endian int32 per 32-byte leaf, binary keccak tree), and
 *
 *   Query.promptHash = keccak256(uint256 length (32 bytes, big-endian) ‖ inputRoot)
 *
 * so the count — hence the tree depth — is bound by the hash (the root alone does not fix it, docs/commitment.md
 * §2), and a contract checks ONE token with a Merkle proof (OneStepVerifier._readInput) instead of the whole prompt.
 * Pure. It lives with the inference pipeline (pipeline.ts checks a Query's promptHash against the input it runs),
 * and the dispute code proves single input elements from it.
 */
import { BaseError } from '../common/errors.ts';
import { bigIntToBytes, concatBytes, toHex } from '../common/bytes.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { commitTrace, proveElement, type TraceCommitment } from '../commitment/trace.ts';
import type { RunQuery } from '../engine/ops/op.ts';

export type Hex = `0x${string}`;

/** Longest input committed (engine.md §4.1: contextLength ≤ 4,096 prompt tokens; a classify vector is one node, ≤ 2^24). */
export const MAX_INPUT_LENGTH = 1 << 24;

export class QueryInputError extends BaseError<{ reason: string }> {
  constructor(reason: string) {
    super('DISPUTE_QUERY_INPUT', `query input: ${reason}`, { details: { reason } });
  }
}

export interface QueryInputCommitment {
  values: Int32Array;
  commitment: TraceCommitment;
  root: Uint8Array;
  length: number;
  /** keccak256(uint256(length) ‖ root): the Query's promptHash. */
  promptHash: Uint8Array;
}

/** The engine input of a prepared query: the prompt (generate) or the vector (classify) as int32. */
export function queryInputValues(query: RunQuery): Int32Array {
  return query.prompt.length > 0 ? Int32Array.from(query.prompt) : Int32Array.from(query.vector);
}

export function commitQueryInput(values: Int32Array): QueryInputCommitment {
  if (values.length < 1 || values.length > MAX_INPUT_LENGTH) throw new QueryInputError(`length ${values.length} not in [1, ${MAX_INPUT_LENGTH}]`);
  const commitment = commitTrace(values, { arity: 2 });
  const promptHash = keccak256(concatBytes(bigIntToBytes(BigInt(values.length), 32), commitment.root));
  return { values, commitment, root: commitment.root, length: values.length, promptHash };
}

/**
 * The input as the dispute opening posts it (DisputeCore.Opening.input, issue 11 attack 6): the int32 values
 * big-endian, 4 bytes each — exactly the trace commitment's leaf words, so the contract commits it with no decoding
 * and a node that lost the prompt reads it back from the opening's calldata (`inputFromBytes`).
 */
export function inputBytes(values: Int32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setInt32(4 * i, values[i]!, false);
  return out;
}

/** Inverse of inputBytes; refuses a length that is not whole int32s or is out of [1, MAX_INPUT_LENGTH]. */
export function inputFromBytes(bytes: Uint8Array): Int32Array {
  if (bytes.length % 4 !== 0 || bytes.length === 0 || bytes.length / 4 > MAX_INPUT_LENGTH) throw new QueryInputError(`input of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int32Array.from({ length: bytes.length / 4 }, (_, i) => view.getInt32(4 * i, false));
}

/** Proof of input element `index`: the leaf holding it and its siblings (OneStepVerifier.Operand, kind 4). */
export function proveQueryInput(c: QueryInputCommitment, index: number): { leaf: Hex; siblings: Hex[]; value: number } {
  if (!Number.isSafeInteger(index) || index < 0 || index >= c.length) throw new QueryInputError(`index ${index} not in [0, ${c.length})`);
  const p = proveElement(c.commitment, c.values, index);
  return { leaf: toHex(p.proof.leaf) as Hex, siblings: p.proof.siblings.map((x) => toHex(x) as Hex), value: p.value };
}
