/**
 * Loading the kernels' WebAssembly module (whitepaper §2.2.6; DESIGN.md §1.7):
 * the AssemblyScript build of assembly/kernels.ts, embedded as base64 in
 * kernels-wasm.generated.ts (scripts/build-wasm.ts writes it), compiled once per process
 * and instantiated once per `createWasmKernels()` (each instance has its own
 * linear memory). `KernelExports` types what the module exports: every offset
 * argument is a byte offset in that memory.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm.generated.ts';
import { webAssembly } from './wasm-api.ts';
import type { WasmMemory, WasmModule } from './wasm-api.ts';

export interface KernelExports {
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

/** A fresh instance of the kernels module (its own linear memory); the module itself is compiled once. */
export async function instantiateKernelModule(): Promise<KernelExports> {
  const instance = await webAssembly.instantiate(await compileKernels(), {});
  return instance.exports as unknown as KernelExports;
}
