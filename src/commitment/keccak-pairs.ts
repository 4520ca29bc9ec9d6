/**
 * Bulk keccak256 of 64-byte pairs, the inner loop of every Merkle tree here (whitepaper §2.2.5–2.2.6:
 * execution-trace and weight commitments).
 *
 * A 10,000,000-element trace needs about 1.25 million pair hashes, so per-call overhead decides the
 * speed. hash-wasm's public hasher (init, update with a copy, digest allocating a new array) costs
 * about 0.9 µs per hash on this machine; its own wasm module's one-shot `Hash_Calculate(length, 256,
 * 1)` on the module's fixed input buffer about half of that. hash-wasm does not export that entry
 * point, so we instantiate the keccak wasm module embedded (base64) in its `keccak.umd.min.js` and
 * check it against known answers before use; on any mismatch we fall back to the public API with the
 * same interface: slower, never wrong. The pair is written and the digest read as int32 words through
 * typed-array views, so the loop allocates nothing.
 *
 * Byte order: tree nodes are byte strings. A level is kept in an Int32Array whose memory holds those
 * bytes (`nodes32[i]` is whatever 4 bytes sit there in the platform's order, copied verbatim), while
 * trace values enter as numbers and are written big-endian (see `hashValuePairs`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createKeccak } from 'hash-wasm';

/** keccak256 of 64 zero-indexed bytes 0x00…0x3f (computed with @noble/hashes). */
const COUNTING_64_DIGEST = '002030bde3d4cf89919649775cd71875c4d0ab1708a380e03fefc3a28aa24831';
const EMPTY_DIGEST = 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';

/** True on little-endian hosts (all Node targets in practice); decides whether values need a byte swap. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reverses the 4 bytes of a 32-bit word: native little-endian int32 → big-endian bytes in memory. */
function bswap(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

interface Core {
  /** 16 int32 words (64 bytes) of hash input; after `run(64)` words 0..7 hold the digest. */
  readonly io: Int32Array;
  run(length: number): void;
  readonly raw: boolean;
}

interface HashWasmKeccakExports {
  memory: { buffer: ArrayBuffer };
  Hash_GetBuffer(): number;
  Hash_Calculate(length: number, bits: number, padding: number): void;
}

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}

async function loadRawCore(): Promise<Core | null> {
  try {
    const require = createRequire(import.meta.url);
    const source = readFileSync(require.resolve('hash-wasm/dist/keccak.umd.min.js'), 'utf8');
    const match = /data:"([A-Za-z0-9+/=]+)"/.exec(source);
    if (match === null || match[1] === undefined) return null;
    // The DOM lib (where TypeScript declares WebAssembly) is not in our tsconfig; Node has it at runtime.
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { instance } = await wasm.instantiate(Buffer.from(match[1], 'base64'), {});
    const exports = instance.exports as unknown as HashWasmKeccakExports;
    if (typeof exports.Hash_Calculate !== 'function' || typeof exports.Hash_GetBuffer !== 'function') return null;
    const pointer = exports.Hash_GetBuffer();
    if (pointer % 4 !== 0) return null;
    // The module's input buffer sits at a fixed address; its memory never grows for inputs ≤ 64 bytes.
    const io = new Int32Array(exports.memory.buffer, pointer, 16);
    return {
      io,
      raw: true,
      run(length: number): void {
        exports.Hash_Calculate(length, 256, 1); // 1 = keccak padding (0x01), not SHA-3's 0x06
      },
    };
  } catch {
    return null;
  }
}

async function loadFallbackCore(): Promise<Core> {
  const hasher = await createKeccak(256);
  const io = new Int32Array(16);
  const bytes = new Uint8Array(io.buffer);
  return {
    io,
    raw: false,
    run(length: number): void {
      hasher.init();
      hasher.update(bytes.subarray(0, length));
      bytes.set(hasher.digest('binary'));
    },
  };
}

function selfTest(core: Core): boolean {
  const bytes = new Uint8Array(core.io.buffer, core.io.byteOffset, 64);
  core.run(0);
  if (Buffer.from(bytes.subarray(0, 32)).toString('hex') !== EMPTY_DIGEST) return false;
  for (let i = 0; i < 64; i++) bytes[i] = i;
  core.run(64);
  return Buffer.from(bytes.subarray(0, 32)).toString('hex') === COUNTING_64_DIGEST;
}

async function loadCore(allowRaw: boolean): Promise<Core> {
  if (allowRaw) {
    const raw = await loadRawCore();
    if (raw !== null && selfTest(raw)) return raw;
  }
  const fallback = await loadFallbackCore();
  if (!selfTest(fallback)) throw new Error('keccak self-test failed');
  return fallback;
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
  const core = await loadCore(options.allowRaw !== false);
  const io = core.io;
  const run = (): void => core.run(64);
  return {
    raw: core.raw,
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
