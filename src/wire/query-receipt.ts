/**
 * The EIP-712 messages a contract checks (§2.2 verified inference, §2.2.4–2.2.5 fraud proofs;
 * docs/spec/wire.md §8): a client's signed `Query` and a node's signed `Receipt`.
 *
 *   Query(address client,bytes32 modelHash,bytes32 promptHash,bytes32 paramsHash,uint256 maxFee,uint256 nonce,uint64 deadline)
 *   Receipt(bytes32 queryHash,bytes32 modelHash,bytes32 outputHash,bytes32 traceRoot,address node,uint256 fee,uint64 issuedAt)
 *
 * - `queryHash` is the EIP-712 digest of the Query (the very bytes the client signed), so it is
 *   bound to one chain and one contract and the contract can rebuild it from the Query fields;
 * - `traceRoot` commits the node to its whole execution trace at signing time: the bisection
 *   game (§2.2.5) starts from the two parties' trace roots, so neither can change its trace later;
 * - two receipts CONFLICT when queryHash and modelHash are equal and outputHash or traceRoot
 *   differ; deterministic execution (§2.2.6) means at least one signer lied. One node signing
 *   both is equivocation on its own.
 *
 * Each message also has a wire schema, so receipts travel between HIN, HCS and client in the
 * canonical codec with the same field names and types.
 */
import { recoverPublicKey, signDigest } from '../crypto/signature.ts';
import { nodeAddressOf } from '../identity/node-address.ts';
import { bigIntToBytes, bytesEqual, bytesToBigInt, concatBytes } from '../common/bytes.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { hashStruct, hashTypedData, type Eip712Domain, type TypedTypes } from './eip712.ts';
import { bytes, struct, u256, u64, type Infer } from './schema.ts';

export const EIP712_NAME = 'Hyperspace';
export const EIP712_VERSION = '1';

/** The Hyperspace EIP-712 domain for one deployment (chain id, contract that verifies). */
export function hyperspaceDomain(chainId: bigint, verifyingContract: Uint8Array): Eip712Domain {
  if (chainId < 0n || chainId >= 1n << 256n) throw new InvalidArgumentError('chainId', 'must be a uint256');
  if (verifyingContract.length !== 20) throw new InvalidArgumentError('verifyingContract', 'must be 20 bytes');
  return { name: EIP712_NAME, version: EIP712_VERSION, chainId, verifyingContract };
}

export const QUERY_TYPES = {
  Query: [
    { name: 'client', type: 'address' },
    { name: 'modelHash', type: 'bytes32' },
    { name: 'promptHash', type: 'bytes32' },
    { name: 'paramsHash', type: 'bytes32' },
    { name: 'maxFee', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint64' },
  ],
} as const satisfies TypedTypes;

export const RECEIPT_TYPES = {
  Receipt: [
    { name: 'queryHash', type: 'bytes32' },
    { name: 'modelHash', type: 'bytes32' },
    { name: 'outputHash', type: 'bytes32' },
    { name: 'traceRoot', type: 'bytes32' },
    { name: 'node', type: 'address' },
    { name: 'fee', type: 'uint256' },
    { name: 'issuedAt', type: 'uint64' },
  ],
} as const satisfies TypedTypes;

/** Wire form of a Query; field order = EIP-712 field order. */
export const QuerySchema = struct({
  /** Ethereum address of the paying client. */
  client: bytes(20),
  /** Commitment to the model weights (Merkle root, src/commitment). */
  modelHash: bytes(32),
  /** keccak256 of the prompt's token ids (the engine's input). */
  promptHash: bytes(32),
  /** keccak256 of the canonical encoding of the sampling parameters, seed included (samplingParamsHash). */
  paramsHash: bytes(32),
  /** Most the client pays, in wei. */
  maxFee: u256,
  /** Client-chosen, unique per client: the contract refuses a reused (client, nonce). */
  nonce: u256,
  /** Unix time in seconds after which the query may not be served or settled. */
  deadline: u64,
});
export type Query = Infer<typeof QuerySchema>;

/**
 * The sampling parameters of a query — the engine's run options besides the input (src/engine/runner.ts RunInput:
 * `seed`, `maxTokens`; there is no temperature: the sampler's shape is part of the model graph, engine.md §6).
 * Execution is deterministic given the model, the input and these, so they are signed into the Query as
 * `paramsHash = keccak256(encodeSamplingParams(p))`, and a dispute contract recovers the seed (for the `random` and
 * `seeded` sources) and maxTokens (for the stop rule) from the preimage passed at opening (docs/dispute.md §1).
 */
export interface SamplingParams {
  /** Sampling seed in [0, 2^64), or null for greedy decoding. */
  seed: bigint | null;
  /** Most tokens generated, ≥ 1 and < 2^32 (classify: 1). Always explicit: the engine's default (C − P + 1) is
   * spelled out by the client, so the hash does not depend on a default. */
  maxTokens: number;
}

/** Bytes of the canonical sampling-parameters encoding: three ABI words. */
export const SAMPLING_PARAMS_BYTES = 96;

function checkParams(p: SamplingParams): void {
  if (p.seed !== null && (typeof p.seed !== 'bigint' || p.seed < 0n || p.seed >= 1n << 64n)) throw new InvalidArgumentError('seed', 'must be null or a bigint in [0, 2^64)');
  if (!Number.isSafeInteger(p.maxTokens) || p.maxTokens < 1 || p.maxTokens > 0xffffffff) throw new InvalidArgumentError('maxTokens', 'must be an integer in [1, 2^32)');
}

/**
 * Canonical encoding = Solidity `abi.encode(bool seeded, uint64 seed, uint32 maxTokens)` (DisputeGame.Params):
 * 32-byte big-endian words `seeded` (0 or 1), `seed` (0 when greedy), `maxTokens`.
 */
export function encodeSamplingParams(p: SamplingParams): Uint8Array {
  checkParams(p);
  return concatBytes(bigIntToBytes(p.seed === null ? 0n : 1n, 32), bigIntToBytes(p.seed ?? 0n, 32), bigIntToBytes(BigInt(p.maxTokens), 32));
}

/** Strict inverse of encodeSamplingParams (untrusted bytes): exactly 96 bytes, every word in range, greedy ⇒ seed 0. */
export function decodeSamplingParams(bytes: Uint8Array): SamplingParams {
  if (!(bytes instanceof Uint8Array) || bytes.length !== SAMPLING_PARAMS_BYTES) throw new InvalidArgumentError('params', `must be ${SAMPLING_PARAMS_BYTES} bytes`);
  const seeded = bytesToBigInt(bytes.subarray(0, 32));
  const seed = bytesToBigInt(bytes.subarray(32, 64));
  const maxTokens = bytesToBigInt(bytes.subarray(64, 96));
  if (seeded > 1n) throw new InvalidArgumentError('params', 'seeded must be 0 or 1');
  if (seed >= 1n << 64n || (seeded === 0n && seed !== 0n)) throw new InvalidArgumentError('params', 'seed out of range (or set without seeded)');
  if (maxTokens < 1n || maxTokens > 0xffffffffn) throw new InvalidArgumentError('params', 'maxTokens must be in [1, 2^32)');
  return { seed: seeded === 1n ? seed : null, maxTokens: Number(maxTokens) };
}

/** Query.paramsHash = keccak256(encodeSamplingParams(p)). */
export function samplingParamsHash(p: SamplingParams): Uint8Array {
  return keccak256(encodeSamplingParams(p));
}

/** Wire form of a Receipt; field order = EIP-712 field order. */
export const ReceiptSchema = struct({
  /** EIP-712 digest of the Query (queryDigest). */
  queryHash: bytes(32),
  /** Must equal the Query's modelHash. */
  modelHash: bytes(32),
  /** keccak256 of the output token ids. */
  outputHash: bytes(32),
  /** Merkle root of the execution trace (src/commitment), what a dispute bisects. */
  traceRoot: bytes(32),
  /** Ethereum address of the inference node that signs this receipt. */
  node: bytes(20),
  /** Fee charged, in wei (≤ the Query's maxFee). */
  fee: u256,
  /** Unix time in seconds when the node signed; starts the dispute window. */
  issuedAt: u64,
});
export type Receipt = Infer<typeof ReceiptSchema>;

export function queryStructHash(query: Query): Uint8Array {
  return hashStruct('Query', QUERY_TYPES, query);
}

/** The Query's EIP-712 digest: what the client signs, and the `queryHash` in receipts. */
export function queryDigest(domain: Eip712Domain, query: Query): Uint8Array {
  return hashTypedData(domain, QUERY_TYPES, 'Query', query);
}

export function receiptStructHash(receipt: Receipt): Uint8Array {
  return hashStruct('Receipt', RECEIPT_TYPES, receipt);
}

export function receiptDigest(domain: Eip712Domain, receipt: Receipt): Uint8Array {
  return hashTypedData(domain, RECEIPT_TYPES, 'Receipt', receipt);
}

function ethereumAddressOfKey(publicKey: Uint8Array): Uint8Array {
  return nodeAddressOf(publicKey).slice(12);
}

export function signQuery(domain: Eip712Domain, query: Query, secretKey: Uint8Array): Uint8Array {
  return signDigest(queryDigest(domain, query), secretKey);
}

/** The 20-byte address that signed the query (compare with `query.client`). Throws SignatureError if malformed. */
export function recoverQuerySigner(domain: Eip712Domain, query: Query, signature: Uint8Array): Uint8Array {
  return ethereumAddressOfKey(recoverPublicKey(queryDigest(domain, query), signature));
}

/** 65-byte r ‖ s ‖ v signature over the receipt's EIP-712 digest; a contract `ecrecover`s it. */
export function signReceipt(domain: Eip712Domain, receipt: Receipt, secretKey: Uint8Array): Uint8Array {
  return signDigest(receiptDigest(domain, receipt), secretKey);
}

/** The 20-byte address that signed the receipt (compare with `receipt.node`). Throws SignatureError if malformed. */
export function recoverReceiptSigner(domain: Eip712Domain, receipt: Receipt, signature: Uint8Array): Uint8Array {
  return ethereumAddressOfKey(recoverPublicKey(receiptDigest(domain, receipt), signature));
}

/** True when both receipts answer the same query on the same model with different results (a fraud proof's premise). */
export function receiptsConflict(a: Receipt, b: Receipt): boolean {
  return (
    bytesEqual(a.queryHash, b.queryHash) &&
    bytesEqual(a.modelHash, b.modelHash) &&
    (!bytesEqual(a.outputHash, b.outputHash) || !bytesEqual(a.traceRoot, b.traceRoot))
  );
}

