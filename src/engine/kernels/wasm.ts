/**
 * WebAssembly SIMD kernels (whitepaper §2.2.6; DESIGN.md §1.7): the
 * AssemblyScript module of assembly/kernels.ts behind the `Kernels` interface,
 * bit-identical to `referenceKernels` (docs/kernels.md gives the argument;
 * wasm.test.ts checks it).
 *
 * Memory: the module exports its linear memory and has no allocator; a
 * WasmHeap (wasm-heap.ts) places matrices there. `prepareMatrix` copies a
 * weight matrix in once; `matvec` then copies only x (cols bytes) in and the
 * result (rows int32) out, through a scratch block reused across calls.
 */
import { KernelShapeError, checkLength } from './errors.ts';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.ts';
import { checkMatvecArgs } from './matvec.ts';
import { checkHeads, checkWeightedSumArgs } from './attention.ts';
import { checkMuldivArgs, checkRequantArgs } from './elementwise.ts';
import type { MuldivParams, RequantParams } from './elementwise.ts';
import { WasmHeap } from './wasm-heap.ts';
import { webAssembly } from './wasm-api.ts';
import type { WasmMemory, WasmModule } from './wasm-api.ts';
import { checkMatrixShape, checkRowCount, checkWriteRows } from './kernels.ts';
import type { Int8MatrixHandle, Kernels } from './kernels.ts';
import { checkDimension } from './errors.ts';

interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  matvecI8(w: number, rows: number, cols: number, x: number, out: number): void;
  weightedSumI8(v: number, n: number, d: number, p: number, out: number): void;
  attnScoresI8(k: number, n: number, stride: number, heads: number, q: number, out: number, outStride: number, fill: number): void;
  attnMixI8(v: number, n: number, stride: number, heads: number, p: number, pStride: number, out: number): void;
  requantI32(x: number, n: number, m: number, mt: number, s: number, lo: number, hi: number, out: number): void;
  muldivI32(a: number, n: number, g: number, glen: number, m: number, b: number, bs: number, bdiv: number, d: number, lo: number, hi: number, out: number): void;
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let compiled: Promise<WasmModule> | null = null;

/** Compiles the kernels module once per process. */
function compileKernels(): Promise<WasmModule> {
  compiled ??= webAssembly.compile(decodeBase64(KERNELS_WASM_BASE64));
  return compiled;
}

class WasmMatrix implements Int8MatrixHandle {
  readonly rows: number;
  readonly cols: number;
  readonly owner: WasmKernels;
  ptr: number; // byte offset in the wasm memory; -1 once freed
  constructor(owner: WasmKernels, rows: number, cols: number, ptr: number) {
    this.owner = owner;
    this.rows = rows;
    this.cols = cols;
    this.ptr = ptr;
  }
  writeRows(row: number, data: Int8Array): void {
    const ptr = this.owner.live(this);
    checkWriteRows(this, row, data);
    this.owner.heapI8().set(data, ptr + row * this.cols);
  }
  readRows(row: number, count: number): Int8Array {
    const ptr = this.owner.live(this);
    checkDimension('readRows', 'row', row, 0, this.rows);
    checkDimension('readRows', 'count', count, 0, this.rows - row);
    const start = ptr + row * this.cols;
    return this.owner.heapI8().slice(start, start + count * this.cols);
  }
  free(): void {
    if (this.ptr < 0) return;
    this.owner.heap.free(this.ptr);
    this.ptr = -1;
  }
}

class WasmKernels implements Kernels {
  readonly name = 'wasm-simd';
  readonly heap: WasmHeap;
  readonly #exports: KernelExports;
  #buffer: ArrayBuffer | null = null;
  #i8 = new Int8Array(0);
  #i32 = new Int32Array(0);
  #scratch = -1; // offset of the scratch block (vector in, result out)
  #scratchBytes = 0;

  constructor(exports: KernelExports) {
    this.#exports = exports;
    this.heap = new WasmHeap(exports.memory, exports.heapBase());
  }

  /** Int8 view of the whole memory (refreshed after the memory grows). */
  heapI8(): Int8Array {
    this.#refresh();
    return this.#i8;
  }

  #refresh(): void {
    const buffer = this.#exports.memory.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#i8 = new Int8Array(buffer);
      this.#i32 = new Int32Array(buffer);
    }
  }

  /** The handle's offset; throws unless it is a live handle of this instance. */
  live(m: Int8MatrixHandle): number {
    if (!(m instanceof WasmMatrix) || m.owner !== this) {
      throw new KernelShapeError({ kernel: 'wasm-simd', argument: 'matrix', expected: 'a handle made by this Kernels instance', actual: m.constructor.name });
    }
    if (m.ptr < 0) throw new KernelShapeError({ kernel: 'wasm-simd', argument: 'matrix', expected: 'a live handle', actual: 'a freed handle' });
    return m.ptr;
  }

  /** A scratch block of at least `bytes`, 16-byte aligned. */
  #scratchOf(bytes: number): number {
    if (bytes > this.#scratchBytes || this.#scratch < 0) {
      if (this.#scratch >= 0) this.heap.free(this.#scratch);
      this.#scratchBytes = Math.max(bytes, 2 * this.#scratchBytes, 4096);
      this.#scratch = this.heap.alloc(this.#scratchBytes);
    }
    return this.#scratch;
  }

  /** Runs matvecI8 on a resident matrix: x in, out back. */
  #matvecAt(ptr: number, rows: number, cols: number, x: Int8Array, out: Int32Array): void {
    const outBytes = rows * 4;
    const s = this.#scratchOf(outBytes + cols);
    const xPtr = s + outBytes; // out first: it stays 16-byte aligned
    this.#refresh();
    this.#i8.set(x, xPtr);
    this.#exports.matvecI8(ptr, rows, cols, xPtr, s);
    this.#refresh();
    out.set(this.#i32.subarray(s >>> 2, (s >>> 2) + rows));
  }

  matvecInt8(w: Int8Array, rows: number, cols: number, x: Int8Array, out: Int32Array): void {
    checkMatvecArgs('matvecInt8', w, rows, cols, x, out);
    const m = this.prepareMatrix(w, rows, cols);
    try {
      this.#matvecAt(m.ptr, rows, cols, x, out);
    } finally {
      m.free();
    }
  }

  prepareMatrix(w: Int8Array, rows: number, cols: number): WasmMatrix {
    checkMatrixShape('prepareMatrix', rows, cols);
    checkLength('prepareMatrix', 'w', w, rows * cols, 'rows*cols');
    const m = this.createMatrix(rows, cols, false);
    this.heapI8().set(w, m.ptr);
    return m;
  }

  createMatrix(rows: number, cols: number, zero = true): WasmMatrix {
    checkMatrixShape('createMatrix', rows, cols);
    const ptr = this.heap.alloc(rows * cols);
    if (zero) this.heapI8().fill(0, ptr, ptr + rows * cols);
    return new WasmMatrix(this, rows, cols, ptr);
  }

  matvec(m: Int8MatrixHandle, x: Int8Array, out: Int32Array): void {
    const ptr = this.live(m);
    checkMatvecArgs('matvec', null, m.rows, m.cols, x, out);
    this.#matvecAt(ptr, m.rows, m.cols, x, out);
  }

  dotInt8Rows(k: Int8MatrixHandle, n: number, q: Int8Array, scores: Int32Array): void {
    const ptr = this.live(k);
    checkRowCount('dotInt8Rows', k, n);
    checkMatvecArgs('dotInt8Rows', null, n, k.cols, q, scores);
    this.#matvecAt(ptr, n, k.cols, q, scores);
  }

  weightedSumInt8Cols(v: Int8MatrixHandle, n: number, p: Int32Array, out: Int32Array): void {
    const ptr = this.live(v);
    checkRowCount('weightedSumInt8Cols', v, n);
    const d = v.cols;
    checkWeightedSumArgs(n, d, p, out);
    const outBytes = d * 4;
    const s = this.#scratchOf(outBytes + n * 4);
    const pPtr = s + outBytes;
    this.#refresh();
    this.#i32.set(p, pPtr >>> 2);
    this.#exports.weightedSumI8(ptr, n, d, pPtr, s);
    this.#refresh();
    out.set(this.#i32.subarray(s >>> 2, (s >>> 2) + d));
  }

  attnScores(k: Int8MatrixHandle, n: number, heads: number, q: Int8Array, scores: Int32Array, fill: number): void {
    const ptr = this.live(k);
    const stride = checkHeads('attnScores', k.rows, k.cols, n, heads, q, scores, 'scores');
    const outBytes = scores.length * 4;
    const s = this.#scratchOf(outBytes + q.length);
    const qPtr = s + outBytes;
    this.#refresh();
    this.#i8.set(q, qPtr);
    this.#exports.attnScoresI8(ptr, n, k.cols, heads, qPtr, s, stride, fill);
    this.#refresh();
    scores.set(this.#i32.subarray(s >>> 2, (s >>> 2) + scores.length));
  }

  attnMix(v: Int8MatrixHandle, n: number, heads: number, p: Int8Array, out: Int32Array): void {
    const ptr = this.live(v);
    const stride = checkHeads('attnMix', v.rows, v.cols, n, heads, out, p, 'p');
    const outBytes = out.length * 4;
    const s = this.#scratchOf(outBytes + p.length);
    const pPtr = s + outBytes;
    this.#refresh();
    this.#i8.set(p, pPtr);
    this.#exports.attnMixI8(ptr, n, v.cols, heads, pPtr, stride, s);
    this.#refresh();
    out.set(this.#i32.subarray(s >>> 2, (s >>> 2) + out.length));
  }

  requant(x: Int32Array, mt: Int32Array | null, p: RequantParams, out: Int32Array): void {
    const n = checkRequantArgs(x, mt, p, out);
    const bytes = align16(n * 4);
    const s = this.#scratchOf(mt ? 3 * bytes : 2 * bytes); // out, x[, mt]
    const xPtr = s + bytes;
    this.#refresh();
    const i32 = this.#i32;
    i32.set(n === x.length ? x : x.subarray(0, n), xPtr >>> 2);
    if (mt) i32.set(n === mt.length ? mt : mt.subarray(0, n), (xPtr + bytes) >>> 2);
    this.#exports.requantI32(xPtr, n, p.m, mt ? xPtr + bytes : 0, p.shift, p.lo, p.hi, s);
    this.#copyOut(s, out);
  }

  muldiv(a: Int32Array, b: Int32Array | null, g: Int8Array | null, p: MuldivParams, out: Int32Array): void {
    const n = checkMuldivArgs(a, b, g, p, out);
    const bytes = align16(n * 4);
    const bBytes = b ? align16(b.length * 4) : 0;
    const s = this.#scratchOf(2 * bytes + bBytes + (g ? g.length : 0)); // out, a[, b][, g]
    const aPtr = s + bytes;
    const bPtr = aPtr + bytes;
    const gPtr = bPtr + bBytes;
    this.#refresh();
    this.#i32.set(n === a.length ? a : a.subarray(0, n), aPtr >>> 2);
    if (b) this.#i32.set(b, bPtr >>> 2);
    if (g) this.#i8.set(g, gPtr);
    this.#exports.muldivI32(aPtr, n, gPtr, g ? g.length : 0, p.m, bPtr, b ? b.length : 0, p.bdiv, p.d, p.lo, p.hi, s);
    this.#copyOut(s, out);
  }

  /** Copies out.length int32 from byte offset s of the memory into out. */
  #copyOut(s: number, out: Int32Array): void {
    this.#refresh();
    out.set(this.#i32.subarray(s >>> 2, (s >>> 2) + out.length));
  }
}

function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

let shared: Promise<Kernels> | null = null;

/**
 * The wasm SIMD kernels. Instantiated once per process; every call returns the
 * same instance (matrix handles belong to it). Use `createWasmKernels()` for a
 * separate memory.
 */
export function loadWasmKernels(): Promise<Kernels> {
  shared ??= createWasmKernels();
  return shared;
}

/** A fresh instance with its own linear memory. */
export async function createWasmKernels(): Promise<Kernels> {
  const instance = await webAssembly.instantiate(await compileKernels(), {});
  return new WasmKernels(instance.exports as unknown as KernelExports);
}
