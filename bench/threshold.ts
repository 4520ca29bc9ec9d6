/**
 * Threshold signatures benchmark (issue 14 "Benchmark"; whitepaper §2.2.1). Prints ONE JSON object.
 *
 *   node_modules/.bin/node bench/threshold.ts [--n 4,16,64] [--skip-chain]
 *
 * For each committee size n (threshold t = ⌊2n/3⌋ + 1: 3, 11, 43):
 * - dkg: the whole committee's DKG simulated in one process over pure message passing (src/testnet/dkg-harness.ts,
 *   virtual clock, fast path). memberCpuMs: each member's own work — process user+system CPU time around every call
 *   into that member (deal, every packet received, every tick) — median and max over members; wallSeconds for all n;
 *   packets and bytes broadcast.
 * - tsignMs: one partial signature (hash to G1 + one G1 multiplication), mean over up to 8 members;
 *   formCertificateMs: t partials checked in one batch (random linear combination, one pairing check) and combined;
 *   tcombineMs: Lagrange combination of t partials; certificateVerifyMs: a client's check of one certificate
 *   (hash to G1 + pairing check), cold (key decoded and its pairing lines computed in the call) and warm (key reused).
 * - blstMinPkVerifyMs: the reference in the same run, a plain blst verification (min-pk: keys in G1, signatures
 *   in G2 — the layout our signatures do not use, see docs/decisions/0003); ratio = ours / blst.
 * - gas: the committee's group key registered on the embedded chain (EDR, Prague) and one certificate verified in
 *   a transaction: gasUsed, gasUsed − 21,000 (the goal's measure) — the same for every n.
 * CPU figures are per-call means of process CPU time; the machine is shared, so os.loadavg() is recorded.
 */
import os from 'node:os';
import * as blst from '@chainsafe/blst';
import { encodeFunctionData, type Hex } from 'viem';
import { runDkg } from '../src/testnet/dkg-harness.ts';
import { decodeG2, type G2Point } from '../src/crypto/bls/points.ts';
import { evaluateCommitments } from '../src/crypto/bls/polynomial.ts';
import { tcombine } from '../src/crypto/bls/threshold.ts';
import { encodeCertificate, formCertificate, signCertificate, verifyCertificate, type CertificateHeader } from '../src/crypto/certificate.ts';
import { startEmbeddedChain } from '../src/chain/embedded-chain.ts';
import { connectChain } from '../src/chain/clients.ts';
import { committeeRegistryAbi } from '../src/chain/artifacts.ts';
import { createCommittee, deployCommitteeRegistry, registerGroupKey } from '../src/chain/committee-registry.ts';
import { fromHex, toHex } from '../src/common/bytes.ts';

function sizes(): number[] {
  const i = process.argv.indexOf('--n');
  if (i < 0) return [4, 16, 64];
  const list = (process.argv[i + 1] ?? '').split(',').map(Number);
  if (list.length === 0 || !list.every((n) => Number.isInteger(n) && n >= 2 && n <= 256)) {
    process.stderr.write('bench/threshold.ts: --n needs a comma-separated list of sizes 2..256\nusage: node bench/threshold.ts [--n 4,16,64] [--skip-chain]\n');
    process.exit(2);
  }
  return list;
}

/** Mean process CPU ms per call of f over `runs` calls. */
function cpuMs(runs: number, f: (i: number) => void): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) f(i);
  const d = process.cpuUsage(t0);
  return Number(((d.user + d.system) / 1000 / runs).toFixed(3));
}

const round = (x: number) => Number(x.toFixed(1));
const loadBefore = os.loadavg();
const started = performance.now();
const skipChain = process.argv.includes('--skip-chain');

// Reference: blst min-pk verification, warm.
const blstKey = blst.SecretKey.fromKeygen(new Uint8Array(32).fill(7));
const blstPk = blstKey.toPublicKey();
const blstMsg = new Uint8Array(32).fill(1);
const blstSig = blstKey.sign(blstMsg);
blst.verify(blstMsg, blstPk, blstSig);
const blstMinPkVerifyMs = cpuMs(200, () => blst.verify(blstMsg, blstPk, blstSig));

// All CPU work first: the embedded chain serves JSON-RPC from this process, and a DKG that holds the event loop
// for minutes would let its HTTP connections time out.
const committees = [];
const forChain: { n: number; t: number; groupKey: Uint8Array; header: CertificateHeader; shareOf: Map<number, { index: number; secret: bigint }>; publicShares: Map<number, G2Point> }[] = [];
{
  for (const n of sizes()) {
    const t = Math.floor((2 * n) / 3) + 1;
    const wall0 = performance.now();
    const run = runDkg({ n, threshold: t, seed: n, measure: true });
    const wallSeconds = (performance.now() - wall0) / 1000;
    const cpu = [...run.cpuMs].sort((a, b) => a - b);
    const results = [...run.results.values()];
    const first = results[0]!;
    const poly = first.publicPolynomial.map((c) => decodeG2(c));
    const shareOf = new Map(results.map((r) => [r.share.index, r.share]));
    const header: CertificateHeader = { receiptDigest: new Uint8Array(32).fill(0xab), committeeId: new Uint8Array(32).fill(1), keyId: 1, signers: Array.from({ length: t }, (_, k) => k + 1) };
    const partials = header.signers.map((i) => signCertificate(shareOf.get(i)!, header));
    const tsignMs = cpuMs(Math.min(t, 8), (i) => signCertificate(shareOf.get(i + 1)!, header));
    const publicShares = new Map(header.signers.map((i) => [i, evaluateCommitments(poly, i)]));
    const formed = { certificate: undefined as ReturnType<typeof formCertificate>['certificate'] | undefined };
    const checkMs = cpuMs(1, () => {
      formed.certificate = formCertificate(header, partials, { threshold: t, publicShare: (i) => publicShares.get(i) }).certificate;
    });
    const tcombineMs = cpuMs(3, () => tcombine(partials, t));
    const certificate = formed.certificate!;
    const coldMs = cpuMs(3, () => verifyCertificate(certificate, { groupKey: first.groupKey, threshold: t, size: n }));
    const groupKey = decodeG2(first.groupKey);
    verifyCertificate(certificate, { groupKey, threshold: t, size: n });
    const warmMs = cpuMs(5, () => verifyCertificate(certificate, { groupKey, threshold: t, size: n }));
    forChain.push({ n, t, groupKey: first.groupKey, header, shareOf, publicShares });
    committees.push({
      n,
      t,
      dkg: {
        completed: run.results.size,
        fastPath: run.members.every((m) => m?.history.join() === 'deal,response,done'),
        memberCpuMs: { median: round(cpu[cpu.length >> 1]!), max: round(cpu.at(-1)!) },
        wallSeconds: Number(wallSeconds.toFixed(1)),
        packets: run.packets,
        bytes: run.bytes,
      },
      tsignMs,
      formCertificateMs: checkMs,
      tcombineMs,
      certificateVerifyMs: { cold: coldMs, warm: warmMs, ratioToBlstMinPk: Number((warmMs / blstMinPkVerifyMs).toFixed(1)) },
      gas: undefined as Record<string, number> | undefined,
    });
  }
}

if (!skipChain) {
  const chain = await startEmbeddedChain();
  try {
    const clients = await connectChain(chain.rpcUrl);
    const owner = { publicClient: clients.publicClient, wallet: clients.wallet(chain.accounts[0]!.privateKey as Hex) };
    const registry = (await deployCommitteeRegistry(owner)).address;
    for (const [k, c] of forChain.entries()) {
      const committeeId = await createCommittee(owner, registry, toHex(new Uint8Array(32).fill(c.n)) as Hex);
      const registered = await registerGroupKey(owner, registry, committeeId, { groupKey: c.groupKey, threshold: c.t, size: c.n });
      const header = { ...c.header, committeeId: fromHex(committeeId), keyId: registered.keyId };
      const partials = header.signers.map((i) => signCertificate(c.shareOf.get(i)!, header));
      const certificate = formCertificate(header, partials, { threshold: c.t, publicShare: (i) => c.publicShares.get(i) }).certificate;
      const data = encodeFunctionData({ abi: committeeRegistryAbi, functionName: 'verifyCertificate', args: [toHex(encodeCertificate(certificate)), toHex(c.groupKey)] });
      const receipt = await clients.publicClient.waitForTransactionReceipt({ hash: await owner.wallet.sendTransaction({ to: registry, data }) });
      const calldata = fromHex(data).reduce((sum, b) => sum + (b === 0 ? 4 : 16), 0);
      committees[k]!.gas = {
        verifyTx: Number(receipt.gasUsed),
        aboveBase: Number(receipt.gasUsed) - 21_000,
        calldata,
        execution: Number(receipt.gasUsed) - 21_000 - calldata,
        registerGroupKey: Number(registered.gas),
      };
    }
  } finally {
    await chain.close();
  }
}
process.stdout.write(
  JSON.stringify({
    name: 'threshold',
    parameters: { sizes: committees.map((c) => c.n), chain: skipChain ? 'skipped' : 'embedded EDR, prague' },
    blstMinPkVerifyMs,
    committees,
    wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadBefore, loadAfter: os.loadavg() },
  }) + '\n',
);
