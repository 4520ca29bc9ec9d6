/**
 * S/Kademlia crypto puzzles (§2.1, §1.1.2; DESIGN.md §1.1; Baumgart & Mies 2007).
 *
 * Static puzzle, difficulty c1: keccak256(NodeAddress) has at least c1 leading zero bits. It binds
 * the cost of *creating* an identity to the key itself, so ids cannot be chosen freely.
 * Dynamic puzzle, difficulty c2: a 32-byte X with keccak256(NodeAddress XOR X) having at least c2
 * leading zero bits. Its cost grows with c2, which each community server sets for its sub-network.
 *
 * Checking either puzzle is one keccak256 of 32 bytes: O(1), about a microsecond. Pure: no clock,
 * no randomness.
 */
import { BaseError, InvalidArgumentError } from '../common/errors.ts';
import { leadingZeroBits, toHex } from '../common/bytes.ts';
import { keccak256 } from '../crypto/keccak.ts';
import { NODE_ADDRESS_LENGTH } from './node-address.ts';

/** Length of the dynamic puzzle's X, bytes (same as a NodeAddress, so they XOR). */
export const PUZZLE_X_LENGTH = 32;

/**
 * Largest accepted difficulty, bits. 2^64 attempts is about 1.5 million core-years at the ~380,000
 * attempts/s per core we grind at (docs/identity.md), so no honest node could ever meet a larger
 * value: a configuration or a peer asking for more is wrong, not strict. Bits actually found may be
 * higher (up to 256); only *required* difficulties are bounded.
 */
export const MAX_DIFFICULTY = 64;

export type PuzzleKind = 'static' | 'dynamic';

export class PuzzleTooWeakError extends BaseError<{
  nodeAddress: string;
  puzzle: PuzzleKind;
  required: number;
  actual: number;
}> {
  constructor(nodeAddress: Uint8Array, puzzle: PuzzleKind, required: number, actual: number) {
    super('IDENTITY_PUZZLE_TOO_WEAK', `${puzzle} puzzle too weak: ${actual} leading zero bits < required ${required}`, {
      details: { nodeAddress: toHex(nodeAddress), puzzle, required, actual },
    });
  }
}

/** Throws InvalidArgumentError unless `value` is an integer in 0..MAX_DIFFICULTY. */
export function assertDifficulty(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_DIFFICULTY) {
    throw new InvalidArgumentError(name, `difficulty must be an integer in 0..${MAX_DIFFICULTY}, got ${String(value)}`);
  }
}

function assertBytes(name: string, value: Uint8Array, length: number): void {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new InvalidArgumentError(name, `expected ${length} bytes`);
  }
}

/** Leading zero bits of keccak256(nodeAddress), 0..256. */
export function staticPuzzleBits(nodeAddress: Uint8Array): number {
  assertBytes('nodeAddress', nodeAddress, NODE_ADDRESS_LENGTH);
  return leadingZeroBits(keccak256(nodeAddress));
}

/** Leading zero bits of keccak256(nodeAddress XOR x), 0..256. */
export function dynamicPuzzleBits(nodeAddress: Uint8Array, x: Uint8Array): number {
  assertBytes('nodeAddress', nodeAddress, NODE_ADDRESS_LENGTH);
  assertBytes('x', x, PUZZLE_X_LENGTH);
  const mixed = new Uint8Array(NODE_ADDRESS_LENGTH);
  for (let i = 0; i < NODE_ADDRESS_LENGTH; i++) mixed[i] = nodeAddress[i]! ^ x[i]!;
  return leadingZeroBits(keccak256(mixed));
}

export function verifyStaticPuzzle(nodeAddress: Uint8Array, c1: number): boolean {
  assertDifficulty('c1', c1);
  return staticPuzzleBits(nodeAddress) >= c1;
}

export function verifyDynamicPuzzle(nodeAddress: Uint8Array, x: Uint8Array, c2: number): boolean {
  assertDifficulty('c2', c2);
  return dynamicPuzzleBits(nodeAddress, x) >= c2;
}

/** Throws PuzzleTooWeakError when the static puzzle has fewer than c1 leading zero bits. */
export function assertStaticPuzzle(nodeAddress: Uint8Array, c1: number): void {
  assertDifficulty('c1', c1);
  const actual = staticPuzzleBits(nodeAddress);
  if (actual < c1) throw new PuzzleTooWeakError(nodeAddress, 'static', c1, actual);
}

/** Throws PuzzleTooWeakError when the dynamic puzzle has fewer than c2 leading zero bits. */
export function assertDynamicPuzzle(nodeAddress: Uint8Array, x: Uint8Array, c2: number): void {
  assertDifficulty('c2', c2);
  const actual = dynamicPuzzleBits(nodeAddress, x);
  if (actual < c2) throw new PuzzleTooWeakError(nodeAddress, 'dynamic', c2, actual);
}

/** Expected attempts to solve a puzzle of difficulty c: 2^c (each attempt succeeds with probability 2^−c). */
export function expectedAttempts(c: number): number {
  return 2 ** c;
}
