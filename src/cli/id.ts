/**
 * `hyperspace id …` (§2.1, §2.1.1; issue 2 item 5): create, show, solve and
 * verify node identities — a secp256k1 key whose NodeAddress meets the static
 * S/Kademlia puzzle c1, kept in a Web3 Secret Storage v3 keystore, plus the
 * dynamic puzzle X a community server asks for with c2.
 *
 * This file is the group's dispatcher and help; each command lives in `id/<command>.ts`.
 * stdout carries only the answer (JSON with --json); progress, prompts and
 * errors go to stderr. Exit codes: 0 ok, 1 failure or "invalid", 2 usage,
 * 130 interrupted (Ctrl-C).
 */
import { BaseError } from '../common/errors.ts';
import { KeystoreExistsError } from '../identity/keystore.ts';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.ts';
import { PromptAbortedError } from './password.ts';
import { EXIT_INTERRUPTED } from './progress.ts';
// grind.ts (worker threads) and verify-identity.ts are imported by the commands where used, so each
// command loads only what it needs.
import { NEW_HELP, runNew } from './id/new.ts';
import { SHOW_HELP, runShow } from './id/show.ts';
import { SOLVE_HELP, runSolve } from './id/solve.ts';
import { VERIFY_HELP, runVerify } from './id/verify.ts';
import type { IdContext } from './id/shared.ts';

export { SCRYPT_N_ENV } from './id/new.ts';
export type { IdContext } from './id/shared.ts';

const GROUP_HELP = `Usage: hyperspace id <command> [options]

Node identities (whitepaper §2.1): a secp256k1 key whose NodeAddress = keccak256(public key)
meets the static S/Kademlia puzzle (keccak256(NodeAddress) has ≥ c1 leading zero bits),
kept in a Web3 Secret Storage v3 keystore (the JSON format geth, ethers and MetaMask read).

Commands:
  new      grind a new identity meeting difficulty c1 and write it to an encrypted keystore
  show     print the identity stored in a keystore
  solve    solve the dynamic puzzle c2 a community server asks for (prints X)
  verify   check a public key against c1 (and X against c2); no keystore needed

Run \`hyperspace id <command> --help\` for its options.

Environment:
  HYPERSPACE_PASSWORD            keystore password (otherwise prompted for on a terminal)
  HYPERSPACE_KEYSTORE_SCRYPT_N   scrypt N for new keystores (default 262144; lower only for tests)

Exit codes: 0 ok, 1 failure or invalid identity, 2 bad usage, 130 interrupted.
`;

const COMMANDS: Record<string, { help: string; run: (argv: string[], io: CliIo, context: IdContext) => Promise<number> }> = {
  new: { help: NEW_HELP, run: runNew },
  show: { help: SHOW_HELP, run: runShow },
  solve: { help: SOLVE_HELP, run: runSolve },
  verify: { help: VERIFY_HELP, run: runVerify },
};

export async function runId(argv: string[], io: CliIo, context: IdContext = {}): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(GROUP_HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const entry = COMMANDS[command];
  if (!entry) throw new UsageError(`unknown command 'id ${command}'`, 'run `hyperspace id --help` for the commands');
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(entry.help);
    return EXIT_OK;
  }
  try {
    return await entry.run(rest, io, context);
  } catch (error) {
    if (error instanceof PromptAbortedError) {
      io.stderr('hyperspace: interrupted; nothing was written\n');
      return EXIT_INTERRUPTED;
    }
    if (error instanceof KeystoreExistsError) throw new KeystoreExistsCliError(error.details.path);
    throw error;
  }
}

/** KeystoreExistsError with the CLI's way out in the message. */
class KeystoreExistsCliError extends BaseError<{ path: string }> {
  constructor(path: string) {
    super('KEYSTORE_EXISTS', `keystore already exists: ${path} (pass --force to replace it)`, { details: { path } });
  }
}
