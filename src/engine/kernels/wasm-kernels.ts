/**
 * WasmKernels: the `Kernels` interface over one instance of the AssemblyScript
 * SIMD module of assembly/kernels.ts (whitepaper §2.2.6; DESIGN.md §1.7),
 * bit-identical to `referenceKernels` (docs/kernels.md gives the argument;
 * wasm.test.ts, attention.test.ts and elementwise.test.ts check it).
 *
 * Each method checks its arguments as the reference does, then places its
 * operands in the wasm memory (wasm-kernel-memory.ts): resident matrices and
 * ResidentVectors are used in place; other arrays are copied into a scratch
 * block reused across calls, and the result copied out. So `matvec` on a
 * prepared matrix copies only x (cols bytes) in and the result (rows int32) out.
 */
import { checkLength } from './errors.ts';
import { checkMatvecArgs } from './matvec.ts';
import { checkHeads, checkWeightedSumArgs } from './attention.ts';
import { checkMuldivArgs, checkRequantArgs } from './elementwise.ts';
import type { MuldivParams, RequantParams } from './elementwise.ts';
import { checkMatrixShape, checkRowCount, checkVectorLengths } from './kernels.ts';
import type { Int8MatrixHandle, Kernels, ProgramSupport, ResidentVectors } from './kernels.ts';
import { WasmKernelMemory, align16 } from './wasm-kernel-memory.ts';
import { WasmMatrix, liveMatrixOffset } from './wasm-matrix.ts';
import type { KernelExports } from './wasm-module.ts';
import { createWasmProgramSupport } from './wasm-program.ts';
import { WasmVectors } from './wasm-vectors.ts';

export class WasmKernels implements Kernels {
  readonly name = 'wasm-simd';
  readonly #exports: KernelExports;
  readonly #mem: WasmKernelMemory;
  readonly programs: ProgramSupport;

  /** `exports`: a fresh instance of the module (instantiateKernelModule), used by this object alone. */
  constructor(exports: KernelExports) {
    this.#exports = exports;
    this.#mem = new WasmKernelMemory(exports.memory, exports.heapBase());
    this.programs = createWasmProgramSupport(this.#mem, exports);
  }

  /** Runs matvecI8 on a resident matrix: x in, out back. */
  #matvecAt(ptr: number, rows: number, cols: number, x: Int8Array, out: Int32Array): void {
    const mem = this.#mem;
    const outBytes = rows * 4;
    const s = mem.scratchOf(outBytes + cols);
    const xPtr = s + outBytes; // out first: it stays 16-byte aligned
    mem.refresh();
    mem.i8.set(x, xPtr);
    this.#exports.matvecI8(ptr, rows, cols, xPtr, s);
    mem.refresh();
    out.set(mem.i32.subarray(s >>> 2, (s >>> 2) + rows));
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
    this.#mem.heapI8().set(w, m.ptr);
    return m;
  }

  createMatrix(rows: number, cols: number, zero = true): WasmMatrix {
    checkMatrixShape('createMatrix', rows, cols);
    const ptr = this.#mem.heap.alloc(rows * cols);
    if (zero) this.#mem.heapI8().fill(0, ptr, ptr + rows * cols);
    return new WasmMatrix(this.#mem, rows, cols, ptr);
  }

  matvec(m: Int8MatrixHandle, x: Int8Array, out: Int32Array): void {
    const ptr = liveMatrixOffset(m, this.#mem);
    checkMatvecArgs('matvec', null, m.rows, m.cols, x, out);
    this.#matvecAt(ptr, m.rows, m.cols, x, out);
  }

  dotInt8Rows(k: Int8MatrixHandle, n: number, q: Int8Array, scores: Int32Array): void {
    const ptr = liveMatrixOffset(k, this.#mem);
    checkRowCount('dotInt8Rows', k, n);
    checkMatvecArgs('dotInt8Rows', null, n, k.cols, q, scores);
    this.#matvecAt(ptr, n, k.cols, q, scores);
  }

  weightedSumInt8Cols(v: Int8MatrixHandle, n: number, p: Int32Array, out: Int32Array): void {
    const mem = this.#mem;
    const ptr = liveMatrixOffset(v, mem);
    checkRowCount('weightedSumInt8Cols', v, n);
    const d = v.cols;
    checkWeightedSumArgs(n, d, p, out);
    const outBytes = d * 4;
    const s = mem.scratchOf(outBytes + n * 4);
    const pPtr = s + outBytes;
    mem.refresh();
    mem.i32.set(p, pPtr >>> 2);
    this.#exports.weightedSumI8(ptr, n, d, pPtr, s);
    mem.refresh();
    out.set(mem.i32.subarray(s >>> 2, (s >>> 2) + d));
  }

  attnScores(k: Int8MatrixHandle, n: number, heads: number, q: Int8Array, scores: Int32Array, fill: number): void {
    const mem = this.#mem;
    const ptr = liveMatrixOffset(k, mem);
    const stride = checkHeads('attnScores', k.rows, k.cols, n, heads, q, scores, 'scores');
    const outBytes = scores.length * 4;
    const s = mem.scratchOf(outBytes + q.length);
    const qPtr = s + outBytes;
    mem.refresh();
    mem.i8.set(q, qPtr);
    this.#exports.attnScoresI8(ptr, n, k.cols, heads, qPtr, s, stride, fill);
    mem.refresh();
    scores.set(mem.i32.subarray(s >>> 2, (s >>> 2) + scores.length));
  }

  attnMix(v: Int8MatrixHandle, n: number, heads: number, p: Int8Array, out: Int32Array): void {
    const mem = this.#mem;
    const ptr = liveMatrixOffset(v, mem);
    const stride = checkHeads('attnMix', v.rows, v.cols, n, heads, out, p, 'p');
    const outBytes = out.length * 4;
    const s = mem.scratchOf(outBytes + p.length);
    const pPtr = s + outBytes;
    mem.refresh();
    mem.i8.set(p, pPtr);
    this.#exports.attnMixI8(ptr, n, v.cols, heads, pPtr, stride, s);
    mem.refresh();
    out.set(mem.i32.subarray(s >>> 2, (s >>> 2) + out.length));
  }

  // The element-wise kernels and matvecI32 work in place on ResidentVectors; other arrays go through the scratch
  // (laid out as: out, then the inputs, each 16-byte aligned).

  requant(x: Int32Array, mt: Int32Array | null, p: RequantParams, out: Int32Array): void {
    const mem = this.#mem;
    const n = checkRequantArgs(x, mt, p, out);
    const bytes = align16(n * 4);
    const s = mem.scratchOf(3 * bytes); // out, x, mt
    mem.refresh();
    const xPtr = mem.in32(x, n, s + bytes);
    const mtPtr = mt ? mem.in32(mt, n, s + 2 * bytes) : 0;
    const outPtr = mem.out32(out, s);
    this.#exports.requantI32(xPtr, n, p.m, mtPtr, p.shift, p.lo, p.hi, outPtr);
    mem.finish(outPtr, out);
  }

  muldiv(a: Int32Array, b: Int32Array | null, g: Int8Array | null, p: MuldivParams, out: Int32Array): void {
    const mem = this.#mem;
    const n = checkMuldivArgs(a, b, g, p, out);
    const bytes = align16(n * 4);
    const bBytes = b ? align16(b.length * 4) : 0;
    const s = mem.scratchOf(2 * bytes + bBytes + (g ? g.length : 0)); // out, a, b, g
    mem.refresh();
    const aPtr = mem.in32(a, n, s + bytes);
    const bPtr = b ? mem.in32(b, b.length, s + 2 * bytes) : 0;
    let gPtr = 0;
    if (g) {
      gPtr = mem.at(g);
      if (gPtr < 0) {
        gPtr = s + 2 * bytes + bBytes;
        mem.i8.set(g, gPtr);
      }
    }
    const outPtr = mem.out32(out, s);
    this.#exports.muldivI32(aPtr, n, gPtr, g ? g.length : 0, p.m, bPtr, b ? b.length : 0, p.bdiv, p.d, p.lo, p.hi, outPtr);
    mem.finish(outPtr, out);
  }

  matvecI32(m: Int8MatrixHandle, x: Int32Array, bias: Int32Array | null, out: Int32Array): void {
    const mem = this.#mem;
    const ptr = liveMatrixOffset(m, mem);
    const { rows, cols } = m;
    checkLength('matvecI32', 'x', x, cols, 'cols');
    checkLength('matvecI32', 'out', out, rows, 'rows');
    if (bias !== null) checkLength('matvecI32', 'bias', bias, rows, 'rows');
    const outBytes = align16(rows * 4);
    const xBytes = align16(cols * 4);
    const s = mem.scratchOf(2 * outBytes + xBytes + cols); // out, bias, x, x8
    mem.refresh();
    const biasPtr = bias ? mem.in32(bias, rows, s + outBytes) : 0;
    const xPtr = mem.in32(x, cols, s + 2 * outBytes);
    const outPtr = mem.out32(out, s);
    this.#exports.matvecX32(ptr, rows, cols, xPtr, s + 2 * outBytes + xBytes, biasPtr, outPtr);
    mem.finish(outPtr, out);
  }

  createVectors(int32Lengths: readonly number[], int8Lengths: readonly number[]): ResidentVectors {
    checkVectorLengths(int32Lengths, int8Lengths);
    // Reserve the scratch the calls above need for vectors up to the largest length (the worst is
    // requant/muldiv: 3 int32 vectors plus an int8 one), so those calls never grow the memory.
    const most = Math.max(0, ...int32Lengths, ...int8Lengths);
    this.#mem.scratchOf(4 * align16(4 * most) + align16(most));
    return new WasmVectors(this.#mem, [...int32Lengths], [...int8Lengths]);
  }
}
