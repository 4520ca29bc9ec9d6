/**
 * What a run returns, and the bytes its output hash commits to (whitepaper §2.2.5; engine.md §5.1):
 * outputHash = keccak256(output elements as int32 little-endian, in order). The dispute game and the wasm
 * one-call path (which hashes the token buffer in place) hash exactly these bytes.
 */

export interface RunResult {
  /** Generated token ids (generate) or the output node's elements (classify). */
  output: Int32Array;
  /** keccak256 of `output` as int32 LE. */
  outputHash: Uint8Array;
  /** Steps executed. */
  steps: number;
  /** Elements per step. */
  stepElements: number;
  /** Prompt length P (0 for classify). */
  promptLength: number;
  /** The full trace (only with trace: true): steps · stepElements int32. */
  trace: Int32Array | null;
}

/** Bytes hashed into outputHash. */
export function outputBytes(output: Int32Array): Uint8Array {
  const bytes = new Uint8Array(output.length * 4);
  const view = new DataView(bytes.buffer);
  output.forEach((v, i) => view.setInt32(4 * i, v, true));
  return bytes;
}
