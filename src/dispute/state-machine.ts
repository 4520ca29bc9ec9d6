/**
 * The dispute game as a pure state machine (whitepaper §2.2.4–2.2.5; DESIGN.md §1.6, §4 "an explicit state
 * machine: a string-union state and a transition table written as data", after Arbitrum BoLD). It mirrors the
 * phases of contracts/DisputeGame.sol: the chain is the source of truth, this table is how an agent or a watcher
 * follows it from the contract's events and decides whose move it is. docs/dispute.md §2 draws it.
 */
import { BaseError } from '../common/errors.ts';

export type DisputeState =
  | 'trace-post' // A posts the children of its disputed trace node
  | 'trace-respond' // B re-sends A's children with its own; the contract descends to the first difference
  | 'trace-step' // one trace element isolated: either party replays it (element-wise) or A opens its links
  | 'links-b' // A posted its partial-sums root; B posts its own
  | 'sums-post' // bisection over the partial sums, A's move
  | 'sums-respond' // B's move
  | 'sums-step' // one partial sum isolated: either party replays the link
  | 'decided' // the outcome is known (one step, padding or timeout); anyone settles it (no deadline)
  | 'done';

/** Contract events (names as in DisputeGame.sol). */
export type DisputeEvent =
  | 'DisputeOpened'
  | 'ChildrenPosted'
  | 'Bisected'
  | 'ElementIsolated'
  | 'SumsRootPosted'
  | 'SumIsolated'
  | 'StepReplayed'
  | 'TimedOut'
  | 'Decided'
  | 'Resolved';

export type Party = 'A' | 'B';

export interface Transition {
  from: DisputeState | 'none';
  event: DisputeEvent;
  to: DisputeState;
}

/** Every legal transition. Events not listed for a state are protocol violations (a watcher flags them). */
export const TRANSITIONS: readonly Transition[] = [
  { from: 'none', event: 'DisputeOpened', to: 'trace-post' },
  { from: 'trace-post', event: 'ChildrenPosted', to: 'trace-respond' },
  { from: 'trace-respond', event: 'Bisected', to: 'trace-post' },
  { from: 'trace-post', event: 'ElementIsolated', to: 'trace-step' }, // Bisected reached level 0 (or depth 0 at open)
  { from: 'trace-step', event: 'SumsRootPosted', to: 'links-b' },
  { from: 'links-b', event: 'SumsRootPosted', to: 'sums-post' },
  { from: 'sums-post', event: 'ChildrenPosted', to: 'sums-respond' },
  { from: 'sums-respond', event: 'Bisected', to: 'sums-post' },
  { from: 'sums-post', event: 'SumIsolated', to: 'sums-step' },
  { from: 'trace-step', event: 'StepReplayed', to: 'trace-step' },
  { from: 'sums-step', event: 'StepReplayed', to: 'sums-step' },
  ...(['trace-post', 'trace-respond', 'trace-step', 'links-b', 'sums-post', 'sums-respond', 'sums-step'] as const).flatMap((from) => [
    { from, event: 'TimedOut' as const, to: from },
    { from, event: 'Decided' as const, to: 'decided' as const },
  ]),
  { from: 'decided', event: 'Resolved', to: 'done' },
];

/** Who must move in each state; 'either' = both may, and A loses the timeout (it had the first chance). */
export const MOVER: Readonly<Record<DisputeState, Party | 'either' | null>> = {
  'trace-post': 'A',
  'trace-respond': 'B',
  'trace-step': 'either',
  'links-b': 'B',
  'sums-post': 'A',
  'sums-respond': 'B',
  'sums-step': 'either',
  decided: 'either',
  done: null,
};

/** Who loses if the deadline passes in each state (the contract's `turn`). */
export const LATE_LOSER: Readonly<Record<DisputeState, Party | null>> = {
  'trace-post': 'A',
  'trace-respond': 'B',
  'trace-step': 'A',
  'links-b': 'B',
  'sums-post': 'A',
  'sums-respond': 'B',
  'sums-step': 'A',
  decided: null,
  done: null,
};

export class IllegalTransitionError extends BaseError<{ from: string; event: string }> {
  constructor(from: string, event: string) {
    super('DISPUTE_ILLEGAL_TRANSITION', `dispute: event ${event} is not allowed in state ${from}`, { details: { from, event } });
  }
}

export function transition(from: DisputeState | 'none', event: DisputeEvent): DisputeState {
  const t = TRANSITIONS.find((x) => x.from === from && x.event === event);
  if (!t) throw new IllegalTransitionError(from, event);
  return t.to;
}

/** Replays a sequence of events from the start. */
export function replay(events: readonly DisputeEvent[]): DisputeState {
  let s: DisputeState | 'none' = 'none';
  for (const e of events) s = transition(s, e);
  if (s === 'none') throw new IllegalTransitionError('none', '(no events)');
  return s;
}

/** Contract Phase enum (DisputeGame.Phase) and turn → state: how an agent recovers its position after a restart. */
export const PHASES = ['none', 'trace', 'trace-step', 'links-a', 'links-b', 'sums', 'sums-step', 'decided', 'done'] as const;

export function stateFromChain(phase: number, turn: number): DisputeState | 'none' {
  switch (PHASES[phase]) {
    case 'trace':
      return turn === 0 ? 'trace-post' : 'trace-respond';
    case 'trace-step':
    case 'links-a': // transient inside postSumsRoot; never observed between transactions
      return 'trace-step';
    case 'links-b':
      return 'links-b';
    case 'sums':
      return turn === 0 ? 'sums-post' : 'sums-respond';
    case 'sums-step':
      return 'sums-step';
    case 'decided':
      return 'decided';
    case 'done':
      return 'done';
    default:
      return 'none';
  }
}
