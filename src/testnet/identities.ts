/** Test identities (src/testnet: scaffolding for tests, benchmarks and the devnet): random secrets meeting, or missing, a small static puzzle (naive loop, c1 ≤ 8). */
import { randomBytes } from 'node:crypto';
import { nodeAddressOf, publicKeyOf } from '../identity/node-address.ts';
import { staticPuzzleBits } from '../identity/puzzle.ts';

export function identityWithPuzzle(c1: number): { secretKey: Uint8Array; nodeAddress: Uint8Array } {
  for (;;) {
    const secretKey = new Uint8Array(randomBytes(32));
    const nodeAddress = nodeAddressOf(publicKeyOf(secretKey));
    if (staticPuzzleBits(nodeAddress) >= c1) return { secretKey, nodeAddress };
  }
}

/** A secret whose NodeAddress does NOT meet c1 (c1 ≥ 1). */
export function identityWithoutPuzzle(c1: number): { secretKey: Uint8Array; nodeAddress: Uint8Array } {
  for (;;) {
    const secretKey = new Uint8Array(randomBytes(32));
    const nodeAddress = nodeAddressOf(publicKeyOf(secretKey));
    if (staticPuzzleBits(nodeAddress) < c1) return { secretKey, nodeAddress };
  }
}
