/**
 * Resident int8 matrices of the wasm kernels (whitepaper §2.2.6; DESIGN.md
 * §1.7): a weight matrix or KV cache (rows, cols), row-major, in one heap
 * block of its instance's memory, so a kernel call copies only its vectors.
 * A handle belongs to the instance that made it (`liveMatrixOffset` checks).
 */
import { KernelShapeError, checkDimension } from './errors.ts';
import { checkWriteRows } from './kernels.ts';
import type { Int8MatrixHandle } from './kernels.ts';
import type { WasmKernelMemory } from './wasm-kernel-memory.ts';

export class WasmMatrix implements Int8MatrixHandle {
  readonly rows: number;
  readonly cols: number;
  readonly owner: WasmKernelMemory;
  ptr: number; // byte offset in the wasm memory; -1 once freed
  constructor(owner: WasmKernelMemory, rows: number, cols: number, ptr: number) {
    this.owner = owner;
    this.rows = rows;
    this.cols = cols;
    this.ptr = ptr;
  }
  writeRows(row: number, data: Int8Array): void {
    const ptr = liveMatrixOffset(this, this.owner);
    checkWriteRows(this, row, data);
    this.owner.heapI8().set(data, ptr + row * this.cols);
  }
  readRows(row: number, count: number): Int8Array {
    const ptr = liveMatrixOffset(this, this.owner);
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

/** The handle's byte offset in `memory`; throws unless it is a live handle made on that memory. */
export function liveMatrixOffset(m: Int8MatrixHandle, memory: WasmKernelMemory): number {
  if (!(m instanceof WasmMatrix) || m.owner !== memory) {
    throw new KernelShapeError({ kernel: 'wasm-simd', argument: 'matrix', expected: 'a handle made by this Kernels instance', actual: m.constructor.name });
  }
  if (m.ptr < 0) throw new KernelShapeError({ kernel: 'wasm-simd', argument: 'matrix', expected: 'a live handle', actual: 'a freed handle' });
  return m.ptr;
}
