/**
 * ResidentVectors of the wasm kernels (whitepaper §2.2.6; DESIGN.md §1.7;
 * docs/kernels.md "Element-wise kernels and resident node values"): int32 and
 * int8 vectors in one heap block, as views of the wasm memory that the kernels
 * recognise (the memory's `resident` set) and work on in place. A memory grow
 * detaches the views; `refresh()` re-makes them when the heap's generation
 * changed.
 */
import { KernelShapeError } from './errors.ts';
import type { ResidentVectors } from './kernels.ts';
import { align16 } from './wasm-kernel-memory.ts';
import type { WasmKernelMemory } from './wasm-kernel-memory.ts';

/** ResidentVectors in one heap block: each vector 16-byte aligned with 16 bytes of slack after it. */
export class WasmVectors implements ResidentVectors {
  readonly owner: WasmKernelMemory;
  readonly #lengths32: readonly number[];
  readonly #lengths8: readonly number[];
  readonly #offsets32: number[] = [];
  readonly #offsets8: number[] = [];
  #ptr: number;
  #generation = -1; // heap generation the views were made at
  int32: Int32Array[] = [];
  int8: Int8Array[] = [];

  constructor(owner: WasmKernelMemory, lengths32: readonly number[], lengths8: readonly number[]) {
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
