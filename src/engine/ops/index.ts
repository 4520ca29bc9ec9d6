/**
 * The op table (engine.md §3): every op the engine knows, by name and by the code stored in a node record.
 * Codes are part of the model format and of the one-step verifier: never renumber, only add.
 */
import type { OpDef } from './op.ts';
import { SOURCE_OPS } from './sources.ts';
import { LINEAR_OPS } from './linear.ts';
import { ATTENTION_OPS } from './attention.ts';
import { REDUCE_OPS } from './reduce.ts';
import { ELEMENTWISE_OPS } from './elementwise.ts';
import { LLM_OPS } from './llm.ts';

export const OPS: readonly OpDef[] = [...SOURCE_OPS, ...LINEAR_OPS, ...ATTENTION_OPS, ...REDUCE_OPS, ...ELEMENTWISE_OPS, ...LLM_OPS];

export const OPS_BY_NAME: ReadonlyMap<string, OpDef> = new Map(OPS.map((o) => [o.name, o]));
export const OPS_BY_CODE: ReadonlyMap<number, OpDef> = new Map(OPS.map((o) => [o.code, o]));
