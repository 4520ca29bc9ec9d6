import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, SeededRandom } from '../common/clock.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { subnetOf } from '../dht/routing-table.ts';
import { DEFAULTS, Scheduler, type NodeInfo, type SchedulerOptions } from './scheduler.ts';
import { NotEnoughNodesError, SchedulerFullError } from './scheduler-errors.ts';

const MODEL = '0x' + '11'.repeat(32);
const ETH = 10n ** 18n;

function node(id: string, operator: string, ip: string, stake = 10n * ETH, price = 100n, model = MODEL): NodeInfo {
  return { id, operator, ip, stake, prices: new Map([[model, price]]) };
}

function make(options: Partial<SchedulerOptions> = {}, seed = 1): { s: Scheduler; clock: ManualClock } {
  const clock = new ManualClock(1_000_000);
  return { s: new Scheduler({ clock, random: new SeededRandom(seed) }, options), clock };
}

/** Picks and immediately reports success, so load does not build up between draws. */
function pickDone(s: Scheduler, k: number, extra: Partial<Parameters<Scheduler['pick']>[0]> = {}): string[] {
  const chosen = s.pick({ modelHash: MODEL, k, ...extra });
  for (const id of chosen) s.finished(id, 50);
  return chosen;
}

test('a committee has k distinct nodes, no two of one operator or one /24, and counts them in flight', () => {
  const { s } = make();
  s.upsert(node('a', 'op1', '10.0.1.1'));
  s.upsert(node('b', 'op1', '10.0.2.1')); // same operator as a
  s.upsert(node('c', 'op2', '10.0.1.2')); // same /24 as a
  s.upsert(node('d', 'op3', '10.0.3.1'));
  s.upsert(node('e', 'op4', '2001:db8:1::1'));
  s.upsert(node('f', 'op5', '2001:db8:1::2')); // same /48 as e
  for (let i = 0; i < 100; i++) {
    const chosen = pickDone(s, 3);
    assert.equal(new Set(chosen).size, 3);
    const byId = new Map([['a', ['op1', '10.0.1.1']], ['b', ['op1', '10.0.2.1']], ['c', ['op2', '10.0.1.2']], ['d', ['op3', '10.0.3.1']], ['e', ['op4', '2001:db8:1::1']], ['f', ['op5', '2001:db8:1::2']]]);
    assert.equal(new Set(chosen.map((id) => byId.get(id)![0])).size, 3, `two of one operator: ${chosen}`);
    assert.equal(new Set(chosen.map((id) => subnetOf(byId.get(id)![1]!))).size, 3, `two of one subnet: ${chosen}`);
  }
  const held = s.pick({ modelHash: MODEL, k: 2 });
  for (const id of held) assert.equal(s.inFlight(id), 1);
});

test('attacker: a server operator’s 50 sybils of one operator, or 50 operators in one /24, add one member at most', () => {
  for (const layout of ['one operator', 'one /24'] as const) {
    const { s } = make({}, 3);
    for (let i = 0; i < 3; i++) s.upsert(node(`honest${i}`, `honest-op${i}`, `198.51.${i}.7`, 1n * ETH));
    for (let i = 0; i < 50; i++) {
      // Each sybil carries 100× an honest node's stake, so only the diversity rule keeps them out.
      if (layout === 'one operator') s.upsert(node(`sybil${i}`, 'server-operator', `203.0.${i}.9`, 100n * ETH));
      else s.upsert(node(`sybil${i}`, `sybil-op${i}`, `203.0.113.${i + 1}`, 100n * ETH));
    }
    for (let i = 0; i < 200; i++) {
      const chosen = pickDone(s, 3);
      assert.ok(chosen.filter((id) => id.startsWith('sybil')).length <= 1, `${layout}: ${chosen}`);
    }
    // Four independent members exist (3 honest + the sybils' one slot), five do not.
    assert.equal(pickDone(s, 4).filter((id) => id.startsWith('honest')).length, 3);
    assert.throws(
      () => s.pick({ modelHash: MODEL, k: 5 }),
      (e) => e instanceof NotEnoughNodesError && e.details.chosen === 4 && (layout === 'one operator' ? e.details.exclusions.sameOperator : e.details.exclusions.sameSubnet) >= 49,
    );
  }
});

test('attacker: splitting one stake over 10 identities (10 operators, 10 subnets) does not raise its share of picks', () => {
  const share = (split: number): number => {
    const { s } = make({}, 11);
    s.upsert(node('honest', 'h', '192.0.2.1', 10n * ETH));
    for (let i = 0; i < split; i++) s.upsert(node(`a${i}`, `a-op${i}`, `100.64.${i}.1`, (10n * ETH) / BigInt(split)));
    let attacker = 0;
    for (let i = 0; i < 4000; i++) if (pickDone(s, 1)[0] !== 'honest') attacker++;
    return attacker / 4000;
  };
  const single = share(1);
  const split = share(10);
  assert.ok(Math.abs(single - 0.5) < 0.05, `single ${single}`);
  assert.ok(Math.abs(split - single) < 0.05, `split ${split} vs single ${single}`);
});

test('price, load and measured latency move the odds: cheaper, idler and faster nodes are picked more', () => {
  const count = (setup: (s: Scheduler) => void, perPick?: (s: Scheduler, id: string) => void): Map<string, number> => {
    const { s } = make({}, 5);
    s.upsert(node('x', 'ox', '192.0.2.1'));
    s.upsert(node('y', 'oy', '192.0.3.1'));
    setup(s);
    const seen = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const [id] = s.pick({ modelHash: MODEL, k: 1 });
      seen.set(id!, (seen.get(id!) ?? 0) + 1);
      if (perPick) perPick(s, id!);
      else s.finished(id!, id === 'x' ? 10 : 10);
    }
    return seen;
  };
  const price = count((s) => s.upsert(node('y', 'oy', '192.0.3.1', 10n * ETH, 400n)));
  assert.ok(price.get('x')! > 3 * price.get('y')!, `price: ${[...price]}`);
  const latency = count(() => {}, (s, id) => s.finished(id, id === 'x' ? 10 : 1000));
  assert.ok(latency.get('x')! > 3 * latency.get('y')!, `latency: ${[...latency]}`);
  const { s } = make({}, 6);
  s.upsert(node('x', 'ox', '192.0.2.1'));
  s.upsert(node('y', 'oy', '192.0.3.1'));
  for (let i = 0; i < 7; i++) s.pick({ modelHash: MODEL, k: 1, keep: ['x'] }); // y carries 7 in flight
  let x = 0;
  for (let i = 0; i < 1000; i++) {
    const [id] = s.pick({ modelHash: MODEL, k: 1 });
    if (id === 'x') x++;
    s.finished(id!, 200);
  }
  assert.ok(x > 700, `load: x picked ${x}/1000 while y is loaded`);
});

test('attacker: a flapping node’s ban doubles per failure up to the bound; only a long quiet spell resets it; rejoining does not', () => {
  const { s, clock } = make({ baseBanMs: 1000, maxBanMs: 16_000, forgiveAfterMs: 100_000 });
  s.upsert(node('flap', 'of', '192.0.2.1'));
  s.upsert(node('ok', 'oo', '192.0.3.1'));
  const bans: number[] = [];
  for (let i = 0; i < 7; i++) {
    s.failed('flap');
    const until = s.bannedUntil('flap');
    bans.push(until - clock.now());
    // Banned: never picked while the ban lasts.
    for (let j = 0; j < 20; j++) assert.deepEqual(pickDone(s, 1), ['ok']);
    clock.set(until); // the ban is over: it may serve again, answers once, then fails again
    s.finished('flap', 20);
  }
  assert.deepEqual(bans, [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000]);
  s.failed('flap');
  s.remove('flap');
  s.upsert(node('flap', 'of', '192.0.2.1'));
  assert.ok(s.bannedUntil('flap') > clock.now(), 'leaving and rejoining cleared the ban');
  clock.advance(100_000);
  s.failed('flap');
  assert.equal(s.bannedUntil('flap') - clock.now(), 1000, 'after the quiet spell the doubling restarts');
});

test('a failed member’s share goes to another node independent of the rest of the committee', () => {
  const { s } = make({}, 9);
  const ops = ['o1', 'o2', 'o3', 'o4', 'o5'];
  ops.forEach((op, i) => s.upsert(node(`n${i}`, op, `192.0.${i}.1`)));
  s.upsert(node('twin', 'o1', '192.0.50.1')); // operator of n0
  s.upsert(node('neighbour', 'o9', '192.0.1.77')); // /24 of n1
  for (let i = 0; i < 50; i++) {
    const committee = ['n0', 'n1', 'n2'];
    const replacement = s.replace(committee, 'n2', { modelHash: MODEL });
    assert.ok(!['n0', 'n1', 'n2', 'twin', 'neighbour'].includes(replacement), `replacement ${replacement}`);
    s.finished(replacement, 50);
    s.finished('n0', 50);
  }
});

test('fewer eligible nodes than k: a typed error that says why each was left out, and nothing is held', () => {
  const { s } = make({ maxInFlightPerNode: 1 });
  s.upsert(node('cheap', 'o1', '192.0.2.1', ETH, 10n));
  s.upsert(node('dear', 'o2', '192.0.3.1', ETH, 1000n));
  s.upsert(node('other', 'o3', '192.0.4.1', ETH, 10n, '0x' + '22'.repeat(32)));
  s.upsert(node('flaky', 'o4', '192.0.5.1', ETH, 10n));
  s.upsert(node('busy', 'o5', '192.0.6.1', ETH, 10n));
  s.failed('flaky');
  s.pick({ modelHash: MODEL, k: 1, keep: ['cheap', 'dear', 'flaky'] }); // only 'busy' is eligible: now at its limit
  assert.equal(s.inFlight('busy'), 1);
  assert.throws(
    () => s.pick({ modelHash: MODEL, k: 2, maxPricePerToken: 100n }),
    (e) => {
      assert.ok(e instanceof NotEnoughNodesError);
      assert.deepEqual(e.details, { wanted: 2, chosen: 1, exclusions: { otherModel: 1, tooExpensive: 1, banned: 1, busy: 1, alreadyChosen: 0, sameOperator: 0, sameSubnet: 0 } });
      return true;
    },
  );
  assert.equal(s.inFlight('cheap'), 0, 'a failed pick holds nothing');
});

test('bounds and bad input: the node table and the departed-penalty table are bounded; bad records are typed errors', () => {
  const { s } = make({ maxNodes: 3, maxPenaltyRecords: 2 });
  for (let i = 0; i < 3; i++) s.upsert(node(`n${i}`, `o${i}`, `192.0.${i}.1`));
  assert.throws(() => s.upsert(node('n3', 'o3', '192.0.3.1')), SchedulerFullError);
  s.upsert(node('n0', 'o0', '192.0.9.1')); // an update is not a new entry
  for (let i = 0; i < 3; i++) {
    s.failed(`n${i}`);
    s.remove(`n${i}`);
  }
  assert.equal(s.size, 0);
  assert.equal(s.departedPenalties, 2);
  const bad: [Partial<NodeInfo>, string][] = [
    [{ ip: 'not-an-ip' }, 'ip'],
    [{ ip: '300.1.1.1' }, 'ip'],
    [{ stake: 0n }, 'stake'],
    [{ id: '' }, 'id'],
    [{ operator: 'x'.repeat(200) }, 'operator'],
    [{ prices: new Map([[MODEL, -1n]]) }, 'prices'],
  ];
  for (const [patch, argument] of bad) {
    assert.throws(() => s.upsert({ ...node('z', 'oz', '192.0.7.1'), ...patch }), (e) => e instanceof InvalidArgumentError && e.details.argument === argument);
  }
  for (const k of [0, DEFAULTS.maxK + 1, 2.5]) assert.throws(() => s.pick({ modelHash: MODEL, k }), InvalidArgumentError);
});

test('pure: the same seed and the same reports give the same committees', () => {
  const run = (): string[][] => {
    const { s } = make({}, 42);
    for (let i = 0; i < 20; i++) s.upsert(node(`n${i}`, `o${i}`, `10.${i}.0.1`, BigInt(i + 1) * ETH));
    return Array.from({ length: 30 }, () => pickDone(s, 3));
  };
  assert.deepEqual(run(), run());
});
