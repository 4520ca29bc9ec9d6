/**
 * One wasm kernels instance's linear memory as JavaScript sees it (whitepaper
 * §2.2.6; DESIGN.md §1.7; docs/kernels.md "Element-wise kernels and resident
 * node values"): the heap that places blocks in it, typed-array views of the
 * whole memory re-made after it grows, the set of live ResidentVectors views
 * (which kernels work on in place), and the scratch block through which other
 * arrays are copied in and results out.
 *
 * The module has no allocator, so only the WasmHeap grows the memory and a
 * kernel call never does: views made after `refresh()` stay valid across a
 * kernel call.
 */
import { WasmHeap } from './wasm-heap.ts';
import type { WasmMemory } from './wasm-api.ts';

/** `bytes` rounded up to a multiple of 16 (v128 alignment). */
export function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

export class WasmKernelMemory {
  readonly heap: WasmHeap;
  readonly #memory: WasmMemory;
  #buffer: ArrayBuffer | null = null;
  #generation = -1;
  /** The live views of this instance's ResidentVectors (a WeakSet lookup is cheaper than reading view.buffer). */
  readonly resident = new WeakSet<Int32Array | Int8Array>();
  /** Int8 / int32 views of the whole memory: current only after refresh(). */
  i8 = new Int8Array(0);
  i32 = new Int32Array(0);
  #scratch = -1; // offset of the scratch block (vector in, result out)
  #scratchBytes = 0;

  /** `heapBase`: the first byte the module leaves free (its static data ends there). */
  constructor(memory: WasmMemory, heapBase: number) {
    this.#memory = memory;
    this.heap = new WasmHeap(memory, heapBase);
  }

  /** Int8 view of the whole memory (refreshed after the memory grows). */
  heapI8(): Int8Array {
    this.refresh();
    return this.i8;
  }

  /** Re-makes `i8` / `i32` if the memory grew since they were made. */
  refresh(): void {
    // Only the heap grows the memory (the module has no allocator): comparing its generation is cheaper than
    // reading memory.buffer (≈ 15 ns per read here).
    if (this.heap.generation === this.#generation && this.#buffer !== null) return;
    this.#generation = this.heap.generation;
    const buffer = this.#memory.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.i8 = new Int8Array(buffer);
      this.i32 = new Int32Array(buffer);
    }
  }

  /** A scratch block of at least `bytes`, 16-byte aligned (may grow the memory: call refresh() after). */
  scratchOf(bytes: number): number {
    if (bytes > this.#scratchBytes || this.#scratch < 0) {
      if (this.#scratch >= 0) this.heap.free(this.#scratch);
      this.#scratchBytes = Math.max(bytes, 2 * this.#scratchBytes, 4096);
      this.#scratch = this.heap.alloc(this.#scratchBytes);
    }
    return this.#scratch;
  }

  /** Byte offset of `a` in the memory if it is a view of it (ResidentVectors), else −1. Call refresh() first. */
  at(a: Int32Array | Int8Array): number {
    return this.resident.has(a) ? a.byteOffset : -1;
  }

  /** Offset of the first n int32 of `a`: in place if resident, else copied to `slot`. */
  in32(a: Int32Array, n: number, slot: number): number {
    const at = this.at(a);
    if (at >= 0) return at;
    this.i32.set(n === a.length ? a : a.subarray(0, n), slot >>> 2);
    return slot;
  }

  /** Where a kernel writes `out`: in place if resident, else `slot` (then finish() copies it out). */
  out32(out: Int32Array, slot: number): number {
    const at = this.at(out);
    return at >= 0 ? at : slot;
  }

  /** Copies the result from `ptr` into `out` unless the kernel wrote it in place (refresh() was called before the
   *  kernel; a kernel call never grows the memory: the module has no allocator). */
  finish(ptr: number, out: Int32Array): void {
    if (this.at(out) === ptr) return;
    out.set(this.i32.subarray(ptr >>> 2, (ptr >>> 2) + out.length));
  }
}
