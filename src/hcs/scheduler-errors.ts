/**
 * Typed errors of the community server's scheduler (issue 13 §2.3; docs/serving.md §3).
 */
import { BaseError } from '../common/errors.ts';

/** Why candidate nodes were left out of a committee, counted per reason. */
export interface Exclusions {
  /** Not serving the model. */
  otherModel: number;
  /** Price per token above the query's limit. */
  tooExpensive: number;
  /** Banned after a failure or timeout, ban not yet over. */
  banned: number;
  /** At their in-flight limit. */
  busy: number;
  /** Already in the committee (kept members, or picked). */
  alreadyChosen: number;
  /** Same operator as a member already chosen. */
  sameOperator: number;
  /** Same /24 (IPv4) or /48 (IPv6) as a member already chosen. */
  sameSubnet: number;
}

/** Fewer eligible nodes than k, once every rule is applied: the query cannot get k independent answers now. */
export class NotEnoughNodesError extends BaseError<{ wanted: number; chosen: number; exclusions: Exclusions }> {
  constructor(wanted: number, chosen: number, exclusions: Exclusions) {
    super('HCS_NOT_ENOUGH_NODES', `wanted ${wanted} independent nodes, found ${chosen}`, { details: { wanted, chosen, exclusions } });
  }
}

/** The node table is at its bound: admission must refuse the node (or drop another first). */
export class SchedulerFullError extends BaseError<{ nodes: number; max: number }> {
  constructor(nodes: number, max: number) {
    super('HCS_SCHEDULER_FULL', `${nodes} nodes scheduled, the most is ${max}`, { details: { nodes, max } });
  }
}
