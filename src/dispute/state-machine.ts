/**
 * The dispute game as a pure state machine (whitepaper §2.2.4–2.2.5; DESIGN.md §1.6, §4 "an explicit state
 * machine: a string-union state and a transition table written as data", after Arbitrum BoLD). It mirrors the
 * phases of contracts/DisputeCore.sol (DisputeGame): the chain is the source of truth, this table is how an agent
 * or a watcher follows it from the contract's events and decides whose move it is. docs/dispute.md §2 draws it.
 */
import { BaseError } from '../common/errors.ts';

export type DisputeState =
  | 'trace-post' // A posts its children of its trace root (the opening move)
  | 'trace-a' // A proves the first differing child (difference proof) and posts its children of the new node
  | 'trace-b' // B does the same
  | 'trace-step' // one trace element isolated: either party replays it (element-wise) or A posts its sums root
  | 'trace-stop' // the element is past the shorter trace only: either party shows the stop rule (resolveStop)
  | 'trace-output' // both commit the same trace, the outputs differ: either party checks an output token (resolveOutput) or the stop rule
  | 'links-b' // A posted its partial-sums root (+ its children of it); B posts its own with its first sums move
  | 'sums-a' // sums bisection, A's difference-proof move
  | 'sums-b' // B's
  | 'sums-step' // one partial sum isolated: either party replays the link
  | 'decided' // the outcome is known (one step, padding or timeout); anyone settles it (no deadline)
  | 'done';

/** Contract events (names as in contracts/DisputeCore.sol). */
export type DisputeEvent =
  | 'DisputeOpened'
  | 'ChildrenPosted'
  | 'Bisected'
  | 'ElementIsolated'
  | 'SumsRootPosted'
  | 'LinksOpened'
  | 'SumIsolated'
  | 'StopDisputed'
  | 'StopChecked'
  | 'OutputDisputed'
  | 'OutputChecked'
  | 'OutputMarked'
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

/**
 * Every legal transition, event by event in the order the contract emits them. A move's Bisected keeps the state
 * (the same transaction then posts the mover's children, or isolates the element); events not listed for a state
 * are protocol violations (a watcher flags them).
 */
export const TRANSITIONS: readonly Transition[] = [
  { from: 'none', event: 'DisputeOpened', to: 'trace-post' },
  { from: 'none', event: 'ElementIsolated', to: 'trace-step' }, // a one-leaf trace isolates at opening
  { from: 'trace-post', event: 'ElementIsolated', to: 'trace-step' },
  { from: 'trace-post', event: 'ChildrenPosted', to: 'trace-b' },
  { from: 'trace-b', event: 'Bisected', to: 'trace-b' },
  { from: 'trace-b', event: 'ChildrenPosted', to: 'trace-a' },
  { from: 'trace-b', event: 'ElementIsolated', to: 'trace-step' },
  { from: 'trace-a', event: 'Bisected', to: 'trace-a' },
  { from: 'trace-a', event: 'ChildrenPosted', to: 'trace-b' },
  { from: 'trace-a', event: 'ElementIsolated', to: 'trace-step' },
  { from: 'trace-step', event: 'SumsRootPosted', to: 'links-b' },
  { from: 'trace-step', event: 'StopDisputed', to: 'trace-stop' }, // same transaction as ElementIsolated
  { from: 'trace-stop', event: 'StopChecked', to: 'trace-step' }, // stopped: Decided follows in the same transaction
  { from: 'trace-post', event: 'OutputDisputed', to: 'trace-output' }, // equal roots: same transaction as DisputeOpened
  { from: 'trace-output', event: 'OutputChecked', to: 'trace-output' }, // Decided follows in the same transaction
  { from: 'trace-output', event: 'StopChecked', to: 'trace-output' }, // outputs of different lengths; Decided follows
  { from: 'links-b', event: 'ChildrenPosted', to: 'links-b' }, // A's children of its sums root, same transaction
  { from: 'links-b', event: 'SumsRootPosted', to: 'sums-b' }, // B's root; its first sums move follows in the same transaction
  { from: 'sums-b', event: 'LinksOpened', to: 'sums-b' },
  { from: 'sums-b', event: 'Bisected', to: 'sums-b' },
  { from: 'sums-b', event: 'ChildrenPosted', to: 'sums-a' },
  { from: 'sums-b', event: 'SumIsolated', to: 'sums-step' },
  { from: 'sums-a', event: 'Bisected', to: 'sums-a' },
  { from: 'sums-a', event: 'ChildrenPosted', to: 'sums-b' },
  { from: 'sums-a', event: 'SumIsolated', to: 'sums-step' },
  { from: 'trace-step', event: 'StepReplayed', to: 'trace-step' },
  { from: 'sums-step', event: 'StepReplayed', to: 'sums-step' },
  ...(['trace-post', 'trace-a', 'trace-b', 'trace-step', 'trace-stop', 'trace-output', 'links-b', 'sums-a', 'sums-b', 'sums-step'] as const).flatMap((from) => [
    { from, event: 'TimedOut' as const, to: from },
    { from, event: 'Decided' as const, to: 'decided' as const },
    // markOutput (anyone, until settled): a party's output differs from its own trace; it is marked wrong, no move
    { from, event: 'OutputMarked' as const, to: from },
  ]),
  { from: 'decided', event: 'OutputMarked', to: 'decided' }, // clears the marked party's right bit before settle
  { from: 'decided', event: 'Resolved', to: 'done' },
];

/** Who must move in each state; 'either' = both may, and A loses the timeout (it had the first chance). */
export const MOVER: Readonly<Record<DisputeState, Party | 'either' | null>> = {
  'trace-post': 'A',
  'trace-a': 'A',
  'trace-b': 'B',
  'trace-step': 'either',
  'trace-stop': 'either',
  'trace-output': 'either',
  'links-b': 'B',
  'sums-a': 'A',
  'sums-b': 'B',
  'sums-step': 'either',
  decided: 'either',
  done: null,
};

export function moverOf(state: DisputeState): Party | 'either' | null {
  return MOVER[state];
}

/** Who loses if the deadline passes in each state (the contract's `turn`). */
export const LATE_LOSER: Readonly<Record<DisputeState, Party | null>> = {
  'trace-post': 'A',
  'trace-a': 'A',
  'trace-b': 'B',
  'trace-step': 'A',
  'trace-stop': 'A',
  'trace-output': 'A',
  'links-b': 'B',
  'sums-a': 'A',
  'sums-b': 'B',
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
export const PHASES = ['none', 'trace', 'trace-step', 'links-a', 'links-b', 'sums', 'sums-step', 'decided', 'done', 'stop', 'output'] as const;

export function stateFromChain(phase: number, turn: number, posted = true): DisputeState | 'none' {
  switch (PHASES[phase]) {
    case 'trace':
      if (!posted) return 'trace-post';
      return turn === 0 ? 'trace-a' : 'trace-b';
    case 'trace-step':
    case 'links-a': // unused by the contract (A's sums root moves TraceStep → LinksB directly)
      return 'trace-step';
    case 'links-b':
      return 'links-b';
    case 'sums':
      return turn === 0 ? 'sums-a' : 'sums-b';
    case 'sums-step':
      return 'sums-step';
    case 'stop':
      return 'trace-stop';
    case 'output':
      return 'trace-output';
    case 'decided':
      return 'decided';
    case 'done':
      return 'done';
    default:
      return 'none';
  }
}
