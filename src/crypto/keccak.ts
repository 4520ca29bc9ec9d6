/**
 * keccak256 (the Ethereum variant, not NIST SHA3-256), §2.2.2.
 *
 * hash-wasm's keccak is about 10× faster than @noble/hashes' for short inputs
 * on this machine (ANCHORS.md, "Measured on this machine"), which matters for
 * puzzle grinding and Merkle trees. Its hasher object is synchronous once the
 * wasm module is instantiated, so we instantiate it once at module load (top-
 * level await) and expose a plain synchronous function.
 */
import { createKeccak } from 'hash-wasm';

const hasher = await createKeccak(256);

/** keccak256 of `data`, 32 bytes. Synchronous; not re-entrant across await. */
export function keccak256(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest('binary');
}

/** keccak256 over the concatenation of `parts` without copying them together. */
export function keccak256Concat(...parts: Uint8Array[]): Uint8Array {
  hasher.init();
  for (const part of parts) hasher.update(part);
  return hasher.digest('binary');
}
