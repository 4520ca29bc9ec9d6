/**
 * `hyperspace id new` (§2.1.1): grind a secp256k1 key whose NodeAddress meets the
 * static S/Kademlia puzzle c1 and write it to an encrypted Web3 Secret Storage v3
 * keystore. Everything that would make the final write fail is checked before the
 * search; Ctrl-C stops the search and writes nothing.
 */
import { constants as fsConstants } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MAX_DIFFICULTY } from '../../identity/puzzle.ts';
import {
  DEFAULTS as KEYSTORE_DEFAULTS,
  KeystoreExistsError,
  KeystoreIoError,
  checkScryptCost,
  encryptKeystore,
  writeKeystoreFile,
  type KeystoreOptions,
} from '../../identity/keystore.ts';
import { intFlag, parse, requireString } from '../args.ts';
import { EXIT_OK, UsageError, printJson, type CliIo } from '../io.ts';
import { readPassword } from '../password.ts';
import { EXIT_INTERRUPTED, interruptible, progressReporter } from '../progress.ts';
import { MAX_WORKERS, grindOptions, identityView, printHuman, round, searchRow, usage, type IdContext } from './shared.ts';

/** Test/benchmark override of the scrypt cost of keystores `id new` writes. */
export const SCRYPT_N_ENV = 'HYPERSPACE_KEYSTORE_SCRYPT_N';

export const NEW_HELP = `Usage: hyperspace id new --difficulty <c1> --keystore <file> [--workers <n>] [--force] [--progress] [--json]

Grinds secp256k1 keys (on every core) until keccak256(NodeAddress) has at least c1 leading zero
bits, then writes the key to <file>, encrypted with the password (scrypt, aes-128-ctr, mode 0600).
Expected work is 2^c1 attempts; progress with an estimate of the time left is shown on stderr
when stderr is a terminal. Ctrl-C stops the search and writes nothing.

Options:
  --difficulty <c1>  static puzzle difficulty in bits, 0..${MAX_DIFFICULTY} (required)
  --keystore <file>  keystore file to create (required); its directory must exist
  --workers <n>      worker threads, 1..${MAX_WORKERS} (default: one per CPU core)
  --force            replace <file> if it already exists (atomically)
  --progress         show progress on stderr even when it is not a terminal
  --json             print the identity as JSON on stdout
  -h, --help         show this help

Password: HYPERSPACE_PASSWORD, or asked twice on the terminal. An empty password is refused.
`;

export async function runNew(argv: string[], io: CliIo, context: IdContext): Promise<number> {
  const { values } = usage('new', () =>
    parse(argv, {
      difficulty: { type: 'string' },
      keystore: { type: 'string' },
      workers: { type: 'string' },
      force: { type: 'boolean' },
      progress: { type: 'boolean' },
      json: { type: 'boolean' },
    }),
  );
  const { c1, path, workers } = usage('new', () => ({
    c1: intFlag(values.difficulty, 'difficulty', 0, MAX_DIFFICULTY),
    path: requireString(values.keystore, 'keystore'),
    workers: values.workers === undefined ? undefined : intFlag(values.workers, 'workers', 1, MAX_WORKERS),
  }));
  const force = values.force === true;
  const writeOptions = usage('new', () => keystoreWriteOptions(io));

  // Fail before the (possibly long) search, not after it.
  await assertWritable(path, force);
  const password = await readPassword(io, { purpose: 'create', keystorePath: path });

  const { grindStaticIdentity } = await import('../../identity/grind.ts');
  const progress = progressReporter(io, `grinding c1=${c1}`, io.interactive || values.progress === true);
  const result = await interruptible(context.signal, async (signal) => {
    try {
      const found = await grindStaticIdentity(c1, grindOptions(workers, progress, signal));
      progress.done();
      if (progress.onProgress) io.stderr('encrypting the keystore (scrypt)…\n');
      let keystore;
      try {
        keystore = await encryptKeystore(found.secretKey, password, { ...writeOptions, meta: { c1 } });
      } finally {
        found.secretKey.fill(0);
      }
      if (signal.aborted) return null; // Ctrl-C during encryption: still write nothing
      await writeKeystoreFile(path, keystore, { force });
      return found;
    } finally {
      progress.done();
    }
  });
  if (result === null) {
    io.stderr('hyperspace: interrupted; nothing was written\n');
    return EXIT_INTERRUPTED;
  }

  const view = identityView(result.publicKey);
  const out = { ...view, c1, keystore: path, attempts: result.attempts, seconds: round(result.seconds) };
  if (values.json) printJson(io, out);
  else
    printHuman(io, `Created identity in ${path}`, [
      ['address', view.address],
      ['nodeAddress', view.nodeAddress],
      ['publicKey', view.publicKey],
      ['staticBits', `${view.staticBits} (c1 = ${c1})`],
      searchRow(result),
    ]);
  return EXIT_OK;
}

/** scrypt options for new keystores: DEFAULTS, or HYPERSPACE_KEYSTORE_SCRYPT_N for tests. */
function keystoreWriteOptions(io: CliIo): Partial<KeystoreOptions> {
  const raw = io.env[SCRYPT_N_ENV];
  if (raw === undefined || raw === '') return {};
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !scryptCostOk(n)) {
    let max = 2;
    while (scryptCostOk(max * 2)) max *= 2;
    throw new UsageError(
      `${SCRYPT_N_ENV} must be a power of two from 2 to ${max}`,
      `unset it to use the default ${KEYSTORE_DEFAULTS.scryptN}`,
    );
  }
  if (n < KEYSTORE_DEFAULTS.scryptN) {
    io.stderr(`warning: ${SCRYPT_N_ENV}=${n} makes the keystore cheaper to brute-force than the default ${KEYSTORE_DEFAULTS.scryptN}; use it only for tests\n`);
  }
  return { scryptN: n };
}

function scryptCostOk(n: number): boolean {
  try {
    checkScryptCost(n, KEYSTORE_DEFAULTS.scryptR, KEYSTORE_DEFAULTS.scryptP);
    return true;
  } catch {
    return false;
  }
}

/**
 * Everything that would make the final write fail, checked before the (possibly hours-long) search:
 * an existing file without --force, a directory (or other non-file) at the path, a missing or
 * unwritable directory. Only a race with another process can still fail the write afterwards.
 */
async function assertWritable(path: string, force: boolean): Promise<void> {
  const existing = await stat(path).catch(() => null);
  if (existing !== null && !existing.isFile()) throw new KeystoreIoError(path, 'is a directory or another non-regular file');
  const exists = await lstat(path).then(
    () => true,
    () => false,
  );
  if (exists && !force) throw new KeystoreExistsError(path);
  const dir = dirname(resolve(path));
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new KeystoreIoError(path, `directory ${dir} does not exist`);
  // The keystore is written as a temporary file in `dir`, then linked or renamed: `dir` needs write and search.
  const writable = await access(dir, fsConstants.W_OK | fsConstants.X_OK).then(
    () => true,
    () => false,
  );
  if (!writable) throw new KeystoreIoError(path, `directory ${dir} is not writable`);
}
