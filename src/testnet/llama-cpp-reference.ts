/**
 * llama.cpp as the reference implementation (tests and bench only; DESIGN.md §2 "references"): node-llama-cpp's
 * prebuilt CPU binary loads a GGUF file and gives, for a token sequence, the next-token probabilities at every
 * position (teacher forcing), its tokenizer's ids, and generation. Never imported by production code.
 */
import { getLlama, type Llama, type LlamaModel, type Token } from 'node-llama-cpp';

export interface LlamaCppReference {
  model: LlamaModel;
  /** Next-token probabilities after each prefix tokens[0..i] (softmax of the logits; no sampling filters). */
  probabilities(tokens: number[], threads?: number): Promise<Map<number, number>[]>;
  tokenize(text: string): number[];
  dispose(): Promise<void>;
}

let shared: Promise<Llama> | undefined;

/** One llama.cpp runtime per process (loading the binary takes ~1 s). CPU only, never builds from source. */
export function llamaCpp(): Promise<Llama> {
  shared ??= getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, progressLogs: false } as unknown as Parameters<typeof getLlama>[0]);
  return shared;
}

export async function loadLlamaCpp(modelPath: string, contextSize = 64): Promise<LlamaCppReference> {
  const llama = await llamaCpp();
  const model = await llama.loadModel({ modelPath });
  return {
    model,
    async probabilities(tokens, threads = 1) {
      const ctx = await model.createContext({ contextSize, threads, sequences: 1 });
      try {
        const seq = ctx.getSequence();
        const out = await seq.controlledEvaluate(tokens.map((t) => [t as Token, { generateNext: { probabilities: true } }]));
        return out.map((o, i) => {
          const p = o?.next?.probabilities;
          if (p === undefined) throw new Error(`llama.cpp gave no probabilities at position ${i}`);
          return p as Map<number, number>;
        });
      } finally {
        await ctx.dispose();
      }
    },
    tokenize(text) {
      return model.tokenize(text, false) as number[];
    },
    async dispose() {
      await model.dispose();
    },
  };
}

/** Softmax of float logits (float64), for comparing with llama.cpp's probabilities. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]!);
  const p = new Float64Array(logits.length);
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += p[i] = Math.exp(logits[i]! - m);
  for (let i = 0; i < p.length; i++) p[i]! /= s;
  return p;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}
