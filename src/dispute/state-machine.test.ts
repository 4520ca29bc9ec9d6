/**
 * The dispute state machine as data (state-machine.ts): the event sequences the contract emits replay to the
 * expected states, including the stop rule (StopDisputed, StopChecked) and the output check (OutputDisputed,
 * OutputChecked); events out of place are refused; chain phases map back to states (an agent's restart).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError, LATE_LOSER, moverOf, PHASES, replay, stateFromChain, transition, TRANSITIONS, type DisputeEvent } from './state-machine.ts';

describe('dispute state machine', () => {
  it('stop rule, stopped: ElementIsolated → StopDisputed (trace-stop) → StopChecked → Decided → Resolved', () => {
    const ev: DisputeEvent[] = ['DisputeOpened', 'ChildrenPosted', 'Bisected', 'ElementIsolated', 'StopDisputed'];
    assert.equal(replay(ev), 'trace-stop');
    assert.equal(replay([...ev, 'StopChecked']), 'trace-step');
    assert.equal(replay([...ev, 'StopChecked', 'Decided']), 'decided');
    assert.equal(replay([...ev, 'StopChecked', 'Decided', 'Resolved']), 'done');
  });

  it('stop rule, not stopped: StopChecked goes on in trace-step, where the element is replayed or its links opened', () => {
    const ev: DisputeEvent[] = ['DisputeOpened', 'ChildrenPosted', 'Bisected', 'ElementIsolated', 'StopDisputed', 'StopChecked'];
    assert.equal(replay([...ev, 'StepReplayed', 'Decided']), 'decided');
    assert.equal(replay([...ev, 'SumsRootPosted']), 'links-b');
    assert.equal(replay([...ev, 'TimedOut', 'Decided']), 'decided');
  });

  it('trace-stop: a timeout decides; a second StopChecked, a bisection or a sums root is illegal there', () => {
    const ev: DisputeEvent[] = ['DisputeOpened', 'ChildrenPosted', 'Bisected', 'ElementIsolated', 'StopDisputed'];
    assert.equal(replay([...ev, 'TimedOut', 'Decided']), 'decided');
    for (const bad of ['Bisected', 'SumsRootPosted', 'ChildrenPosted', 'StepReplayed', 'StopDisputed', 'OutputChecked'] as const) {
      assert.throws(() => replay([...ev, bad]), IllegalTransitionError, bad);
    }
    assert.throws(() => transition('trace-a', 'StopChecked'), IllegalTransitionError);
    assert.throws(() => transition('sums-step', 'StopDisputed'), IllegalTransitionError);
  });

  it('output check: DisputeOpened → OutputDisputed (trace-output) → OutputChecked or StopChecked → Decided', () => {
    assert.equal(replay(['DisputeOpened', 'OutputDisputed']), 'trace-output');
    assert.equal(replay(['DisputeOpened', 'OutputDisputed', 'OutputChecked', 'Decided', 'Resolved']), 'done');
    assert.equal(replay(['DisputeOpened', 'OutputDisputed', 'StopChecked', 'Decided']), 'decided');
    assert.equal(replay(['DisputeOpened', 'OutputDisputed', 'TimedOut', 'Decided']), 'decided');
    assert.throws(() => replay(['DisputeOpened', 'OutputDisputed', 'ChildrenPosted']), IllegalTransitionError);
    assert.throws(() => replay(['DisputeOpened', 'ChildrenPosted', 'OutputDisputed']), IllegalTransitionError);
  });

  it('who moves and who loses late in trace-stop and trace-output: either party, A late (it had the first chance)', () => {
    for (const s of ['trace-stop', 'trace-output'] as const) {
      assert.equal(moverOf(s), 'either');
      assert.equal(LATE_LOSER[s], 'A');
    }
  });

  it('chain phases map back to states (DisputeGame.Phase order: Stop = 9, Output = 10)', () => {
    assert.equal(PHASES[9], 'stop');
    assert.equal(PHASES[10], 'output');
    assert.equal(stateFromChain(9, 0), 'trace-stop');
    assert.equal(stateFromChain(10, 0), 'trace-output');
    assert.equal(stateFromChain(1, 0, false), 'trace-post');
    assert.equal(stateFromChain(11, 0), 'none');
  });

  it('every non-terminal state can time out and be decided; no transition leaves done', () => {
    const states = new Set(TRANSITIONS.map((t) => t.from).filter((s) => s !== 'none' && s !== 'decided'));
    for (const s of states) {
      assert.equal(transition(s, 'TimedOut'), s);
      assert.equal(transition(s, 'Decided'), 'decided');
    }
    assert.ok(!TRANSITIONS.some((t) => t.from === 'done'));
  });

  it('the output mark keeps the state in every phase until settled (Decided included), and is illegal after Resolved', () => {
    const states = new Set(TRANSITIONS.map((t) => t.from).filter((s) => s !== 'none' && s !== 'done'));
    for (const s of states) assert.equal(transition(s, 'OutputMarked'), s);
    assert.equal(replay(['DisputeOpened', 'ChildrenPosted', 'OutputMarked', 'Bisected', 'ElementIsolated', 'OutputMarked', 'StepReplayed', 'Decided', 'OutputMarked', 'Resolved']), 'done');
    assert.throws(() => replay(['DisputeOpened', 'ChildrenPosted', 'Bisected', 'ElementIsolated', 'StepReplayed', 'Decided', 'Resolved', 'OutputMarked']), IllegalTransitionError);
  });
});
