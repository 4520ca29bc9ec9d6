/**
 * Bulk keccak256 of 64-byte pairs, the inner loop of every Merkle tree here (whitepaper §2.2.5–2.2.6:
 * execution-trace and weight commitments).
 *
 * A 10,000,000-element trace needs about 1.25 million pair hashes, so per-call overhead decides the
 * speed: the pairs go through the in-place keccak of src/crypto/keccak-in-place.ts (hash-wasm's wasm
 * module called through its one-shot entry point, checked against known answers at load, with the
 * public API as a slower fallback). The pair is written and the digest read as int32 words through
 * a typed-array view of its 64-byte buffer, so the loop allocates nothing.
 *
 * Byte order: tree nodes are byte strings. A level is kept in an Int32Array whose memory holds those
 * bytes (`nodes32[i]` is whatever 4 bytes sit there in the platform's order, copied verbatim), while
 * trace values enter as numbers and are written big-endian (see `hashValuePairs`).
 */
import { createInPlaceKeccak } from '../crypto/keccak-in-place.ts';

/** True on little-endian hosts (all Node targets in practice); decides whether values need a byte swap. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reverses the 4 bytes of a 32-bit word: native little-endian int32 → big-endian bytes in memory. */
function bswap(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** Synchronous pair hasher. Not re-entrant (one shared input buffer); each worker thread has its own. */
export interface PairHasher {
  /** True when the raw wasm entry point is in use. */
  readonly raw: boolean;
  /**
   * Next level up from a level of nodes: `dst` node j = keccak256(src node 2j ‖ src node 2j+1), for
   * j in [0, ceil(count / 2)); a missing right node (odd `count`) is `zeroRight` (32 bytes as 8 words).
   * `src` holds `count` nodes of 8 words; `dst` receives ceil(count / 2) nodes.
   */
  hashLevel(src: Int32Array, count: number, dst: Int32Array, zeroRight: Int32Array): void;
  /**
   * Level 1 of a trace tree straight from int32 values: dst node j = keccak256 of the 64 bytes that
   * are values[16j .. 16j+16) as big-endian int32, zero beyond `values.length` (zero leaves and zero
   * tail elements are the same bytes). Produces ceil(values.length / 16) nodes.
   */
  hashValuePairs(values: Int32Array, dst: Int32Array): void;
  /** keccak256 of exactly 64 bytes given as 16 words; result into `out` (8 words). */
  hash64(input: Int32Array, out: Int32Array): void;
}

export async function createPairHasher(options: { allowRaw?: boolean } = {}): Promise<PairHasher> {
  const keccak = await createInPlaceKeccak(options);
  // 16 int32 words (64 bytes) of hash input; after run() words 0..7 hold the digest.
  const io = new Int32Array(keccak.buffer.buffer, keccak.buffer.byteOffset, 16);
  const run = (): void => keccak.hashInPlace(64);
  return {
    raw: keccak.raw,
    hashLevel(src, count, dst, zeroRight) {
      const pairs = count >>> 1;
      for (let j = 0; j < pairs; j++) {
        const s = j << 4;
        for (let w = 0; w < 16; w++) io[w] = src[s + w]!;
        run();
        const d = j << 3;
        for (let w = 0; w < 8; w++) dst[d + w] = io[w]!;
      }
      if ((count & 1) === 1) {
        const s = pairs << 4;
        for (let w = 0; w < 8; w++) io[w] = src[s + w]!;
        for (let w = 0; w < 8; w++) io[8 + w] = zeroRight[w]!;
        run();
        const d = pairs << 3;
        for (let w = 0; w < 8; w++) dst[d + w] = io[w]!;
      }
    },
    hashValuePairs(values, dst) {
      const n = values.length;
      const full = Math.floor(n / 16);
      for (let j = 0; j < full; j++) {
        const s = j << 4;
        if (LITTLE_ENDIAN) for (let w = 0; w < 16; w++) io[w] = bswap(values[s + w]!);
        else for (let w = 0; w < 16; w++) io[w] = values[s + w]!;
        run();
        const d = j << 3;
        for (let w = 0; w < 8; w++) dst[d + w] = io[w]!;
      }
      const rest = n - full * 16;
      if (rest > 0) {
        const s = full << 4;
        for (let w = 0; w < 16; w++) {
          const v = w < rest ? values[s + w]! : 0;
          io[w] = LITTLE_ENDIAN ? bswap(v) : v;
        }
        run();
        const d = full << 3;
        for (let w = 0; w < 8; w++) dst[d + w] = io[w]!;
      }
    },
    hash64(input, out) {
      for (let w = 0; w < 16; w++) io[w] = input[w]!;
      run();
      for (let w = 0; w < 8; w++) out[w] = io[w]!;
    },
  };
}

/** Big-endian bytes of int32 values, zero-padded to `byteLength` (a leaf is 8 values in 32 bytes). */
export function valuesToBigEndian(values: ArrayLike<number>, byteLength: number): Uint8Array {
  const out = new Uint8Array(byteLength);
  const view = new DataView(out.buffer);
  const count = Math.min(values.length, byteLength >>> 2);
  for (let i = 0; i < count; i++) view.setInt32(i * 4, values[i]!, false);
  return out;
}
