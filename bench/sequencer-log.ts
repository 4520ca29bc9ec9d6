/**
 * The sequencer log's cost per query (issue 13 §2.2 and §3; docs/serving.md §2). Prints ONE JSON object.
 *
 *   node_modules/.bin/node bench/sequencer-log.ts [--queries 300]
 *
 * For each SQLite `synchronous` setting in WAL mode (NORMAL, the default, and FULL), in the same run on files in the
 * OS temp folder: microseconds per `accept` (one committed insert — what a client waits for before dispatch) and per
 * served query's whole log traffic (accept, dispatched, k = 3 receipts, agreed, settled: 7 commits). Signatures are
 * made and verified before timing (fast-verify.ts), so only the log is timed. The ratio FULL / NORMAL is the price of
 * surviving an OS crash as well as a killed process. The machine is shared: compare within one run.
 */
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, SeededRandom } from '../src/common/clock.ts';
import { signDigestFast } from '../src/crypto/fast-verify.ts';
import { hyperspaceDomain, queryDigest, receiptDigest, type Query, type Receipt } from '../src/wire/query-receipt.ts';
import { verifyQuery, verifyReceipt, type VerifiedQuery, type VerifiedReceipt } from '../src/wire/verified-messages.ts';
import { SequencerLog } from '../src/hcs/sequencer-log.ts';
import { ethereumAddressOfSecret, seededSecretKey } from '../src/testnet/seeded-keys.ts';

const i = process.argv.indexOf('--queries');
const queries = i < 0 ? 300 : Number(process.argv[i + 1]);
if (!Number.isInteger(queries) || queries < 1) {
  process.stderr.write('usage: node bench/sequencer-log.ts [--queries 300]\n');
  process.exit(2);
}

const rng = new SeededRandom(1);
const domain = hyperspaceDomain(31337n, new Uint8Array(20).fill(7));
const client = seededSecretKey(rng);
const nodeKeys = [seededSecretKey(rng), seededSecretKey(rng), seededSecretKey(rng)];
const model = new Uint8Array(32).fill(1);

function prepare(offset: number): { q: VerifiedQuery; receipts: VerifiedReceipt[] }[] {
  return Array.from({ length: queries }, (_, n) => {
    const query: Query = { client: ethereumAddressOfSecret(client), modelHash: model, promptHash: rng.bytes(32), paramsHash: rng.bytes(32), maxFee: 1n, nonce: BigInt(offset + n), deadline: 2_000_000_000n };
    const q = verifyQuery(domain, query, signDigestFast(queryDigest(domain, query), client));
    const receipts = nodeKeys.map((sk) => {
      const r: Receipt = { queryHash: q.queryHash, modelHash: model, outputHash: new Uint8Array(32).fill(2), traceRoot: new Uint8Array(32).fill(3), node: ethereumAddressOfSecret(sk), fee: 1n, issuedAt: 1n };
      return verifyReceipt(domain, r, signDigestFast(receiptDigest(domain, r), sk));
    });
    return { q, receipts };
  });
}

function run(synchronous: 'NORMAL' | 'FULL', offset: number): { acceptMicros: number; servedQueryMicros: number } {
  const work = prepare(offset);
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-seqlog-'));
  const log = new SequencerLog(join(dir, 'log.sqlite'), { clock: new ManualClock(0) }, { synchronous });
  const prompt = new Uint8Array(256);
  let acceptMs = 0;
  const start = performance.now();
  for (const { q, receipts } of work) {
    const t = performance.now();
    log.accept(q, prompt, 3);
    acceptMs += performance.now() - t;
    log.transition(q.queryHash, 'dispatched');
    for (const r of receipts) log.appendReceipt(q.queryHash, r, new Uint8Array(64));
    log.transition(q.queryHash, 'agreed');
    log.transition(q.queryHash, 'settled');
  }
  const total = performance.now() - start;
  log.close();
  rmSync(dir, { recursive: true });
  return { acceptMicros: Number(((acceptMs * 1000) / queries).toFixed(1)), servedQueryMicros: Number(((total * 1000) / queries).toFixed(1)) };
}

const loadBefore = os.loadavg();
run('NORMAL', 1_000_000); // warm-up (JIT, SQLite's first pages)
const normal = run('NORMAL', 0);
const full = run('FULL', queries);
console.log(
  JSON.stringify({
    name: 'sequencer-log',
    parameters: { queries, k: 3, commitsPerServedQuery: 7, journal: 'WAL', tmpdir: os.tmpdir() },
    normal,
    full,
    ratios: { acceptFullOverNormal: Number((full.acceptMicros / normal.acceptMicros).toFixed(1)), servedFullOverNormal: Number((full.servedQueryMicros / normal.servedQueryMicros).toFixed(1)) },
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavgStart: loadBefore.map((x) => Number(x.toFixed(2))), loadavgEnd: os.loadavg().map((x) => Number(x.toFixed(2))) },
  }),
);
