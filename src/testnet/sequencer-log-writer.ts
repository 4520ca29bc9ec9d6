/**
 * Test scaffolding for sequencer-log.test.ts (issue 13 §3): a child process that serves fake queries into a real
 * SequencerLog as fast as it can and reports each committed step on stdout, so the parent can `kill -9` it at a
 * random point and check that everything it was told is on disk.
 *
 *   node src/testnet/sequencer-log-writer.ts <db path> <seed> <max queries>
 *
 * Lines (each printed only after the call that committed it returned; pipes are synchronous on Linux):
 *   accepted <seq> <queryHash hex>
 *   moved <queryHash hex> <state>
 *   receipt <queryHash hex> <node address hex>
 * Signatures are real (fast-verify.ts) so the log sees what a server would give it: VerifiedQuery / VerifiedReceipt.
 */
import { SeededRandom, systemClock } from '../common/clock.ts';
import { toHex } from '../common/bytes.ts';
import { signDigestFast } from '../crypto/fast-verify.ts';
import { ethereumAddressOfSecret, seededSecretKey } from './seeded-keys.ts';
import { hyperspaceDomain, queryDigest, receiptDigest, type Query, type Receipt } from '../wire/query-receipt.ts';
import { verifyQuery, verifyReceipt } from '../wire/verified-messages.ts';
import { SequencerLog } from '../hcs/sequencer-log.ts';

const [path, seedText, maxText] = process.argv.slice(2);
if (path === undefined || seedText === undefined || maxText === undefined) {
  process.stderr.write('usage: sequencer-log-writer.ts <db path> <seed> <max queries>\n');
  process.exit(2);
}
const rng = new SeededRandom(Number(seedText));
const key = (): Uint8Array => seededSecretKey(rng);
const domain = hyperspaceDomain(31337n, new Uint8Array(20).fill(7));
const client = key();
const clientAddress = ethereumAddressOfSecret(client);
const nodes = [key(), key(), key()].map((sk) => ({ sk, address: ethereumAddressOfSecret(sk) }));

const log = new SequencerLog(path, { clock: systemClock });
const say = (line: string): void => void process.stdout.write(line + '\n');

for (let i = 0; i < Number(maxText); i++) {
  const query: Query = {
    client: clientAddress,
    modelHash: new Uint8Array(32).fill(1),
    promptHash: rng.bytes(32),
    paramsHash: rng.bytes(32),
    maxFee: 1000n,
    nonce: BigInt(seedText) * 1_000_000n + BigInt(i),
    deadline: 2_000_000_000n,
  };
  const verified = verifyQuery(domain, query, signDigestFast(queryDigest(domain, query), client));
  const hash = toHex(verified.queryHash);
  const seq = log.accept(verified, rng.bytes(1 + (rng.nextU32() % 512)), 3);
  say(`accepted ${seq} ${hash}`);
  // Some queries stay accepted (as if the crash came before dispatch); the rest go further.
  if (i % 4 === 0) continue;
  log.transition(verified.queryHash, 'dispatched');
  say(`moved ${hash} dispatched`);
  for (const node of nodes.slice(0, 1 + (i % 3))) {
    const receipt: Receipt = {
      queryHash: verified.queryHash,
      modelHash: query.modelHash,
      outputHash: new Uint8Array(32).fill(9),
      traceRoot: new Uint8Array(32).fill(8),
      node: node.address,
      fee: 10n,
      issuedAt: 1_700_000_000n,
    };
    log.appendReceipt(verified.queryHash, verifyReceipt(domain, receipt, signDigestFast(receiptDigest(domain, receipt), node.sk)), rng.bytes(64));
    say(`receipt ${hash} ${toHex(node.address)}`);
  }
  if (i % 4 === 1) continue;
  log.transition(verified.queryHash, 'agreed');
  say(`moved ${hash} agreed`);
  if (i % 4 === 2) continue;
  log.transition(verified.queryHash, 'settled');
  say(`moved ${hash} settled`);
}
say('done');
log.close();
