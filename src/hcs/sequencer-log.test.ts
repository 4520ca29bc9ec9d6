import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { ManualClock, SeededRandom } from '../common/clock.ts';
import { toHex } from '../common/bytes.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { ethereumAddressOfSecret, seededSecretKey } from '../testnet/seeded-keys.ts';
import { hyperspaceDomain, signQuery, signReceipt, type Query, type Receipt } from '../wire/query-receipt.ts';
import { verifyQuery, verifyReceipt, type VerifiedQuery } from '../wire/verified-messages.ts';
import { QUERY_STATES, QUERY_TRANSITIONS, isTerminal, type QueryState } from './query-state.ts';
import { SequencerLog, type SequencerLogOptions } from './sequencer-log.ts';
import {
  DuplicateQueryError,
  IllegalTransitionError,
  LogFormatError,
  LogFullError,
  PromptTooLargeError,
  ReceiptRefusedError,
  UnknownQueryError,
} from './sequencer-errors.ts';

const rng = new SeededRandom(21);
const key = (): Uint8Array => seededSecretKey(rng);
const addressOf = ethereumAddressOfSecret;
const domain = hyperspaceDomain(31337n, new Uint8Array(20).fill(7));
const client = key();
const nodes = [key(), key(), key()];
const MODEL = new Uint8Array(32).fill(1);
let nonce = 0n;

function newQuery(): VerifiedQuery {
  const query: Query = { client: addressOf(client), modelHash: MODEL, promptHash: rng.bytes(32), paramsHash: rng.bytes(32), maxFee: 100n, nonce: nonce++, deadline: 2_000_000_000n };
  return verifyQuery(domain, query, signQuery(domain, query, client));
}

function receiptFor(q: VerifiedQuery, nodeKey: Uint8Array, patch: Partial<Receipt> = {}) {
  const receipt: Receipt = { queryHash: q.queryHash, modelHash: MODEL, outputHash: new Uint8Array(32).fill(3), traceRoot: new Uint8Array(32).fill(4), node: addressOf(nodeKey), fee: 5n, issuedAt: 1n, ...patch };
  return verifyReceipt(domain, receipt, signReceipt(domain, receipt, nodeKey));
}

function tempLog(options: Partial<SequencerLogOptions> = {}, clock = new ManualClock(1_000_000)): { log: SequencerLog; path: string; clock: ManualClock; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hcs-log-'));
  const path = join(dir, 'log.sqlite');
  return { log: new SequencerLog(path, { clock }, options), path, clock, dir };
}

test('the transition table: terminal states are exactly settled and failed, and every state is reachable from accepted', () => {
  assert.deepEqual(QUERY_STATES.filter(isTerminal), ['settled', 'failed']);
  const seen = new Set<QueryState>(['accepted']);
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of [...seen]) for (const t of QUERY_TRANSITIONS[s]) if (!seen.has(t)) (seen.add(t), (changed = true));
  }
  assert.deepEqual([...seen].sort(), [...QUERY_STATES].sort());
  assert.ok(!QUERY_TRANSITIONS.agreed.includes('failed'), 'an answer already given never turns into a failure');
});

test('accept gives increasing sequence numbers, writes before returning, and a client can look its query up', () => {
  const { log, path, dir } = tempLog();
  const a = newQuery();
  const b = newQuery();
  const sa = log.accept(a, Uint8Array.of(1, 2, 3), 3);
  const sb = log.accept(b, new Uint8Array(0), 1);
  assert.ok(sb > sa);
  // A second connection sees it at once: it is committed, not buffered.
  const other = new DatabaseSync(path, { readOnly: true });
  assert.equal((other.prepare('SELECT COUNT(*) AS n FROM queries').get() as { n: number }).n, 2);
  other.close();
  const rec = log.lookup(a.queryHash)!;
  assert.equal(rec.seq, sa);
  assert.equal(rec.state, 'accepted');
  assert.deepEqual(rec.query, a.query);
  assert.deepEqual(rec.prompt, Uint8Array.of(1, 2, 3));
  assert.equal(rec.k, 3);
  assert.equal(log.lookup(new Uint8Array(32)), undefined);
  assert.equal(log.lookup(new Uint8Array(3)), undefined);
  assert.equal(log.pendingCount, 2);
  log.close();
  rmSync(dir, { recursive: true });
});

test('attacker: a replayed query keeps its first number; oversized prompts, bad k and a flood past the bound are refused', () => {
  const { log, dir } = tempLog({ maxPendingQueries: 3, maxPromptBytes: 16 });
  const q = newQuery();
  const seq = log.accept(q, new Uint8Array(16), 1);
  assert.throws(() => log.accept(q, new Uint8Array(1), 1), (e) => e instanceof DuplicateQueryError && e.details.seq === seq);
  assert.throws(() => log.accept(newQuery(), new Uint8Array(17), 1), PromptTooLargeError);
  for (const k of [0, 17, 1.5, NaN]) assert.throws(() => log.accept(newQuery(), new Uint8Array(1), k), InvalidArgumentError);
  log.accept(newQuery(), new Uint8Array(1), 1);
  log.accept(newQuery(), new Uint8Array(1), 1);
  assert.throws(() => log.accept(newQuery(), new Uint8Array(1), 1), LogFullError);
  // Finishing one frees a place.
  log.transition(q.queryHash, 'failed', { reason: 'test' });
  log.accept(newQuery(), new Uint8Array(1), 1);
  log.close();
  rmSync(dir, { recursive: true });
});

test('transitions follow the table; an illegal one or one on an unknown query is a typed error and changes nothing', () => {
  const { log, clock, dir } = tempLog();
  const q = newQuery();
  log.accept(q, new Uint8Array(1), 2);
  assert.throws(() => log.transition(q.queryHash, 'agreed'), IllegalTransitionError);
  assert.throws(() => log.transition(q.queryHash, 'settled'), IllegalTransitionError);
  assert.throws(() => log.transition(new Uint8Array(32), 'dispatched'), UnknownQueryError);
  clock.advance(5);
  assert.equal(log.transition(q.queryHash, 'dispatched').state, 'dispatched');
  log.transition(q.queryHash, 'dispatched'); // share reassigned
  log.transition(q.queryHash, 'disputed');
  const winner = new Uint8Array(32).fill(9);
  const done = log.transition(q.queryHash, 'settled', { winner });
  assert.deepEqual(done.winner, winner);
  assert.equal(log.pendingCount, 0);
  for (const to of QUERY_STATES) assert.throws(() => log.transition(q.queryHash, to), IllegalTransitionError);
  assert.throws(() => log.transition(newQueryLogged(log).queryHash, 'failed', { winner: new Uint8Array(3) }), InvalidArgumentError);
  const long = newQueryLogged(log);
  assert.equal(log.transition(long.queryHash, 'failed', { reason: 'x'.repeat(10_000) }).reason!.length, 200);
  log.close();
  rmSync(dir, { recursive: true });
});

function newQueryLogged(log: SequencerLog): VerifiedQuery {
  const q = newQuery();
  log.accept(q, new Uint8Array(1), 1);
  return q;
}

test('attacker: receipts for another query or model, a second from one node, beyond the bound, or too early are refused', () => {
  const { log, dir } = tempLog({ maxReceiptsPerQuery: 2, maxOutputBytes: 8 });
  const q = newQuery();
  log.accept(q, new Uint8Array(1), 3);
  assert.throws(() => log.appendReceipt(q.queryHash, receiptFor(q, nodes[0]!), new Uint8Array(1)), ReceiptRefusedError); // not dispatched
  log.transition(q.queryHash, 'dispatched');
  const other = newQuery();
  assert.throws(() => log.appendReceipt(q.queryHash, receiptFor(other, nodes[0]!), new Uint8Array(1)), ReceiptRefusedError);
  assert.throws(() => log.appendReceipt(q.queryHash, receiptFor(q, nodes[0]!, { modelHash: new Uint8Array(32) }), new Uint8Array(1)), ReceiptRefusedError);
  assert.throws(() => log.appendReceipt(q.queryHash, receiptFor(q, nodes[0]!), new Uint8Array(9)), ReceiptRefusedError);
  log.appendReceipt(q.queryHash, receiptFor(q, nodes[0]!), Uint8Array.of(7));
  // The same node again with a different output: not a second vote.
  assert.throws(() => log.appendReceipt(q.queryHash, receiptFor(q, nodes[0]!, { outputHash: new Uint8Array(32) }), new Uint8Array(1)), ReceiptRefusedError);
  log.appendReceipt(q.queryHash, receiptFor(q, nodes[1]!), Uint8Array.of(8));
  assert.throws(() => log.appendReceipt(q.queryHash, receiptFor(q, nodes[2]!), new Uint8Array(1)), ReceiptRefusedError);
  const rec = log.lookup(q.queryHash)!;
  assert.equal(rec.receipts.length, 2);
  assert.deepEqual(rec.receipts.map((r) => r.output[0]).sort(), [7, 8]);
  log.close();
  rmSync(dir, { recursive: true });
});

test('settled and failed entries are evicted after the retention and beyond the count bound; unfinished ones never', () => {
  const { log, clock, dir } = tempLog({ retentionMs: 1000, maxTerminalEntries: 2 });
  const open = newQueryLogged(log);
  const done = [newQueryLogged(log), newQueryLogged(log), newQueryLogged(log)];
  for (const q of done) {
    clock.advance(1);
    log.transition(q.queryHash, 'failed', { reason: 'test' });
  }
  // Three finished, the bound is two: the oldest went at once.
  assert.equal(log.lookup(done[0]!.queryHash), undefined);
  assert.ok(log.lookup(done[2]!.queryHash));
  clock.advance(1001);
  assert.equal(log.evict(), 2);
  assert.equal(log.lookup(done[2]!.queryHash), undefined);
  assert.equal(log.lookup(open.queryHash)!.state, 'accepted');
  log.close();
  rmSync(dir, { recursive: true });
});

test('after reopening: unfinished queries are listed oldest first, and sequence numbers are never reused', () => {
  const { log, path, clock, dir } = tempLog({ retentionMs: 10 });
  const a = newQueryLogged(log);
  const b = newQueryLogged(log);
  log.transition(b.queryHash, 'dispatched');
  const c = newQueryLogged(log);
  log.transition(c.queryHash, 'failed', { reason: 'r' });
  const lastSeq = log.lookup(c.queryHash)!.seq;
  log.close();
  clock.advance(11);
  const again = new SequencerLog(path, { clock }, { retentionMs: 10 }); // opening evicts c
  assert.deepEqual(again.unfinished().map((r) => [toHex(r.queryHash), r.state]), [[toHex(a.queryHash), 'accepted'], [toHex(b.queryHash), 'dispatched']]);
  assert.equal(again.lookup(c.queryHash), undefined);
  assert.equal(again.pendingCount, 2);
  assert.ok(again.accept(newQuery(), new Uint8Array(1), 1) > lastSeq);
  again.close();
  rmSync(dir, { recursive: true });
});

test('bad files: not a database, another schema version, a corrupted row — typed errors, not crashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcs-log-'));
  const clock = new ManualClock(0);
  const junk = join(dir, 'junk.sqlite');
  writeFileSync(junk, Buffer.alloc(4096, 0x41));
  assert.throws(() => new SequencerLog(junk, { clock }), LogFormatError);
  const path = join(dir, 'log.sqlite');
  const log = new SequencerLog(path, { clock });
  const q = newQueryLogged(log);
  log.close();
  const raw = new DatabaseSync(path);
  raw.prepare(`UPDATE queries SET state = 'haunted'`).run();
  raw.close();
  const reopened = new SequencerLog(path, { clock });
  assert.throws(() => reopened.lookup(q.queryHash), LogFormatError);
  reopened.close();
  const raw2 = new DatabaseSync(path);
  raw2.prepare(`UPDATE queries SET state = 'accepted', query = x'00'`).run();
  raw2.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema'`).run();
  raw2.close();
  assert.throws(() => new SequencerLog(path, { clock }), (e) => e instanceof LogFormatError && /version 99/.test(e.message));
  rmSync(dir, { recursive: true });
});

const WRITER = fileURLToPath(new URL('../testnet/sequencer-log-writer.ts', import.meta.url));

/** Runs the writer, SIGKILLs it once it has acknowledged `killAfter` steps; every acknowledged line, even late ones. */
async function runAndKill(path: string, seed: number, killAfter: number): Promise<{ lines: string[]; killed: boolean }> {
  const child = spawn(process.execPath, [WRITER, path, String(seed), '400'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let killed = false;
  const rl = createInterface({ input: child.stdout });
  rl.on('line', (line) => {
    lines.push(line);
    if (!killed && lines.length >= killAfter) {
      killed = child.kill('SIGKILL');
    }
  });
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { lines, killed };
}

test('kill -9 of a process writing the log (real child process, random kill points): every acknowledged step survives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcs-log-kill-'));
  const path = join(dir, 'log.sqlite');
  const order: Record<QueryState, number> = { accepted: 0, dispatched: 1, agreed: 2, disputed: 2, settled: 3, failed: 3 };
  const pick = new SeededRandom(7);
  const acked = new Map<string, { seq: number; state: QueryState; receipts: Set<string> }>();
  for (let round = 0; round < 3; round++) {
    const killAfter = 5 + (pick.nextU32() % 120);
    const { lines, killed } = await runAndKill(path, round + 1, killAfter);
    assert.ok(killed, `round ${round}: the writer finished before ${killAfter} lines`);
    assert.ok(!lines.includes('done'));
    for (const line of lines) {
      const [kind, a, b] = line.split(' ');
      if (kind === 'accepted') acked.set(b!, { seq: Number(a), state: 'accepted', receipts: new Set() });
      else if (kind === 'moved') acked.get(a!)!.state = b as QueryState;
      else if (kind === 'receipt') acked.get(a!)!.receipts.add(b!);
    }
    // Reopen as the restarted server would.
    const log = new SequencerLog(path, { clock: new ManualClock(Date.now()) });
    for (const [hash, want] of acked) {
      const rec = log.lookup(Buffer.from(hash.slice(2), 'hex'));
      assert.ok(rec, `round ${round}: acknowledged query ${hash} lost`);
      assert.equal(rec.seq, want.seq);
      // The state on disk is the acknowledged one or one step further (committed, killed before it was printed).
      assert.ok(order[rec.state] >= order[want.state], `round ${round}: ${hash} is ${rec.state}, was acknowledged ${want.state}`);
      const nodesOnDisk = new Set<string>(rec.receipts.map((r) => toHex(r.receipt.node)));
      for (const node of want.receipts) assert.ok(nodesOnDisk.has(node), `round ${round}: receipt of ${node} for ${hash} lost`);
    }
    // Every unfinished query is listed for the server to finish or fail.
    const unfinished = new Set<string>(log.unfinished().map((r) => toHex(r.queryHash)));
    for (const [hash] of acked) {
      const state = log.lookup(Buffer.from(hash.slice(2), 'hex'))!.state;
      assert.equal(unfinished.has(hash), !isTerminal(state));
    }
    log.close();
  }
  rmSync(dir, { recursive: true });
});
