/**
 * Float checkpoints of the training loop (DESIGN.md §1.7): JSON with the config and each tensor as base64 of
 * its little-endian float64 bytes, so a conversion to the integer engine can restart from a saved run without
 * retraining. Untrusted on load: shapes are checked against the config.
 */
import { InvalidArgumentError } from '../../common/errors.ts';
import { initTransformer, namedTensors, validateConfig, type TransformerConfig, type TransformerParams } from './float-transformer.ts';

export interface Checkpoint {
  config: TransformerConfig;
  params: TransformerParams;
  /** Free-form provenance: seed, steps, loss. */
  info: Record<string, string | number>;
}

export function encodeCheckpoint(ck: Checkpoint): string {
  const tensors: Record<string, string> = {};
  for (const [name, t] of namedTensors(ck.params)) tensors[name] = Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64');
  return JSON.stringify({ format: 'hyperspace-float-checkpoint/1', config: ck.config, info: ck.info, tensors });
}

export function decodeCheckpoint(text: string): Checkpoint {
  const j = JSON.parse(text) as { format?: unknown; config?: TransformerConfig; info?: Record<string, string | number>; tensors?: Record<string, string> };
  if (j.format !== 'hyperspace-float-checkpoint/1' || j.config === undefined || j.tensors === undefined) throw new InvalidArgumentError('checkpoint', 'not a float checkpoint');
  validateConfig(j.config);
  const params = initTransformer(j.config, 0);
  for (const [name, t] of namedTensors(params)) {
    const b64 = j.tensors[name];
    if (typeof b64 !== 'string') throw new InvalidArgumentError('checkpoint', `missing tensor ${name}`);
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.length !== t.byteLength) throw new InvalidArgumentError('checkpoint', `tensor ${name} has ${bytes.length} bytes, expected ${t.byteLength}`);
    t.set(new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  }
  return { config: j.config, params, info: j.info ?? {} };
}
