/**
 * Source ops: elements that come from the query, not from other elements (whitepaper §2.2.5; engine.md §3.1).
 *
 *   token     (1 element)  prompt[t] for t < P, else element 0 of node p1 (the chosen token) at step t−1
 *   vector    (n elements) the classify input vector, int8
 *   position  (1 element)  t
 *   random    (1 element)  sampling randomness: seeded ? prng(seed, t) : 0
 *   seeded    (1 element)  1 when the query carries a seed, else 0
 *
 * prng(seed, t) = uint32 big-endian of the first 4 bytes of keccak256(uint64_be(seed) ‖ uint32_be(t)), AND 0x7fffffff
 * — in Solidity `uint32(bytes4(keccak256(abi.encodePacked(uint64(seed), uint32(t))))) & 0x7fffffff`.
 */
import { keccak256 } from '../../crypto/keccak.ts';
import type { OpDef } from './op.ts';
import { fail, requireParam, requireSize } from './op.ts';
import { PrimitiveDomainError } from './arith.ts';

const NONE = { a: 'none', b: 'none', c: 'none', w0: 'none', w1: 'none' } as const;

/**
 * Sampling randomness for step t: a non-negative int32. Domain: seed ∈ [0, 2^64) (the contract's uint64 argument:
 * ABI decoding refuses anything else) and t ∈ [0, 2^32) (uint32 in the hash); PrimitiveDomainError otherwise, where
 * this used to wrap silently.
 */
export function prng(seed: bigint, t: number): number {
  if (typeof seed !== 'bigint' || seed < 0n || seed >= 1n << 64n) throw new PrimitiveDomainError('prng', 'seed', seed, 'integers in [0, 2^64)');
  if (!Number.isInteger(t) || t < 0 || t > 0xffffffff) throw new PrimitiveDomainError('prng', 't', t, 'integers in [0, 2^32)');
  const msg = new Uint8Array(12);
  const view = new DataView(msg.buffer);
  view.setBigUint64(0, seed, false);
  view.setUint32(8, t, false);
  const h = keccak256(msg);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) & 0x7fffffff;
}

export const tokenOp: OpDef = {
  code: 1,
  name: 'token',
  kind: 'source',
  usage: { ...NONE, params: 2 },
  check(env) {
    if (env.meta.task !== 'generate') fail(env, 'token input needs task "generate"');
    requireSize(env, 1, '1');
    requireParam(env, 0, env.meta.vocabSize, env.meta.vocabSize, 'vocab size');
    // p1 names a LATER node (the previous step's choice); its range is checked after the whole graph (validate.ts).
    requireParam(env, 1, env.id + 1, env.nodes.length - 1, 'token node');
    return { lo: 0, hi: env.meta.vocabSize - 1 };
  },
  run(env, _id, node, out) {
    out[0] = env.t < env.query.prompt.length ? env.query.prompt[env.t]! : env.prev![node.p[1]!]![0]!;
  },
  describe(env, node) {
    if (env.t < env.promptLength) return { kind: 'source', inputs: [{ query: 'prompt', index: env.t }] };
    return { kind: 'source', inputs: [{ trace: env.traceIndex(env.t - 1, node.p[1]!, 0) }] };
  },
};

export const vectorOp: OpDef = {
  code: 2,
  name: 'vector',
  kind: 'source',
  usage: { ...NONE, params: 0 },
  check(env) {
    if (env.meta.task !== 'classify') fail(env, 'vector input needs task "classify"');
    return { lo: -128, hi: 127 };
  },
  run(env, _id, node, out) {
    for (let i = 0; i < node.size; i++) out[i] = env.query.vector[i]!;
  },
  describe(_env, _node, pos) {
    return { kind: 'source', inputs: [{ query: 'vector', index: pos }] };
  },
};

export const positionOp: OpDef = {
  code: 3,
  name: 'position',
  kind: 'source',
  usage: { ...NONE, params: 0 },
  check(env) {
    requireSize(env, 1, '1');
    return { lo: 0, hi: env.meta.contextLength - 1 };
  },
  run(env, _id, _node, out) {
    out[0] = env.t;
  },
  describe(env) {
    return { kind: 'source', inputs: [{ query: 'step', index: env.t }] };
  },
};

export const randomOp: OpDef = {
  code: 4,
  name: 'random',
  kind: 'source',
  usage: { ...NONE, params: 0 },
  check(env) {
    requireSize(env, 1, '1');
    return { lo: 0, hi: 0x7fffffff };
  },
  run(env, _id, _node, out) {
    out[0] = env.query.seed === null ? 0 : prng(env.query.seed, env.t);
  },
  describe(env) {
    return { kind: 'source', inputs: [{ query: 'seed', index: 0 }, { query: 'step', index: env.t }] };
  },
};

export const seededOp: OpDef = {
  code: 5,
  name: 'seeded',
  kind: 'source',
  usage: { ...NONE, params: 0 },
  check(env) {
    requireSize(env, 1, '1');
    return { lo: 0, hi: 1 };
  },
  run(env, _id, _node, out) {
    out[0] = env.query.seed === null ? 0 : 1;
  },
  describe() {
    return { kind: 'source', inputs: [{ query: 'seed', index: 0 }] };
  },
};

export const SOURCE_OPS: OpDef[] = [tokenOp, vectorOp, positionOp, randomOp, seededOp];
