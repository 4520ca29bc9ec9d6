/**
 * `hyperspace verify-certificate` in-process through main(argv, io): the golden certificate of
 * test/vectors/threshold.json against the given key and against CommitteeRegistry on the embedded chain (EDR);
 * a flipped bit, a wrong key, junk input and bad usage.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { main } from './main.ts';
import { runVerifyCertificate } from './verify-certificate.ts';
import type { CliIo } from './io.ts';
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded-chain.ts';
import { connectChain } from '../chain/clients.ts';
import { createCommittee, deployCommitteeRegistry, registerGroupKey } from '../chain/committee-registry.ts';
import { fromHex, toHex } from '../common/bytes.ts';

const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/threshold.json', import.meta.url), 'utf8'));

async function run(argv: string[], stdin?: string) {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, interactive: false };
  const code = stdin === undefined ? await main(argv, io) : await runVerifyCertificate(argv, io, { readStdin: async () => stdin });
  return { code, out, err };
}

describe('hyperspace verify-certificate', () => {
  let dir: string;
  let good: string;
  let flipped: string;
  const given = ['--key', vectors.committee.groupKey, '--threshold', '3', '--members', '5'];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hs-cert-'));
    good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify({ certificate: { encoded: vectors.certificate.encoded } }));
    const bytes = fromHex(vectors.certificate.encoded);
    bytes[5]! ^= 0x10;
    flipped = join(dir, 'flipped.hex');
    await writeFile(flipped, toHex(bytes));
  });

  test('a valid certificate against the given key: exit 0, JSON says valid', async () => {
    const r = await run(['verify-certificate', good, ...given, '--json']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.equal(json.valid, true);
    assert.deepEqual(json.certificate.signers, [1, 2, 4, 5]);
  });

  test('from stdin (-), hex form', async () => {
    const r = await run(['-', ...given], vectors.certificate.encoded);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^valid/);
  });

  test('a flipped bit, a wrong key, too few signers for the committee: exit 1 with the reason', async () => {
    const r1 = await run(['verify-certificate', flipped, ...given, '--json']);
    assert.equal(r1.code, 1);
    assert.equal(JSON.parse(r1.out).reason, 'bad-signature');
    const r2 = await run(['verify-certificate', good, '--key', vectors.committee.shares[0].publicShare, '--threshold', '3', '--members', '5']);
    assert.equal(r2.code, 1);
    assert.match(r2.out, /INVALID: bad-signature/);
    const r3 = await run(['verify-certificate', good, '--key', vectors.committee.groupKey, '--threshold', '5', '--members', '5']);
    assert.equal(r3.code, 1);
    assert.match(r3.out, /too-few-signers/);
  });

  test('junk, a missing file and a malformed key point: typed errors, exit 1', async () => {
    const junk = join(dir, 'junk.txt');
    await writeFile(junk, 'not a certificate');
    const r1 = await run(['verify-certificate', junk, ...given, '--json']);
    assert.equal(r1.code, 1);
    assert.equal(JSON.parse(r1.out).error.code, 'BLS_BAD_CERTIFICATE');
    const r2 = await run(['verify-certificate', join(dir, 'absent'), ...given]);
    assert.equal(r2.code, 1);
    assert.match(r2.err, /ENOENT/);
    const r3 = await run(['verify-certificate', good, '--key', '00'.repeat(256), '--threshold', '3', '--members', '5']);
    assert.equal(r3.code, 1);
    assert.match(r3.err, /infinity/);
  });

  test('bad usage exits 2', async () => {
    assert.equal((await run(['verify-certificate', good])).code, 2);
    assert.equal((await run(['verify-certificate', good, '--key', 'abc', '--threshold', '3', '--members', '5'])).code, 2);
    assert.equal((await run(['verify-certificate', good, ...given, '--registry', '0x00'])).code, 2);
    assert.equal((await run(['verify-certificate', ...given])).code, 2);
  });

  describe('against CommitteeRegistry on the embedded chain (EDR)', () => {
    let chain: EmbeddedChain;
    let registry: Hex;
    before(async () => {
      chain = await startEmbeddedChain();
      const c = await connectChain(chain.rpcUrl);
      const owner = { publicClient: c.publicClient, wallet: c.wallet(chain.accounts[0]!.privateKey as Hex) };
      registry = (await deployCommitteeRegistry(owner)).address;
      const committeeId = await createCommittee(owner, registry, vectors.committee.label);
      await registerGroupKey(owner, registry, committeeId, { groupKey: fromHex(vectors.committee.groupKey), threshold: 3, size: 5 });
    });
    after(async () => {
      await chain?.close();
    });

    test('the registered key is used and the contract agrees: exit 0; a flipped bit: exit 1 on both sides', async () => {
      const r1 = await run(['verify-certificate', good, '--rpc-url', chain.rpcUrl, '--registry', registry, '--json']);
      assert.equal(r1.code, 0, r1.err);
      const json = JSON.parse(r1.out);
      assert.equal(json.onChain, true);
      assert.equal(json.key.source, 'registry');
      const r2 = await run(['verify-certificate', flipped, '--rpc-url', chain.rpcUrl, '--registry', registry, '--json']);
      assert.equal(r2.code, 1);
      assert.equal(JSON.parse(r2.out).onChain, false);
    });

    test('a certificate naming an unregistered key id: exit 1, unknown-key', async () => {
      const bytes = fromHex(vectors.certificate.encoded);
      bytes[68] = 9;
      const r = await run(['-', '--rpc-url', chain.rpcUrl, '--registry', registry, '--json'], toHex(bytes));
      assert.equal(r.code, 1);
      assert.equal(JSON.parse(r.out).reason, 'unknown-key');
    });
  });
});
