/**
 * The inner loops of puzzle grinding (§2.1, S/Kademlia): one batch of static attempts over a point
 * walk, one chunk of dynamic attempts over X. They run inside a worker thread (grind-worker.ts) and,
 * for tests, in-process. No I/O, no clock: the caller decides how long to loop.
 */
import type { PointWalk } from '../crypto/secp256k1-walk.ts';
import type { InPlaceKeccak } from '../crypto/keccak-in-place.ts';
import { leadingZeroBits } from '../common/bytes.ts';

/** True when `digest` (≥ 4 bytes) starts with at least `c` zero bits. Fast path for the usual c ≤ 32. */
export function hasLeadingZeroBits(digest: Uint8Array, c: number): boolean {
  if (c === 0) return true;
  if (c <= 32) {
    const head = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
    return Math.clz32(head) >= c;
  }
  return leadingZeroBits(digest.subarray(0, 32)) >= c;
}

/**
 * Tries every finite point of the walk's current batch: NodeAddress = keccak256(X ‖ Y), then
 * keccak256(NodeAddress). Returns the index j of the first point meeting c1, or −1.
 */
export function searchStaticBatch(walk: PointWalk, keccak: InPlaceKeccak, view: DataView, c1: number): number {
  const buf = keccak.buffer;
  const n = walk.batchSize;
  for (let j = 0; j < n; j++) {
    if (walk.infinity[j] === 1) continue;
    walk.writePoint(j, view, 0);
    keccak.hashInPlace(64); // buf[0, 32) = NodeAddress
    keccak.hashInPlace(32); // buf[0, 32) = keccak256(NodeAddress)
    if (hasLeadingZeroBits(buf, c1)) return j;
  }
  return -1;
}

/** A DataView over the hasher's input area, for writing field elements straight into it. */
export function viewOf(keccak: InPlaceKeccak): DataView {
  return new DataView(keccak.buffer.buffer, keccak.buffer.byteOffset, 64);
}

/**
 * Dynamic attempts X = prefix ‖ counter (28 random bytes, then a big-endian uint32 counter) for
 * counter = from .. from + count − 1. `mixed` is nodeAddress XOR (prefix ‖ 0000), so each attempt
 * only rewrites its last 4 bytes. Returns the counter that meets c2, or −1.
 */
export function searchDynamicChunk(
  keccak: InPlaceKeccak,
  view: DataView,
  mixed: Uint8Array,
  from: number,
  count: number,
  c2: number,
): number {
  const buf = keccak.buffer;
  const tail = ((mixed[28]! << 24) | (mixed[29]! << 16) | (mixed[30]! << 8) | mixed[31]!) >>> 0;
  for (let i = 0; i < count; i++) {
    const counter = (from + i) >>> 0;
    buf.set(mixed);
    view.setUint32(28, (tail ^ counter) >>> 0);
    keccak.hashInPlace(32);
    if (hasLeadingZeroBits(buf, c2)) return counter;
  }
  return -1;
}
