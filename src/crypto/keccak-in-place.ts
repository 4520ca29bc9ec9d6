/**
 * In-place keccak256 on a fixed 64-byte buffer, for the hot loops that hash many short inputs: puzzle grinding
 * (whitepaper §2.1, S/Kademlia puzzles; src/identity) and Merkle pair hashing (§2.2.5–2.2.6; src/commitment). The
 * one wasm keccak module of the project (DESIGN.md layout: crypto/); keccak.ts is the general-purpose hasher.
 *
 * Per-call overhead is most of the cost for such inputs: about 0.87 µs per hash through hash-wasm's public
 * `createKeccak` API (init, update with a copy, digest allocating a new array) versus about 0.55 µs calling the same
 * wasm module's one-shot `Hash_Calculate(length, 256, 1)` on its own buffer (measured on this machine).
 *
 * hash-wasm (pinned at an exact version in package.json) does not export that entry point, so we instantiate its
 * own keccak wasm module — embedded as base64 in its `keccak.umd.min.js` — and check it against known keccak256
 * answers before use. If anything about that differs (another version, a different bundle, a misaligned buffer), we
 * fall back to the public hasher API with the same in-place interface: slower, never wrong.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createKeccak } from 'hash-wasm';

/** Hashes `buffer[0, length)` and writes the 32-byte keccak256 digest to `buffer[0, 32)`. Not re-entrant. */
export interface InPlaceKeccak {
  /**
   * Input and output area, exactly 64 bytes, at a byte offset that is a multiple of 4 (so callers may view it as
   * 16 int32 words); a view into wasm memory when `raw` is true.
   */
  readonly buffer: Uint8Array;
  hashInPlace(length: number): void;
  /** True when the raw wasm entry point is used, false on the public-API fallback. */
  readonly raw: boolean;
}

const EMPTY_DIGEST = 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';
/** keccak256 of the 64 bytes 0x00, 0x01, …, 0x3f (computed with @noble/hashes). */
const COUNTING_64_DIGEST = '002030bde3d4cf89919649775cd71875c4d0ab1708a380e03fefc3a28aa24831';

interface HashWasmKeccakExports {
  memory: { buffer: ArrayBuffer };
  Hash_GetBuffer(): number;
  Hash_Calculate(length: number, bits: number, padding: number): void;
}

/** The slice of the WebAssembly global we use (this project's tsconfig has no DOM/wasm lib types). */
interface WasmGlobal {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

async function loadRaw(): Promise<InPlaceKeccak | null> {
  try {
    const require = createRequire(import.meta.url);
    const source = readFileSync(require.resolve('hash-wasm/dist/keccak.umd.min.js'), 'utf8');
    const match = /data:"([A-Za-z0-9+/=]+)"/.exec(source);
    if (match === null || match[1] === undefined) return null;
    const { instance } = await wasm.instantiate(Buffer.from(match[1], 'base64'), {});
    const exports = instance.exports as unknown as HashWasmKeccakExports;
    if (typeof exports.Hash_Calculate !== 'function' || typeof exports.Hash_GetBuffer !== 'function') return null;
    const pointer = exports.Hash_GetBuffer();
    if (pointer % 4 !== 0) return null;
    // The module's buffer is 16 KiB at a fixed address; its memory never grows for keccak inputs ≤ 64 bytes.
    const buffer = new Uint8Array(exports.memory.buffer, pointer, 64);
    return {
      buffer,
      raw: true,
      hashInPlace(length: number): void {
        exports.Hash_Calculate(length, 256, 1); // 1 = keccak padding (0x01), not SHA-3's 0x06
      },
    };
  } catch {
    return null;
  }
}

async function loadFallback(): Promise<InPlaceKeccak> {
  const hasher = await createKeccak(256);
  const buffer = new Uint8Array(64);
  return {
    buffer,
    raw: false,
    hashInPlace(length: number): void {
      hasher.init();
      hasher.update(buffer.subarray(0, length));
      buffer.set(hasher.digest('binary'));
    },
  };
}

function selfTest(k: InPlaceKeccak): boolean {
  k.hashInPlace(0);
  if (Buffer.from(k.buffer.subarray(0, 32)).toString('hex') !== EMPTY_DIGEST) return false;
  for (let i = 0; i < 64; i++) k.buffer[i] = i;
  k.hashInPlace(64);
  return Buffer.from(k.buffer.subarray(0, 32)).toString('hex') === COUNTING_64_DIGEST;
}

/**
 * Creates an in-place hasher: the raw wasm entry point when it passes its self-test, else the public API (which
 * must pass it too). `allowRaw: false` forces the public API (tests compare the two).
 */
export async function createInPlaceKeccak(options: { allowRaw?: boolean } = {}): Promise<InPlaceKeccak> {
  if (options.allowRaw !== false) {
    const raw = await loadRaw();
    if (raw !== null && selfTest(raw)) return raw;
  }
  const fallback = await loadFallback();
  if (!selfTest(fallback)) throw new Error('keccak self-test failed');
  return fallback;
}
