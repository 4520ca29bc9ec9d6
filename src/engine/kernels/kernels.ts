/**
 * The `Kernels` interface: the heavy integer operations of the engine
 * (whitepaper §2.2.6; DESIGN.md §1.7), with two interchangeable
 * implementations: `referenceKernels` (plain TypeScript, the specification)
 * and the WebAssembly SIMD kernels of `loadWasmKernels()` (wasm.ts). Both give
 * bit-identical results; tests check it on random shapes and edge values.
 *
 * Matrices that are used many times (weights, KV caches) live behind an
 * `Int8MatrixHandle`: the wasm implementation copies them into its linear
 * memory once, so a matvec copies only the vector in and the result out.
 */
import { KernelShapeError, checkDimension, checkLength } from './errors.ts';
import { MAX_MATRIX_ELEMENTS, MAX_MATVEC_COLS, MAX_MATVEC_ROWS, matvecInt8Reference } from './matvec.ts';
import { attnMixInt8Reference, attnScoresInt8Reference, dotInt8RowsReference, weightedSumInt8ColsReference } from './attention.ts';
import { muldivReference, requantReference } from './elementwise.ts';
import type { MuldivParams, RequantParams } from './elementwise.ts';

/** An int8 matrix (rows, cols), row-major, owned by one Kernels instance. */
export interface Int8MatrixHandle {
  readonly rows: number;
  readonly cols: number;
  /** Overwrites rows [row, row + data.length / cols) (KV cache appends). */
  writeRows(row: number, data: Int8Array): void;
  /** A copy of rows [row, row + count). */
  readRows(row: number, count: number): Int8Array;
  /** Releases the memory; the handle is unusable afterwards. */
  free(): void;
}

/**
 * Int32 and int8 vectors placed in a Kernels instance's memory: that instance's kernels read and write them in
 * place, without copies (the runner keeps every node's values there). Views are plain typed arrays; with the wasm
 * kernels they are views of the wasm memory, which a later allocation may grow (a grow detaches every view), so
 * holders call `refresh()` before use and re-read the views when it returns true.
 */
export interface ResidentVectors {
  /** One zero-filled int32 view per requested length, in order. */
  readonly int32: readonly Int32Array[];
  /** One zero-filled int8 view per requested length, in order. */
  readonly int8: readonly Int8Array[];
  /** Re-makes the views if the memory moved since they were made; true if it did (contents are kept). */
  refresh(): boolean;
  /** Releases the memory; the views are unusable afterwards. */
  free(): void;
}

export interface Kernels {
  /** `reference` or `wasm-simd`. */
  readonly name: string;
  /** One-shot W (rows, cols) @ x (cols) -> out (rows); see matvecInt8Reference. */
  matvecInt8(w: Int8Array, rows: number, cols: number, x: Int8Array, out: Int32Array): void;
  /** Copies `w` (rows, cols) into a resident matrix. */
  prepareMatrix(w: Int8Array, rows: number, cols: number): Int8MatrixHandle;
  /** A zero-filled resident matrix (rows, cols), e.g. a KV cache of `rows` positions. */
  createMatrix(rows: number, cols: number): Int8MatrixHandle;
  /** out (m.rows) = M @ x (m.cols), exact int32. */
  matvec(m: Int8MatrixHandle, x: Int8Array, out: Int32Array): void;
  /**
   * The engine's matvec on int32 node values: out[r] = (bias ? bias[r] : 0) + Σ_c M[r, c] · int8(x[c]), where
   * int8(v) keeps the low 8 bits (v itself for the int8-proven inputs of the engine); the bias add wraps int32
   * (the loader proves it exact). x.length = m.cols, out.length = bias.length = m.rows.
   */
  matvecI32(m: Int8MatrixHandle, x: Int32Array, bias: Int32Array | null, out: Int32Array): void;
  /**
   * Vectors in this instance's memory (ResidentVectors). The wasm kernels also reserve their scratch for calls on
   * vectors of up to the largest of these lengths, so such calls never grow the memory (never detach the views).
   */
  createVectors(int32Lengths: readonly number[], int8Lengths: readonly number[]): ResidentVectors;
  /** scores (n) = K[0..n) @ q (k.cols), n ≤ k.rows, exact int32 (attention scores). */
  dotInt8Rows(k: Int8MatrixHandle, n: number, q: Int8Array, scores: Int32Array): void;
  /** out (v.cols) = Σ_{i<n} p[i] · V[i, :], n ≤ v.rows, int32 wrapping (see WEIGHTED_SUM_MAX_ABS_P_SUM). */
  weightedSumInt8Cols(v: Int8MatrixHandle, n: number, p: Int32Array, out: Int32Array): void;
  /**
   * Multi-head attention scores over the first n rows of a KV cache K (k.rows, H·dh), H = heads, stride =
   * scores.length / H ≥ n: scores[h·stride + j] = j < n ? Σ_d q[h·dh + d] · K[j, h·dh + d] : fill (exact).
   */
  attnScores(k: Int8MatrixHandle, n: number, heads: number, q: Int8Array, scores: Int32Array, fill: number): void;
  /**
   * Multi-head attention mix, int8 probabilities p (H · stride), stride = p.length / H ≥ n:
   * out[h·dh + d] = Σ_{j<n} p[h·stride + j] · V[j, h·dh + d], int32 wrapping (exact for n ≤ 131071).
   */
  attnMix(v: Int8MatrixHandle, n: number, heads: number, p: Int8Array, out: Int32Array): void;
  /**
   * requant over out.length elements: out[i] = clamp(roundShift(x[i] · (mt ? mt[i] : p.m), p.shift), p.lo, p.hi)
   * (engine.md §3.5; elementwise.ts).
   */
  requant(x: Int32Array, mt: Int32Array | null, p: RequantParams, out: Int32Array): void;
  /**
   * muldiv over out.length elements: out[i] = clamp(roundDiv(a[i] · g[i mod g.length] · p.m, b[floor(i / p.bdiv)
   * mod b.length] or p.d), p.lo, p.hi), g absent = 1 (engine.md §3.5; elementwise.ts).
   */
  muldiv(a: Int32Array, b: Int32Array | null, g: Int8Array | null, p: MuldivParams, out: Int32Array): void;
  /**
   * Whole-step programs (step-program.ts): present on the wasm kernels, absent on the reference, whose runner
   * therefore keeps the per-node path (the specification).
   */
  readonly programs?: ProgramSupport;
}

/** A program resident in a Kernels instance's memory. */
export interface StepProgram {
  /** Records in the program. */
  readonly length: number;
  /**
   * Executes records [first, end) for step t, only those whose op code is in the mask (opMask; [-1, -1] = all).
   * Reads and writes the resident values and KV caches the records point at; allocates nothing.
   */
  run(first: number, end: number, t: number, maskLo: number, maskHi: number): void;
  /**
   * A whole generation in one call (assembly/kernels.ts runGenerate): steps t = 0 .. maxSteps − 1, sources from
   * the source records (prompt of P tokens in the token record's buffer; random = prng(seed, t) when seeded, in
   * wasm), every node record, the output
   * node's value (at byte offset outNode) appended to `tokens` (byte offset) from t = P − 1 on, stopping after
   * maxTokens tokens or at eos. Returns the steps run (tokens = steps − P + 1).
   */
  generate(P: number, maxSteps: number, maxTokens: number, eos: number, outNode: number, tokens: number, seed: bigint | null): number;
  /** Releases the program's memory. */
  free(): void;
}

/** What a Kernels instance that can run whole-step programs offers (the wasm kernels; not the reference). */
export interface ProgramSupport {
  /** Byte offset of a view of this instance's ResidentVectors; throws KernelShapeError for any other array. */
  offsetOf(view: Int32Array | Int8Array): number;
  /** Byte offset of a live matrix handle of this instance. */
  matrixOffset(m: Int8MatrixHandle): number;
  /**
   * Copies `words` (encodeProgram, step-program.ts) into the memory with an int8 scratch of `scratchBytes` (≥ the
   * largest node size).
   */
  createProgram(words: Int32Array, scratchBytes: number): StepProgram;
  /** keccak256 of `length` bytes of the memory at byte `offset` (in wasm: no copy out; the one-call output hash). */
  keccakAt(offset: number, length: number): Uint8Array;
  /** The `random` source's prng(seed, t) (engine.md §2), computed in wasm as runGenerate does. */
  prng(seed: bigint, t: number): number;
}

/** Checks (rows, cols) of a new matrix. */
export function checkMatrixShape(kernel: string, rows: number, cols: number): void {
  checkDimension(kernel, 'rows', rows, 0, MAX_MATVEC_ROWS);
  checkDimension(kernel, 'cols', cols, 0, MAX_MATVEC_COLS);
  checkDimension(kernel, 'rows*cols', rows * cols, 0, MAX_MATRIX_ELEMENTS);
}

/** Checks a writeRows call: whole rows, inside the matrix. */
export function checkWriteRows(m: { rows: number; cols: number }, row: number, data: Int8Array): number {
  const count = m.cols === 0 ? 0 : data.length / m.cols;
  if (!Number.isInteger(count)) {
    throw new KernelShapeError({ kernel: 'writeRows', argument: 'data', expected: `a multiple of cols=${m.cols} long`, actual: `length ${data.length}` });
  }
  checkDimension('writeRows', 'row', row, 0, m.rows - count);
  return count;
}

/** Checks that `n` rows of a handle are in range. */
export function checkRowCount(kernel: string, m: { rows: number }, n: number): void {
  checkDimension(kernel, 'n', n, 0, m.rows);
}

class ReferenceMatrix implements Int8MatrixHandle {
  readonly rows: number;
  readonly cols: number;
  #data: Int8Array | null;
  constructor(rows: number, cols: number, data: Int8Array) {
    this.rows = rows;
    this.cols = cols;
    this.#data = data;
  }
  get data(): Int8Array {
    if (this.#data === null) throw new KernelShapeError({ kernel: 'reference', argument: 'matrix', expected: 'a live handle', actual: 'a freed handle' });
    return this.#data;
  }
  writeRows(row: number, data: Int8Array): void {
    checkWriteRows(this, row, data);
    this.data.set(data, row * this.cols);
  }
  readRows(row: number, count: number): Int8Array {
    checkDimension('readRows', 'row', row, 0, this.rows);
    checkDimension('readRows', 'count', count, 0, this.rows - row);
    return this.data.slice(row * this.cols, (row + count) * this.cols);
  }
  free(): void {
    this.#data = null;
  }
}

function asReference(m: Int8MatrixHandle): ReferenceMatrix {
  if (!(m instanceof ReferenceMatrix)) {
    throw new KernelShapeError({ kernel: 'reference', argument: 'matrix', expected: 'a handle made by referenceKernels', actual: m.constructor.name });
  }
  return m;
}

let refScratch8 = new Int8Array(256);

/** matvecI32 on the reference kernels: narrow x, matvecInt8Reference, add the bias (the ops' former code). */
function matvecI32Reference(m: ReferenceMatrix, x: Int32Array, bias: Int32Array | null, out: Int32Array): void {
  checkLength('matvecI32', 'x', x, m.cols, 'cols');
  if (bias !== null) checkLength('matvecI32', 'bias', bias, m.rows, 'rows');
  if (refScratch8.length < m.cols) refScratch8 = new Int8Array(Math.max(m.cols, 2 * refScratch8.length));
  const x8 = refScratch8.subarray(0, m.cols);
  for (let c = 0; c < m.cols; c++) x8[c] = x[c]!;
  matvecInt8Reference(m.data, m.rows, m.cols, x8, out);
  if (bias) for (let r = 0; r < m.rows; r++) out[r] = out[r]! + bias[r]!;
}

/** Checks the lengths of createVectors. */
export function checkVectorLengths(int32Lengths: readonly number[], int8Lengths: readonly number[]): void {
  for (const n of int32Lengths) checkDimension('createVectors', 'int32 length', n, 0, MAX_MATVEC_ROWS);
  for (const n of int8Lengths) checkDimension('createVectors', 'int8 length', n, 0, MAX_MATVEC_ROWS);
}

/** The TypeScript reference kernels: the specification, and the fallback. */
export const referenceKernels: Kernels = {
  name: 'reference',
  matvecInt8: matvecInt8Reference,
  prepareMatrix(w, rows, cols) {
    checkMatrixShape('prepareMatrix', rows, cols);
    checkLength('prepareMatrix', 'w', w, rows * cols, 'rows*cols');
    return new ReferenceMatrix(rows, cols, w.slice());
  },
  createMatrix(rows, cols) {
    checkMatrixShape('createMatrix', rows, cols);
    return new ReferenceMatrix(rows, cols, new Int8Array(rows * cols));
  },
  matvec(m, x, out) {
    const r = asReference(m);
    matvecInt8Reference(r.data, r.rows, r.cols, x, out);
  },
  matvecI32(m, x, bias, out) {
    matvecI32Reference(asReference(m), x, bias, out);
  },
  createVectors(int32Lengths, int8Lengths) {
    checkVectorLengths(int32Lengths, int8Lengths);
    return {
      int32: int32Lengths.map((n) => new Int32Array(n)),
      int8: int8Lengths.map((n) => new Int8Array(n)),
      refresh: () => false,
      free() {},
    };
  },
  dotInt8Rows(k, n, q, scores) {
    const r = asReference(k);
    checkRowCount('dotInt8Rows', r, n);
    dotInt8RowsReference(r.data, n, r.cols, q, scores);
  },
  weightedSumInt8Cols(v, n, p, out) {
    const r = asReference(v);
    checkRowCount('weightedSumInt8Cols', r, n);
    weightedSumInt8ColsReference(r.data, n, r.cols, p, out);
  },
  attnScores(k, n, heads, q, scores, fill) {
    const r = asReference(k);
    attnScoresInt8Reference(r.data, r.rows, r.cols, n, heads, q, scores, fill);
  },
  attnMix(v, n, heads, p, out) {
    const r = asReference(v);
    attnMixInt8Reference(r.data, r.rows, r.cols, n, heads, p, out);
  },
  requant: requantReference,
  muldiv: muldivReference,
};
