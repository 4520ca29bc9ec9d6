/**
 * The few WebAssembly JS-API types the kernels use. The project's tsconfig has
 * no DOM lib and @types/node does not declare the `WebAssembly` namespace, so
 * we type the global ourselves (structurally; nothing is polyfilled).
 */

/** A wasm linear memory (64 KiB pages). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `pages`; returns the old size in pages; throws RangeError past the maximum. */
  grow(pages: number): number;
}

export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WebAssemblyApi {
  compile(bytes: Uint8Array<ArrayBuffer>): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, unknown>): Promise<WasmInstance>;
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
}

/** The global `WebAssembly` object, typed. */
export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
