/**
 * The life of one query on a community server, as data (§2.2 verified inference, §2.2.4 fraud claims; issue 13 §2
 * and §3; DESIGN.md §4 "anything with phases is an explicit state machine").
 *
 *   accepted ──► dispatched ──► agreed ─────► settled
 *      │            │  ▲  │                    ▲
 *      │            │  └──┘ (share reassigned)  │
 *      │            └─────► disputed ──────────┘
 *      └──────────┴──────────┴────────► failed
 *
 * - accepted: signed query checked, sequence number given, written to the log; no node has it yet;
 * - dispatched: sent to its k nodes; receipts are appended as they come; a node that fails or times out has its share
 *   given to another (dispatched → dispatched);
 * - agreed: all k receipts name one output; the client can have it; fees are owed, to be paid in the next batch;
 * - disputed: two receipts conflict; a fraud claim is on chain and the game is played;
 * - settled: fees paid (agreed) or the game decided and the winning output recorded (disputed) — terminal;
 * - failed: given up, with a reason (no eligible nodes, deadline passed, unfinished at restart and not resumable,
 *   client without funds) — terminal. A disputed query fails only if the game cannot be decided (e.g. the chain
 *   refuses the claim); an agreed one never fails: its answer was given.
 */
export type QueryState = 'accepted' | 'dispatched' | 'agreed' | 'disputed' | 'settled' | 'failed';

export const QUERY_STATES: readonly QueryState[] = ['accepted', 'dispatched', 'agreed', 'disputed', 'settled', 'failed'];

/** Allowed next states of each state. Terminal states have none. */
export const QUERY_TRANSITIONS: Readonly<Record<QueryState, readonly QueryState[]>> = Object.freeze({
  accepted: ['dispatched', 'failed'],
  dispatched: ['dispatched', 'agreed', 'disputed', 'failed'],
  agreed: ['settled'],
  disputed: ['settled', 'failed'],
  settled: [],
  failed: [],
});

export function isQueryState(value: unknown): value is QueryState {
  return typeof value === 'string' && (QUERY_STATES as readonly string[]).includes(value);
}

export function isTerminal(state: QueryState): boolean {
  return QUERY_TRANSITIONS[state].length === 0;
}

export function canTransition(from: QueryState, to: QueryState): boolean {
  return QUERY_TRANSITIONS[from].includes(to);
}
