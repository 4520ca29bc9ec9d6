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
import { checkMatrixShape, checkRowCount, checkVectorLengths, checkWriteRows } from './kernels.ts';
import type { Int8MatrixHandle, Kernels, ResidentVectors } from './kernels.ts';
import { PROGRAM_HEADER_WORDS, PROGRAM_MAGIC, PROGRAM_RECORD_WORDS } from './step-program.ts';
import type { ProgramSupport, StepProgram } from './step-program.ts';
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
  matvecX32(w: number, rows: number, cols: number, x: number, x8: number, bias: number, out: number): void;
  runProgram(prog: number, first: number, end: number, t: number, maskLo: number, maskHi: number): void;
  runGenerate(prog: number, P: number, maxSteps: number, maxTokens: number, eos: number, outNode: number, tokens: number, seeded: number, seedHi: number, seedLo: number): number;
  keccak256(ptr: number, len: number, out: number): void;
  prngI32(seedHi: number, seedLo: number, t: number): number;
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

/** ResidentVectors in one heap block: each vector 16-byte aligned with 16 bytes of slack after it. */
class WasmVectors implements ResidentVectors {
  readonly owner: WasmKernels;
  readonly #lengths32: readonly number[];
  readonly #lengths8: readonly number[];
  readonly #offsets32: number[] = [];
  readonly #offsets8: number[] = [];
  #ptr: number;
  #generation = -1; // heap generation the views were made at
  int32: Int32Array[] = [];
  int8: Int8Array[] = [];

  constructor(owner: WasmKernels, lengths32: readonly number[], lengths8: readonly number[]) {
    this.owner = owner;
    this.#lengths32 = lengths32;
    this.#lengths8 = lengths8;
    let bytes = 0;
    for (const n of lengths32) {
      this.#offsets32.push(bytes);
      bytes += align16(4 * n) + 16;
    }
    for (const n of lengths8) {
      this.#offsets8.push(bytes);
      bytes += align16(n) + 16;
    }
    this.#ptr = owner.heap.alloc(bytes);
    owner.heapI8().fill(0, this.#ptr, this.#ptr + bytes);
    this.refresh();
  }

  refresh(): boolean {
    if (this.#ptr < 0) throw new KernelShapeError({ kernel: 'wasm-simd', argument: 'vectors', expected: 'live vectors', actual: 'freed vectors' });
    const generation = this.owner.heap.generation;
    if (generation === this.#generation) return false;
    const first = this.#generation < 0;
    this.#generation = generation;
    const buffer = this.owner.heapI8().buffer as ArrayBuffer;
    const resident = this.owner.resident;
    for (const v of this.int32) resident.delete(v);
    for (const v of this.int8) resident.delete(v);
    this.int32 = this.#lengths32.map((n, i) => new Int32Array(buffer, this.#ptr + this.#offsets32[i]!, n));
    this.int8 = this.#lengths8.map((n, i) => new Int8Array(buffer, this.#ptr + this.#offsets8[i]!, n));
    for (const v of this.int32) resident.add(v);
    for (const v of this.int8) resident.add(v);
    return !first;
  }

  free(): void {
    if (this.#ptr < 0) return;
    this.owner.heap.free(this.#ptr);
    this.#ptr = -1;
    for (const v of this.int32) this.owner.resident.delete(v);
    for (const v of this.int8) this.owner.resident.delete(v);
    this.int32 = [];
    this.int8 = [];
  }
}

/** A whole-step program in one heap block: the words, then the int8 scratch. */
class WasmProgram implements StepProgram {
  readonly owner: WasmKernels;
  readonly length: number;
  #ptr: number;
  readonly #run: KernelExports['runProgram'];
  readonly #generate: KernelExports['runGenerate'];

  constructor(owner: WasmKernels, words: Int32Array, scratchBytes: number, run: KernelExports['runProgram'], generate: KernelExports['runGenerate']) {
    this.owner = owner;
    this.length = words[1]!;
    this.#run = run;
    this.#generate = generate;
    const bytes = align16(words.length * 4);
    this.#ptr = owner.heap.alloc(bytes + scratchBytes);
    const heap = owner.heapI8();
    new Int32Array(heap.buffer, this.#ptr, words.length).set(words);
    new Int32Array(heap.buffer, this.#ptr + 12, 1)[0] = this.#ptr + bytes; // header word 3: the scratch offset
  }

  run(first: number, end: number, t: number, maskLo: number, maskHi: number): void {
    // Hot path (once per step): the range check is the only guard; records were validated when encoded.
    if (this.#ptr < 0 || !(first >= 0 && first <= end && end <= this.length)) {
      throw new KernelShapeError({ kernel: 'runProgram', argument: 'range', expected: `a live program and 0 ≤ first ≤ end ≤ ${this.length}`, actual: `[${first}, ${end})${this.#ptr < 0 ? ' on a freed program' : ''}` });
    }
    this.#run(this.#ptr, first, end, t, maskLo, maskHi);
  }

  generate(P: number, maxSteps: number, maxTokens: number, eos: number, outNode: number, tokens: number, seed: bigint | null): number {
    if (this.#ptr < 0) throw new KernelShapeError({ kernel: 'runGenerate', argument: 'program', expected: 'a live program', actual: 'a freed program' });
    // The caller (the Runner) passes offsets of its own resident vectors and a prompt and seed it validated.
    const [hi, lo] = seed === null ? [0, 0] : seedHalves(seed);
    return this.#generate(this.#ptr, P, maxSteps, maxTokens, eos, outNode, tokens, seed === null ? 0 : 1, hi, lo);
  }

  free(): void {
    if (this.#ptr < 0) return;
    this.owner.heap.free(this.#ptr);
    this.#ptr = -1;
  }
}

/** A seed in [0, 2^64) as its high and low 32-bit halves (as int32 bit patterns). */
function seedHalves(seed: bigint): [number, number] {
  const s = BigInt.asUintN(64, seed);
  return [Number(BigInt.asIntN(32, s >> 32n)), Number(BigInt.asIntN(32, s))];
}

class WasmKernels implements Kernels {
  readonly name = 'wasm-simd';
  readonly heap: WasmHeap;
  readonly #exports: KernelExports;
  #buffer: ArrayBuffer | null = null;
  #generation = -1;
  /** The live views of this instance's ResidentVectors (a WeakSet lookup is cheaper than reading view.buffer). */
  readonly resident = new WeakSet<Int32Array | Int8Array>();
  #i8 = new Int8Array(0);
  #i32 = new Int32Array(0);
  #scratch = -1; // offset of the scratch block (vector in, result out)
  #scratchBytes = 0;

  readonly programs: ProgramSupport;

  constructor(exports: KernelExports) {
    this.#exports = exports;
    this.heap = new WasmHeap(exports.memory, exports.heapBase());
    this.programs = {
      offsetOf: (view) => {
        this.#refresh();
        const at = this.#at(view);
        if (at < 0) throw new KernelShapeError({ kernel: 'programs', argument: 'view', expected: 'a view of this instance\'s ResidentVectors', actual: view.constructor.name });
        // A view detached by a memory grow (not yet refreshed) reports byteOffset 0: refuse it (construction only).
        if (view.buffer !== this.heapI8().buffer) throw new KernelShapeError({ kernel: 'programs', argument: 'view', expected: 'a view of the current memory (call refresh() after a grow)', actual: 'a detached view' });
        return at;
      },
      matrixOffset: (m) => this.live(m),
      keccakAt: (offset, length) => {
        checkDimension('keccakAt', 'range', offset + length, 0, this.heapI8().length);
        const out = this.#scratchOf(32); // reserved by createVectors: no growth
        this.#exports.keccak256(offset, length, out);
        return new Uint8Array(this.heapI8().buffer, out, 32).slice();
      },
      prng: (seed, t) => {
        const [hi, lo] = seedHalves(seed);
        return this.#exports.prngI32(hi, lo, t);
      },
      createProgram: (words, scratchBytes) => {
        if (words.length < PROGRAM_HEADER_WORDS || words[0] !== PROGRAM_MAGIC || words.length !== PROGRAM_HEADER_WORDS + PROGRAM_RECORD_WORDS * (words[1]! + words[2]!)) {
          throw new KernelShapeError({ kernel: 'createProgram', argument: 'words', expected: 'an encodeProgram() result', actual: `length ${words.length}` });
        }
        checkDimension('createProgram', 'scratchBytes', scratchBytes, 0, 2 ** 31);
        return new WasmProgram(this, words, align16(scratchBytes) + 16, exports.runProgram, exports.runGenerate);
      },
    };
  }

  /** Int8 view of the whole memory (refreshed after the memory grows). */
  heapI8(): Int8Array {
    this.#refresh();
    return this.#i8;
  }

  #refresh(): void {
    // Only the heap grows the memory (the module has no allocator): comparing its generation is cheaper than
    // reading memory.buffer (≈ 15 ns per read here).
    if (this.heap.generation === this.#generation && this.#buffer !== null) return;
    this.#generation = this.heap.generation;
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

  /** Byte offset of `a` in the memory if it is a view of it (ResidentVectors), else −1. Call #refresh() first. */
  #at(a: Int32Array | Int8Array): number {
    return this.resident.has(a) ? a.byteOffset : -1;
  }

  /** Offset of the first n int32 of `a`: in place if resident, else copied to `slot`. */
  #in32(a: Int32Array, n: number, slot: number): number {
    const at = this.#at(a);
    if (at >= 0) return at;
    this.#i32.set(n === a.length ? a : a.subarray(0, n), slot >>> 2);
    return slot;
  }

  /** Where a kernel writes `out`: in place if resident, else `slot` (then #finish copies it out). */
  #out32(out: Int32Array, slot: number): number {
    const at = this.#at(out);
    return at >= 0 ? at : slot;
  }

  /** Copies the result from `ptr` into `out` unless the kernel wrote it in place (#refresh() was called before the
   *  kernel; a kernel call never grows the memory: the module has no allocator). */
  #finish(ptr: number, out: Int32Array): void {
    if (this.#at(out) === ptr) return;
    out.set(this.#i32.subarray(ptr >>> 2, (ptr >>> 2) + out.length));
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

  // The element-wise kernels and matvecI32 work in place on ResidentVectors; other arrays go through the scratch
  // (laid out as: out, then the inputs, each 16-byte aligned).

  requant(x: Int32Array, mt: Int32Array | null, p: RequantParams, out: Int32Array): void {
    const n = checkRequantArgs(x, mt, p, out);
    const bytes = align16(n * 4);
    const s = this.#scratchOf(3 * bytes); // out, x, mt
    this.#refresh();
    const xPtr = this.#in32(x, n, s + bytes);
    const mtPtr = mt ? this.#in32(mt, n, s + 2 * bytes) : 0;
    const outPtr = this.#out32(out, s);
    this.#exports.requantI32(xPtr, n, p.m, mtPtr, p.shift, p.lo, p.hi, outPtr);
    this.#finish(outPtr, out);
  }

  muldiv(a: Int32Array, b: Int32Array | null, g: Int8Array | null, p: MuldivParams, out: Int32Array): void {
    const n = checkMuldivArgs(a, b, g, p, out);
    const bytes = align16(n * 4);
    const bBytes = b ? align16(b.length * 4) : 0;
    const s = this.#scratchOf(2 * bytes + bBytes + (g ? g.length : 0)); // out, a, b, g
    this.#refresh();
    const aPtr = this.#in32(a, n, s + bytes);
    const bPtr = b ? this.#in32(b, b.length, s + 2 * bytes) : 0;
    let gPtr = 0;
    if (g) {
      gPtr = this.#at(g);
      if (gPtr < 0) {
        gPtr = s + 2 * bytes + bBytes;
        this.#i8.set(g, gPtr);
      }
    }
    const outPtr = this.#out32(out, s);
    this.#exports.muldivI32(aPtr, n, gPtr, g ? g.length : 0, p.m, bPtr, b ? b.length : 0, p.bdiv, p.d, p.lo, p.hi, outPtr);
    this.#finish(outPtr, out);
  }

  matvecI32(m: Int8MatrixHandle, x: Int32Array, bias: Int32Array | null, out: Int32Array): void {
    const ptr = this.live(m);
    const { rows, cols } = m;
    checkLength('matvecI32', 'x', x, cols, 'cols');
    checkLength('matvecI32', 'out', out, rows, 'rows');
    if (bias !== null) checkLength('matvecI32', 'bias', bias, rows, 'rows');
    const outBytes = align16(rows * 4);
    const xBytes = align16(cols * 4);
    const s = this.#scratchOf(2 * outBytes + xBytes + cols); // out, bias, x, x8
    this.#refresh();
    const biasPtr = bias ? this.#in32(bias, rows, s + outBytes) : 0;
    const xPtr = this.#in32(x, cols, s + 2 * outBytes);
    const outPtr = this.#out32(out, s);
    this.#exports.matvecX32(ptr, rows, cols, xPtr, s + 2 * outBytes + xBytes, biasPtr, outPtr);
    this.#finish(outPtr, out);
  }

  createVectors(int32Lengths: readonly number[], int8Lengths: readonly number[]): ResidentVectors {
    checkVectorLengths(int32Lengths, int8Lengths);
    // Reserve the scratch the calls above need for vectors up to the largest length (the worst is
    // requant/muldiv: 3 int32 vectors plus an int8 one), so those calls never grow the memory.
    const most = Math.max(0, ...int32Lengths, ...int8Lengths);
    this.#scratchOf(4 * align16(4 * most) + align16(most));
    return new WasmVectors(this, [...int32Lengths], [...int8Lengths]);
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
