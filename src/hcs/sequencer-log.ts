/**
 * The community server's durable, ordered log of queries and results (§2.2.3 "sequencer"; issue 13 §2.2 and §3;
 * docs/serving.md §2), over `node:sqlite`.
 *
 * - `accept` gives a verified query the next sequence number and commits it before it returns: the server dispatches
 *   only what `accept` returned, so an acknowledged query is on disk before any node works on it.
 * - Receipts (with the output they sign) are appended per query, one per node.
 * - The query's state follows QUERY_TRANSITIONS (query-state.ts); an illegal move is a typed error, and every move is a
 *   compare-and-set on the stored state, so two paths of the server cannot both move one query.
 * - On open, `unfinished()` lists every query not settled or failed, oldest first: after a crash the server finishes
 *   or fails each one explicitly. `lookup(queryHash)` answers a client asking about its query, at any time.
 * - Bounds (DEFAULTS): unfinished queries, prompt, output and receipt sizes; settled and failed entries are evicted
 *   after `retentionMs`, and the oldest beyond `maxTerminalEntries` at once.
 *
 * Durability: WAL journal, `synchronous = NORMAL` by default. In WAL mode a commit has written its frames to the WAL
 * file (the OS's page cache) before it returns, so a killed process (`kill -9`, a crash) loses no committed query;
 * only an OS crash or power cut can lose the last commits, because NORMAL does not fsync each commit. `FULL` fsyncs
 * every commit and survives that too, at 11.7× NORMAL's cost per accept here (bench/sequencer-log.ts: 7.5 ms against
 * 0.65 ms under load), which alone would exceed the 5 ms p50 the protocol may add per query; operators who want it
 * set `synchronous: 'FULL'`.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Clock } from '../common/clock.ts';
import { toHex, bytesEqual } from '../common/bytes.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { decode, encode } from '../wire/codec.ts';
import { QuerySchema, ReceiptSchema, type Query, type Receipt } from '../wire/query-receipt.ts';
import type { VerifiedQuery, VerifiedReceipt } from '../wire/verified-messages.ts';
import { canTransition, isQueryState, isTerminal, type QueryState } from './query-state.ts';
import {
  DuplicateQueryError,
  IllegalTransitionError,
  LogFormatError,
  LogFullError,
  PromptTooLargeError,
  ReceiptRefusedError,
  UnknownQueryError,
} from './sequencer-errors.ts';

export interface SequencerLogOptions {
  /** Queries accepted and not yet settled or failed. */
  maxPendingQueries: number;
  /** Bytes of one prompt as the client sent it. */
  maxPromptBytes: number;
  /** Bytes of one node's output stored beside its receipt. */
  maxOutputBytes: number;
  /** Receipts stored per query (the k nodes plus the nodes its shares were reassigned to). */
  maxReceiptsPerQuery: number;
  /** Redundancy a query may ask for. */
  maxK: number;
  /** How long a settled or failed entry stays for the client to look up, in ms. */
  retentionMs: number;
  /** Settled and failed entries kept at most; the oldest beyond it are evicted at once. */
  maxTerminalEntries: number;
  /** Characters of a failure reason stored. */
  maxReasonLength: number;
  /** SQLite `synchronous` in WAL mode: NORMAL survives a killed process, FULL an OS crash too (module header). */
  synchronous: 'NORMAL' | 'FULL';
}

export const DEFAULTS: Readonly<SequencerLogOptions> = Object.freeze({
  // 10× the issue's goal of 1,000 concurrent queries; each holds a fee reservation and its nodes' work, so past this
  // the server is overloaded and says so (LogFullError) rather than queueing without end.
  maxPendingQueries: 10_000,
  // 64 KiB: a 16k-token context of 4-byte token ids; the shipped models' contexts are far smaller.
  maxPromptBytes: 65_536,
  // 64 KiB: the same bound for the generated tokens (maxTokens is at most the context).
  maxOutputBytes: 65_536,
  // k ≤ 16 (maxK), plus one reassignment per share.
  maxReceiptsPerQuery: 32,
  // 16 nodes per query: well above the k = 3, and below where a committee's receipts outgrow a message.
  maxK: 16,
  // 7 days: a client that went offline can still learn its outcome; disputes are decided within hours (docs/dispute.md).
  retentionMs: 7 * 24 * 3600 * 1000,
  // 100,000 finished entries ≈ 100 MB at 64 KiB prompts in the worst case, a few MB typically.
  maxTerminalEntries: 100_000,
  // A reason is a short code-like sentence; the cap keeps a hostile string out of the file.
  maxReasonLength: 200,
  synchronous: 'NORMAL',
});

/** One stored receipt with the output it signs. */
export interface LoggedReceipt {
  readonly receipt: Receipt;
  readonly signature: Uint8Array;
  readonly output: Uint8Array;
  readonly receivedAt: number;
}

/** What the log knows about one query. */
export interface QueryRecord {
  readonly seq: number;
  readonly queryHash: Uint8Array;
  readonly query: Query;
  readonly signature: Uint8Array;
  readonly prompt: Uint8Array;
  readonly k: number;
  readonly state: QueryState;
  /** Why it failed (failed), or null. */
  readonly reason: string | null;
  /** The output hash the dispute decided (settled after disputed), or null. */
  readonly winner: Uint8Array | null;
  readonly acceptedAt: number;
  readonly updatedAt: number;
  readonly receipts: readonly LoggedReceipt[];
}

export interface SequencerLogComponents {
  clock: Clock;
}

const SCHEMA_VERSION = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS queries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  query_hash BLOB NOT NULL UNIQUE,
  query BLOB NOT NULL,
  signature BLOB NOT NULL,
  prompt BLOB NOT NULL,
  k INTEGER NOT NULL,
  state TEXT NOT NULL,
  reason TEXT,
  winner BLOB,
  accepted_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS queries_by_state ON queries (state, updated_at);
CREATE TABLE IF NOT EXISTS receipts (
  seq INTEGER NOT NULL,
  node BLOB NOT NULL,
  receipt BLOB NOT NULL,
  signature BLOB NOT NULL,
  output BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (seq, node)
) STRICT;
`;

const TERMINAL_SQL = `('settled', 'failed')`;

type Row = Record<string, unknown>;

export class SequencerLog {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly clock: Clock;
  private readonly o: SequencerLogOptions;
  private pending: number;
  private terminal: number;
  private readonly stmt: Record<
    'insert' | 'byHash' | 'receiptsOf' | 'move' | 'insertReceipt' | 'countReceipts' | 'unfinished' | 'expired' | 'oldestTerminal' | 'deleteQuery' | 'deleteReceipts',
    StatementSync
  >;

  constructor(path: string, components: SequencerLogComponents, options: Partial<SequencerLogOptions> = {}) {
    this.path = path;
    this.clock = components.clock;
    this.o = { ...DEFAULTS, ...options };
    if (this.o.synchronous !== 'NORMAL' && this.o.synchronous !== 'FULL') throw new InvalidArgumentError('synchronous', 'must be NORMAL or FULL');
    try {
      this.db = new DatabaseSync(path);
    } catch (cause) {
      throw new LogFormatError(path, 'cannot open', cause);
    }
    try {
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec(`PRAGMA synchronous = ${this.o.synchronous}`);
      this.db.exec(SCHEMA);
      const version = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as Row | undefined;
      if (version === undefined) this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION);
      else if (version.value !== SCHEMA_VERSION) throw new LogFormatError(path, `schema version ${String(version.value)}, this code reads ${SCHEMA_VERSION}`);
    } catch (cause) {
      this.db.close();
      if (cause instanceof LogFormatError) throw cause;
      throw new LogFormatError(path, 'not a sequencer log', cause);
    }
    const p = (sql: string): StatementSync => this.db.prepare(sql);
    this.stmt = {
      insert: p('INSERT INTO queries (query_hash, query, signature, prompt, k, state, accepted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      byHash: p('SELECT * FROM queries WHERE query_hash = ?'),
      receiptsOf: p('SELECT * FROM receipts WHERE seq = ? ORDER BY received_at, node'),
      move: p('UPDATE queries SET state = ?, reason = ?, winner = ?, updated_at = ? WHERE seq = ? AND state = ?'),
      insertReceipt: p('INSERT OR IGNORE INTO receipts (seq, node, receipt, signature, output, received_at) VALUES (?, ?, ?, ?, ?, ?)'),
      countReceipts: p('SELECT COUNT(*) AS n FROM receipts WHERE seq = ?'),
      unfinished: p(`SELECT * FROM queries WHERE state NOT IN ${TERMINAL_SQL} ORDER BY seq`),
      expired: p(`SELECT seq FROM queries WHERE state IN ${TERMINAL_SQL} AND updated_at < ? LIMIT 1000`),
      oldestTerminal: p(`SELECT seq FROM queries WHERE state IN ${TERMINAL_SQL} ORDER BY updated_at, seq LIMIT ?`),
      deleteQuery: p('DELETE FROM queries WHERE seq = ?'),
      deleteReceipts: p('DELETE FROM receipts WHERE seq = ?'),
    };
    this.pending = Number((p(`SELECT COUNT(*) AS n FROM queries WHERE state NOT IN ${TERMINAL_SQL}`).get() as Row).n);
    this.terminal = Number((p(`SELECT COUNT(*) AS n FROM queries WHERE state IN ${TERMINAL_SQL}`).get() as Row).n);
    this.evict();
  }

  get options(): Readonly<SequencerLogOptions> {
    return this.o;
  }

  /** Queries accepted and not yet settled or failed. */
  get pendingCount(): number {
    return this.pending;
  }

  /**
   * Logs a verified query with the next sequence number and commits it; returns that number. The prompt is stored as
   * given: the caller has checked it against `query.promptHash` (the pipeline's commitment, inference/query-input.ts).
   */
  accept(verified: VerifiedQuery, prompt: Uint8Array, k: number): number {
    if (!Number.isInteger(k) || k < 1 || k > this.o.maxK) throw new InvalidArgumentError('k', `must be an integer in [1, ${this.o.maxK}]`);
    if (!(prompt instanceof Uint8Array)) throw new InvalidArgumentError('prompt', 'must be bytes');
    if (prompt.length > this.o.maxPromptBytes) throw new PromptTooLargeError(prompt.length, this.o.maxPromptBytes);
    if (this.pending >= this.o.maxPendingQueries) throw new LogFullError(this.pending, this.o.maxPendingQueries);
    const existing = this.stmt.byHash.get(verified.queryHash) as Row | undefined;
    if (existing !== undefined) throw new DuplicateQueryError(toHex(verified.queryHash), Number(existing.seq));
    const now = this.clock.now();
    const result = this.stmt.insert.run(
      verified.queryHash,
      encode(QuerySchema, verified.query),
      verified.signature.signature,
      prompt,
      k,
      'accepted',
      now,
      now,
    );
    this.pending++;
    return Number(result.lastInsertRowid);
  }

  /**
   * Moves a query to `to` if the table allows it from its current state; `reason` for failed, `winner` (an output
   * hash) for settling a dispute. Throws UnknownQueryError or IllegalTransitionError.
   */
  transition(queryHash: Uint8Array, to: QueryState, detail: { reason?: string; winner?: Uint8Array } = {}): QueryRecord {
    const row = this.row(queryHash);
    const from = row.state as QueryState;
    if (!canTransition(from, to)) throw new IllegalTransitionError(toHex(queryHash), from, to);
    if (detail.winner !== undefined && (!(detail.winner instanceof Uint8Array) || detail.winner.length !== 32)) {
      throw new InvalidArgumentError('winner', 'must be a 32-byte output hash');
    }
    const reason = detail.reason === undefined ? (row.reason as string | null) : String(detail.reason).slice(0, this.o.maxReasonLength);
    const winner = detail.winner ?? (row.winner as Uint8Array | null);
    const changed = this.stmt.move.run(to, reason, winner, this.clock.now(), row.seq as number, from).changes;
    if (Number(changed) !== 1) throw new IllegalTransitionError(toHex(queryHash), from, to); // moved underneath us
    if (isTerminal(to)) {
      this.pending--;
      this.terminal++;
      this.evict();
    }
    return this.lookup(queryHash)!;
  }

  /**
   * Stores a verified receipt and the output it signs, once per node; refuses a receipt for another query or model,
   * a second one from the same node, one beyond the bound, or one for a query that is not being served.
   */
  appendReceipt(queryHash: Uint8Array, verified: VerifiedReceipt, output: Uint8Array): void {
    const hex = toHex(queryHash);
    const row = this.row(queryHash);
    const state = row.state as QueryState;
    if (state !== 'dispatched' && state !== 'agreed' && state !== 'disputed') throw new ReceiptRefusedError(hex, `query is ${state}`);
    const receipt = verified.receipt;
    if (!bytesEqual(receipt.queryHash, queryHash)) throw new ReceiptRefusedError(hex, 'receipt names another query');
    const query = this.decodeQuery(row);
    if (!bytesEqual(receipt.modelHash, query.modelHash)) throw new ReceiptRefusedError(hex, 'receipt names another model');
    if (!(output instanceof Uint8Array) || output.length > this.o.maxOutputBytes) throw new ReceiptRefusedError(hex, `output over ${this.o.maxOutputBytes} bytes`);
    const count = Number((this.stmt.countReceipts.get(row.seq as number) as Row).n);
    if (count >= this.o.maxReceiptsPerQuery) throw new ReceiptRefusedError(hex, `already ${count} receipts`);
    const inserted = this.stmt.insertReceipt.run(row.seq as number, receipt.node, encode(ReceiptSchema, receipt), verified.signature.signature, output, this.clock.now());
    if (Number(inserted.changes) !== 1) throw new ReceiptRefusedError(hex, 'a receipt from this node is already logged');
  }

  /** Everything about one query, or undefined when the log has no such query (never had it, or evicted). */
  lookup(queryHash: Uint8Array): QueryRecord | undefined {
    if (!(queryHash instanceof Uint8Array) || queryHash.length !== 32) return undefined;
    const row = this.stmt.byHash.get(queryHash) as Row | undefined;
    return row === undefined ? undefined : this.toRecord(row);
  }

  /** Queries not settled or failed, by sequence number: after a restart, each must be finished or failed. */
  unfinished(): QueryRecord[] {
    return (this.stmt.unfinished.all() as Row[]).map((row) => this.toRecord(row));
  }

  /** Deletes settled and failed entries older than the retention, then the oldest beyond maxTerminalEntries. */
  evict(): number {
    let removed = 0;
    const cutoff = this.clock.now() - this.o.retentionMs;
    for (;;) {
      const rows = this.stmt.expired.all(cutoff) as Row[];
      if (rows.length === 0) break;
      removed += this.remove(rows);
    }
    const excess = this.terminal - this.o.maxTerminalEntries;
    if (excess > 0) removed += this.remove(this.stmt.oldestTerminal.all(excess) as Row[]);
    return removed;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private remove(rows: Row[]): number {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const r of rows) {
        this.stmt.deleteReceipts.run(r.seq as number);
        this.stmt.deleteQuery.run(r.seq as number);
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    this.terminal -= rows.length;
    return rows.length;
  }

  private row(queryHash: Uint8Array): Row {
    const row = queryHash instanceof Uint8Array && queryHash.length === 32 ? (this.stmt.byHash.get(queryHash) as Row | undefined) : undefined;
    if (row === undefined) throw new UnknownQueryError(queryHash instanceof Uint8Array ? toHex(queryHash) : String(queryHash));
    return row;
  }

  private decodeQuery(row: Row): Query {
    try {
      return decode(QuerySchema, row.query as Uint8Array);
    } catch (cause) {
      throw new LogFormatError(this.path, `query #${String(row.seq)} does not decode`, cause);
    }
  }

  /** Rows come from a file: every field is checked as it is read. */
  private toRecord(row: Row): QueryRecord {
    if (!isQueryState(row.state)) throw new LogFormatError(this.path, `query #${String(row.seq)} has state ${String(row.state)}`);
    const seq = row.seq as number;
    const receipts = (this.stmt.receiptsOf.all(seq) as Row[]).map((r): LoggedReceipt => {
      let receipt: Receipt;
      try {
        receipt = decode(ReceiptSchema, r.receipt as Uint8Array);
      } catch (cause) {
        throw new LogFormatError(this.path, `a receipt of query #${seq} does not decode`, cause);
      }
      return { receipt, signature: r.signature as Uint8Array, output: r.output as Uint8Array, receivedAt: r.received_at as number };
    });
    return {
      seq,
      queryHash: row.query_hash as Uint8Array,
      query: this.decodeQuery(row),
      signature: row.signature as Uint8Array,
      prompt: row.prompt as Uint8Array,
      k: row.k as number,
      state: row.state,
      reason: (row.reason as string | null) ?? null,
      winner: (row.winner as Uint8Array | null) ?? null,
      acceptedAt: row.accepted_at as number,
      updatedAt: row.updated_at as number,
      receipts,
    };
  }
}
