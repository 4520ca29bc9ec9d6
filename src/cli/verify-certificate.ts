/**
 * `hyperspace verify-certificate <file | ->` (whitepaper §2.2.1; docs/threshold.md §4): checks a certificate
 * offline against a given group key, or against the key CommitteeRegistry holds for the certificate's committee
 * and key id (then also asks the contract itself). Exit 0 when valid, 1 when invalid or unreadable, 2 on bad usage.
 */
import { readFile, stat } from 'node:fs/promises';
import { intFlag, parse } from './args.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, printJson, type CliIo } from './io.ts';
import { BaseError } from '../common/errors.ts';
import { toHex } from '../common/bytes.ts';

/** Largest certificate file read, bytes: a certificate is 229 bytes, its JSON under 1 KiB; infer --json output a few KiB. */
export const MAX_CERTIFICATE_FILE_BYTES = 64 * 1024;

export const VERIFY_CERTIFICATE_HELP = `Usage: hyperspace verify-certificate <file | -> (--key <hex> --threshold <t> --members <n> | --rpc-url <url> --registry <address>) [--json]

Checks a threshold certificate (the 229-byte form as hex, its JSON, or \`hyperspace infer --json\` output with a
\`certificate\` field; \`-\` reads stdin) against a committee's group key:
  given:     --key (256-byte EIP-2537 G2 point, hex), --threshold and --members of the committee
  on chain:  --rpc-url and --registry (CommitteeRegistry address); the key registered for the certificate's
             committee id and key id is used, and the contract's own verifyCertificate is asked too
Exits 0 when valid, 1 when invalid (printing why), 2 on bad usage.

Options:
  --key <hex>          group public key (256 bytes, 512 hex digits)
  --threshold <t>      signatures the committee needs, 1..256 (with --key)
  --members <n>        committee size, 1..256 (with --key)
  --rpc-url <url>      JSON-RPC endpoint of the chain
  --registry <address> CommitteeRegistry contract address
  --json               print JSON on stdout
  -h, --help           show this help
`;

export interface VerifyCertificateContext {
  /** Reads all of stdin (tests inject it). */
  readStdin?: (limit: number) => Promise<string>;
}

class CertificateInputError extends BaseError<{ source: string; reason: string }> {
  constructor(source: string, reason: string, cause?: unknown) {
    super('CLI_CERTIFICATE_INPUT', `cannot read certificate from ${source}: ${reason}`, { cause, details: { source, reason } });
  }
}

async function readProcessStdin(limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new CertificateInputError('stdin', `more than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readSource(source: string, ctx: VerifyCertificateContext): Promise<string> {
  if (source === '-') return (ctx.readStdin ?? readProcessStdin)(MAX_CERTIFICATE_FILE_BYTES);
  try {
    const info = await stat(source);
    if (!info.isFile()) throw new CertificateInputError(source, 'not a file');
    if (info.size > MAX_CERTIFICATE_FILE_BYTES) throw new CertificateInputError(source, `larger than ${MAX_CERTIFICATE_FILE_BYTES} bytes`);
    return await readFile(source, 'utf8');
  } catch (error) {
    if (error instanceof CertificateInputError) throw error;
    throw new CertificateInputError(source, (error as NodeJS.ErrnoException).code ?? 'unreadable', error);
  }
}

export async function runVerifyCertificate(argv: string[], io: CliIo, ctx: VerifyCertificateContext = {}): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(VERIFY_CERTIFICATE_HELP);
    return EXIT_OK;
  }
  const { values, positionals } = parse(
    argv,
    {
      key: { type: 'string' },
      threshold: { type: 'string' },
      members: { type: 'string' },
      'rpc-url': { type: 'string' },
      registry: { type: 'string' },
      json: { type: 'boolean' },
    },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('expected one certificate file (or - for stdin)', 'run `hyperspace verify-certificate --help` for usage');
  const given = values.key !== undefined;
  const onChain = values['rpc-url'] !== undefined || values.registry !== undefined;
  if (given === onChain) throw new UsageError('give either --key (with --threshold and --members) or --rpc-url with --registry', 'run `hyperspace verify-certificate --help` for usage');
  if (onChain && (values['rpc-url'] === undefined || values.registry === undefined)) throw new UsageError('--rpc-url and --registry go together');
  if (onChain && !/^0x[0-9a-fA-F]{40}$/.test(values.registry!)) throw new UsageError('--registry must be a 20-byte 0x address');
  let keyBytes: Uint8Array | undefined;
  let threshold = 0;
  let members = 0;
  if (given) {
    const body = values.key!.replace(/^0x/i, '');
    if (!/^[0-9a-fA-F]{512}$/.test(body)) throw new UsageError('--key must be 256 bytes (512 hex digits)');
    keyBytes = new Uint8Array(Buffer.from(body, 'hex'));
    threshold = intFlag(values.threshold, 'threshold', 1, 256);
    members = intFlag(values.members, 'members', threshold, 256);
  }

  const { parseCertificateText, verifyCertificate, certificateToJson } = await import('../crypto/certificate.ts');
  const certificate = parseCertificateText(await readSource(positionals[0]!, ctx));
  let onChainVerdict: boolean | string | undefined;
  if (onChain) {
    const { connectChain } = await import('../chain/clients.ts');
    const { readGroupKey, verifyCertificateOnChain } = await import('../chain/committee-registry.ts');
    const { decodeRevert } = await import('../chain/revert.ts');
    const { encodeCertificate } = await import('../crypto/certificate.ts');
    const { publicClient } = await connectChain(values['rpc-url']!);
    const registry = values.registry as `0x${string}`;
    let registered;
    try {
      registered = await readGroupKey(publicClient, registry, toHex(certificate.committeeId), certificate.keyId);
    } catch (error) {
      const revert = decodeRevert(error);
      if (!revert) throw error;
      const out = { valid: false, reason: 'unknown-key', detail: revert.errorName, certificate: certificateToJson(certificate) };
      if (values.json) printJson(io, out);
      else io.stdout(`INVALID: no key ${certificate.keyId} registered for committee ${toHex(certificate.committeeId)} (${revert.errorName})\n`);
      return EXIT_FAILURE;
    }
    keyBytes = registered.groupKey;
    threshold = registered.threshold;
    members = registered.size;
    try {
      onChainVerdict = await verifyCertificateOnChain(publicClient, registry, encodeCertificate(certificate), keyBytes);
    } catch (error) {
      const revert = decodeRevert(error);
      if (!revert) throw error;
      onChainVerdict = revert.errorName;
    }
  }
  const verdict = verifyCertificate(certificate, { groupKey: keyBytes!, threshold, size: members });
  const valid = verdict.valid && (onChainVerdict === undefined || onChainVerdict === true);
  const out = {
    valid,
    ...(verdict.valid ? {} : { reason: verdict.reason, ...(verdict.detail ? { detail: verdict.detail } : {}) }),
    ...(onChainVerdict === undefined ? {} : { onChain: onChainVerdict }),
    key: { source: onChain ? 'registry' : 'given', threshold, members, groupKey: toHex(keyBytes!) },
    certificate: certificateToJson(certificate),
  };
  if (values.json) printJson(io, out);
  else {
    io.stdout(`${valid ? 'valid' : 'INVALID'}${verdict.valid ? '' : `: ${verdict.reason}${verdict.detail ? ` (${verdict.detail})` : ''}`}\n`);
    io.stdout(`  committee  ${toHex(certificate.committeeId)} key ${certificate.keyId} (${threshold} of ${members})\n`);
    io.stdout(`  receipt    ${toHex(certificate.receiptDigest)}\n`);
    io.stdout(`  signers    ${certificate.signers.join(', ')}\n`);
    if (onChainVerdict !== undefined) io.stdout(`  on chain   ${onChainVerdict}\n`);
  }
  return valid ? EXIT_OK : EXIT_FAILURE;
}
