/**
 * WasmHeap: a first-fit allocator over a WebAssembly memory, run from
 * JavaScript (the AssemblyScript kernels have no runtime of their own; see
 * assembly/kernels.ts). Whitepaper §2.2.6 (kernels); DESIGN.md §1.7.
 *
 * Blocks are 16-byte aligned and followed by at least 16 bytes of slack, so a
 * SIMD load at the end of a row stays inside the memory. Freed blocks are
 * coalesced with their neighbours. The memory grows when no free block fits.
 */
import { BaseError } from '../../common/errors.ts';
import type { WasmMemory } from './wasm-api.ts';

/** The wasm memory could not grow (4 GiB is the wasm32 ceiling). */
export class KernelMemoryError extends BaseError<{ requestedBytes: number; memoryBytes: number }> {
  constructor(requestedBytes: number, memoryBytes: number, cause?: unknown) {
    super('KERNEL_MEMORY', `cannot allocate ${requestedBytes} bytes in a wasm memory of ${memoryBytes} bytes`, {
      cause,
      details: { requestedBytes, memoryBytes },
    });
  }
}

const PAGE = 65536; // bytes per wasm page (wasm spec)
const ALIGN = 16; // bytes: v128 alignment
const SLACK = 16; // bytes after each block: the widest load past a row end is 8 bytes; 16 for safety

interface Block {
  start: number;
  size: number;
}

export class WasmHeap {
  readonly memory: WasmMemory;
  #free: Block[] = []; // sorted by start, non-adjacent
  #used = new Map<number, number>(); // start -> size

  constructor(memory: WasmMemory, base: number) {
    this.memory = memory;
    const start = Math.ceil(base / ALIGN) * ALIGN;
    const end = memory.buffer.byteLength;
    if (end > start) this.#free.push({ start, size: end - start });
    else this.#top = start;
  }

  #top = 0; // first byte past the managed area when nothing is free at the end
  #generation = 0;

  /** How many times the memory has grown (every grow detaches the views of the old buffer). */
  get generation(): number {
    return this.#generation;
  }

  /** Bytes currently allocated (including alignment and slack). */
  get usedBytes(): number {
    let n = 0;
    for (const size of this.#used.values()) n += size;
    return n;
  }

  /** Allocates `bytes` (≥ 0); returns the 16-byte-aligned offset. */
  alloc(bytes: number): number {
    const size = Math.ceil((bytes + SLACK) / ALIGN) * ALIGN;
    for (let i = 0; i < this.#free.length; i++) {
      const b = this.#free[i]!;
      if (b.size >= size) {
        const start = b.start;
        if (b.size === size) this.#free.splice(i, 1);
        else {
          b.start += size;
          b.size -= size;
        }
        this.#used.set(start, size);
        return start;
      }
    }
    this.#grow(size);
    return this.alloc(bytes);
  }

  /** Releases a block returned by alloc. */
  free(ptr: number): void {
    const size = this.#used.get(ptr);
    if (size === undefined) return;
    this.#used.delete(ptr);
    let i = 0;
    while (i < this.#free.length && this.#free[i]!.start < ptr) i++;
    this.#free.splice(i, 0, { start: ptr, size });
    // Coalesce with the next, then with the previous block.
    const cur = this.#free[i]!;
    const next = this.#free[i + 1];
    if (next !== undefined && cur.start + cur.size === next.start) {
      cur.size += next.size;
      this.#free.splice(i + 1, 1);
    }
    const prev = this.#free[i - 1];
    if (prev !== undefined && prev.start + prev.size === cur.start) {
      prev.size += cur.size;
      this.#free.splice(i, 1);
    }
  }

  #grow(size: number): void {
    const end = this.memory.buffer.byteLength;
    const last = this.#free[this.#free.length - 1];
    const tailFree = last !== undefined && last.start + last.size === end ? last.size : 0;
    const pages = Math.ceil((size - tailFree) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (cause) {
      throw new KernelMemoryError(size, end, cause);
    }
    this.#generation++;
    const added = pages * PAGE;
    if (tailFree > 0) last!.size += added;
    else {
      const start = Math.max(end, this.#top);
      this.#free.push({ start, size: end + added - start });
    }
  }
}
