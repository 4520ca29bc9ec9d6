/**
 * A run's input, checked at the boundary (whitepaper §2.2.5; engine.md §5.1): a prompt of 1 ≤ P ≤ contextLength
 * tokens in the vocabulary (generate) or one int8 per element of the vector node (classify), maxTokens ≥ 1 and a
 * sampling seed in [0, 2^64) or none (greedy). The runner and the dispute code normalise a query the same way.
 */
import type { LoadedModel } from './model-file.ts';
import type { RunQuery } from './ops/op.ts';
import { RunInputError } from './run-errors.ts';

export interface RunInput {
  /** Prompt token ids (generate), 1 ≤ length ≤ contextLength. */
  prompt?: ArrayLike<number>;
  /** Input vector (classify), int8, one entry per element of the vector node. */
  vector?: ArrayLike<number>;
  /** Most tokens to generate (generate), ≥ 1. */
  maxTokens?: number;
  /** Sampling seed in [0, 2^64); null or absent = greedy. */
  seed?: bigint | number | null;
}

/** Normalises and checks a query against the model. */
export function prepareQuery(model: LoadedModel, input: RunInput): { query: RunQuery; maxTokens: number } {
  const { meta } = model;
  let seed: bigint | null = null;
  if (input.seed !== undefined && input.seed !== null) {
    if (typeof input.seed === 'number' && !Number.isSafeInteger(input.seed)) throw new RunInputError('seed must be an integer');
    seed = BigInt(input.seed);
    if (seed < 0n || seed >= 1n << 64n) throw new RunInputError('seed must be in [0, 2^64)');
  }
  if (meta.task === 'classify') {
    const vecNode = model.nodes.find((n) => n.op === 'vector');
    const want = vecNode?.size ?? 0;
    const v = input.vector ?? [];
    if (v.length !== want) throw new RunInputError(`input vector needs ${want} values, got ${v.length}`);
    const vector = new Int8Array(want);
    for (let i = 0; i < want; i++) {
      const x = v[i]!;
      if (!Number.isInteger(x) || x < -128 || x > 127) throw new RunInputError(`input value ${i} = ${x} is not an int8`);
      vector[i] = x;
    }
    return { query: { prompt: new Int32Array(0), vector, seed }, maxTokens: 1 };
  }
  const p = input.prompt ?? [];
  if (p.length < 1) throw new RunInputError('the prompt is empty');
  if (p.length > meta.contextLength) throw new RunInputError(`prompt of ${p.length} tokens exceeds the context length ${meta.contextLength}`);
  const prompt = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const x = p[i]!;
    if (!Number.isInteger(x) || x < 0 || x >= meta.vocabSize) throw new RunInputError(`prompt token ${i} = ${x} is not in [0, ${meta.vocabSize})`);
    prompt[i] = x;
  }
  const maxTokens = input.maxTokens ?? meta.contextLength - p.length + 1;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RunInputError('maxTokens must be an integer ≥ 1');
  return { query: { prompt, vector: new Int8Array(0), seed }, maxTokens };
}
