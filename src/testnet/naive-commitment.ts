/**
 * Independent reference for the commitment tests: the scheme of docs/commitment.md written the
 * slowest, most literal way, on @noble/hashes' keccak (not hash-wasm), with explicit padding leaves.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';

export function naiveLeavesFromValues(values: ArrayLike<number>): Uint8Array[] {
  const leaves: Uint8Array[] = [];
  const count = Math.max(1, Math.ceil(values.length / 8));
  for (let l = 0; l < count; l++) {
    const leaf = new Uint8Array(32);
    for (let s = 0; s < 8; s++) {
      const i = l * 8 + s;
      const v = i < values.length ? values[i]! >>> 0 : 0;
      leaf[s * 4] = v >>> 24;
      leaf[s * 4 + 1] = (v >>> 16) & 0xff;
      leaf[s * 4 + 2] = (v >>> 8) & 0xff;
      leaf[s * 4 + 3] = v & 0xff;
    }
    leaves.push(leaf);
  }
  return leaves;
}

export function naiveLeavesFromBytes(bytes: Uint8Array): Uint8Array[] {
  const leaves: Uint8Array[] = [];
  const count = Math.max(1, Math.ceil(bytes.length / 32));
  for (let l = 0; l < count; l++) {
    const leaf = new Uint8Array(32);
    leaf.set(bytes.subarray(l * 32, l * 32 + 32));
    leaves.push(leaf);
  }
  return leaves;
}

/** All levels, bottom-up, with explicit zero leaves up to a power of two. */
export function naiveLevels(leaves: Uint8Array[]): Uint8Array[][] {
  let width = 1;
  while (width < leaves.length) width *= 2;
  let level = [...leaves];
  while (level.length < width) level.push(new Uint8Array(32));
  const levels = [level];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const both = new Uint8Array(64);
      both.set(level[i]!);
      both.set(level[i + 1]!, 32);
      next.push(keccak_256(both));
    }
    levels.push(next);
    level = next;
  }
  return levels;
}

export function naiveRoot(leaves: Uint8Array[]): Uint8Array {
  const levels = naiveLevels(leaves);
  return levels[levels.length - 1]![0]!;
}
