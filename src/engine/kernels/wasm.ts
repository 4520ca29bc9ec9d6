/**
 * WebAssembly SIMD kernels (whitepaper §2.2.6; DESIGN.md §1.7): the
 * AssemblyScript module of assembly/kernels.ts behind the `Kernels` interface,
 * bit-identical to `referenceKernels` (docs/kernels.md gives the argument;
 * wasm.test.ts checks it). The entry points; the parts are:
 *
 * - wasm-module.ts: the embedded module, compiled once, and its exports' types;
 * - wasm-kernel-memory.ts: an instance's memory seen from JavaScript (heap,
 *   views re-made after growth, resident views, the copy-in/out scratch);
 * - wasm-kernels.ts: `WasmKernels`, the per-kernel wrappers;
 * - wasm-matrix.ts, wasm-vectors.ts, wasm-program.ts: resident matrices,
 *   ResidentVectors and whole-step programs in that memory;
 * - wasm-heap.ts (the allocator) and wasm-api.ts (the WebAssembly JS-API types).
 */
import type { Kernels } from './kernels.ts';
import { WasmKernels } from './wasm-kernels.ts';
import { instantiateKernelModule } from './wasm-module.ts';

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
  return new WasmKernels(await instantiateKernelModule());
}
