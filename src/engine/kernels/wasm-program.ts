/**
 * Whole-step programs on the wasm kernels (whitepaper §2.2.6; DESIGN.md §1.7;
 * docs/kernels.md "Whole-step programs"): the `ProgramSupport` of a wasm
 * kernels instance — offsets of its resident values and matrices for the
 * encoder (step-program.ts), programs copied into its memory and run by
 * `runProgram` / `runGenerate` (assembly/kernels.ts), and the in-wasm keccak
 * and prng that the one-call path uses.
 */
import { KernelShapeError, checkDimension } from './errors.ts';
import { PROGRAM_HEADER_WORDS, PROGRAM_MAGIC, PROGRAM_RECORD_WORDS } from './step-program.ts';
import type { ProgramSupport, StepProgram } from './kernels.ts';
import { align16 } from './wasm-kernel-memory.ts';
import type { WasmKernelMemory } from './wasm-kernel-memory.ts';
import { liveMatrixOffset } from './wasm-matrix.ts';
import type { KernelExports } from './wasm-module.ts';

/** A whole-step program in one heap block: the words, then the int8 scratch. */
export class WasmProgram implements StepProgram {
  readonly owner: WasmKernelMemory;
  readonly length: number;
  #ptr: number;
  readonly #run: KernelExports['runProgram'];
  readonly #generate: KernelExports['runGenerate'];

  constructor(owner: WasmKernelMemory, words: Int32Array, scratchBytes: number, run: KernelExports['runProgram'], generate: KernelExports['runGenerate']) {
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

/** The ProgramSupport of the wasm kernels instance whose memory is `memory` and module exports are `exports`. */
export function createWasmProgramSupport(memory: WasmKernelMemory, exports: KernelExports): ProgramSupport {
  return {
    offsetOf: (view) => {
      memory.refresh();
      const at = memory.at(view);
      if (at < 0) throw new KernelShapeError({ kernel: 'programs', argument: 'view', expected: 'a view of this instance\'s ResidentVectors', actual: view.constructor.name });
      // A view detached by a memory grow (not yet refreshed) reports byteOffset 0: refuse it (construction only).
      if (view.buffer !== memory.heapI8().buffer) throw new KernelShapeError({ kernel: 'programs', argument: 'view', expected: 'a view of the current memory (call refresh() after a grow)', actual: 'a detached view' });
      return at;
    },
    matrixOffset: (m) => liveMatrixOffset(m, memory),
    keccakAt: (offset, length) => {
      checkDimension('keccakAt', 'range', offset + length, 0, memory.heapI8().length);
      const out = memory.scratchOf(32); // reserved by createVectors: no growth
      exports.keccak256(offset, length, out);
      return new Uint8Array(memory.heapI8().buffer, out, 32).slice();
    },
    prng: (seed, t) => {
      const [hi, lo] = seedHalves(seed);
      return exports.prngI32(hi, lo, t);
    },
    createProgram: (words, scratchBytes) => {
      if (words.length < PROGRAM_HEADER_WORDS || words[0] !== PROGRAM_MAGIC || words.length !== PROGRAM_HEADER_WORDS + PROGRAM_RECORD_WORDS * (words[1]! + words[2]!)) {
        throw new KernelShapeError({ kernel: 'createProgram', argument: 'words', expected: 'an encodeProgram() result', actual: `length ${words.length}` });
      }
      checkDimension('createProgram', 'scratchBytes', scratchBytes, 0, 2 ** 31);
      return new WasmProgram(memory, words, align16(scratchBytes) + 16, exports.runProgram, exports.runGenerate);
    },
  };
}
