/**
 * merkleRoot32: the root of the commitment module's binary keccak tree over 32-byte leaves (docs/commitment.md:
 * leaves used as is, inner = keccak256(left ‖ right), right-padded with zero leaves to a power of two; one leaf
 * is its own root; no data = the zero leaf). Used for the node table and weights of a model file (engine.md §4).
 * `data.length` must be a multiple of 32.
 */
import { keccak256Concat } from '../crypto/keccak.ts';
import { InvalidArgumentError } from '../common/errors.ts';

export function merkleRoot32(data: Uint8Array): Uint8Array {
  if (data.length % 32 !== 0) throw new InvalidArgumentError('merkle data', `length ${data.length} is not a multiple of 32`);
  let level: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += 32) level.push(data.subarray(i, i + 32));
  if (level.length === 0) return new Uint8Array(32);
  let zero: Uint8Array = new Uint8Array(32);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(keccak256Concat(level[i]!, level[i + 1] ?? zero));
    level = next;
    zero = keccak256Concat(zero, zero);
  }
  return new Uint8Array(level[0]!);
}
