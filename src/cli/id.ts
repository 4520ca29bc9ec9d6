/**
 * `hyperspace id …` (§2.1, §2.1.1; issue 2 item 5): create, show, solve and
 * verify node identities — a secp256k1 key whose NodeAddress meets the static
 * S/Kademlia puzzle c1, kept in a Web3 Secret Storage v3 keystore, plus the
 * dynamic puzzle X a community server asks for with c2.
 *
 * stdout carries only the answer (JSON with --json); progress, prompts and
 * errors go to stderr. Exit codes: 0 ok, 1 failure or "invalid", 2 usage,
 * 130 interrupted (Ctrl-C).
 */
import { constants as fsConstants } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { toHex, type Hex } from '../common/bytes.ts';
import { intFlag, parse, requireString } from './args.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, printJson, type CliIo } from './io.ts';
import { PromptAbortedError, readPassword } from './password.ts';
import { EXIT_INTERRUPTED, formatDuration, integer, interruptible, progressReporter } from './progress.ts';
import { BaseError } from '../common/errors.ts';
import { MAX_DIFFICULTY, PUZZLE_X_LENGTH, staticPuzzleBits } from '../identity/puzzle.ts';
// grind.ts (worker threads) and verify-identity.ts are imported where used, so each command loads only what it needs.
import { ethereumAddressOf, nodeAddressOf, assertUncompressedPublicKey } from '../identity/node-address.ts';
import {
  DEFAULTS as KEYSTORE_DEFAULTS,
  KeystoreExistsError,
  KeystoreIoError,
  checkScryptCost,
  encryptKeystore,
  unlockKeystoreFile,
  writeKeystoreFile,
  type KeystoreOptions,
} from '../identity/keystore.ts';

/** Test/benchmark override of the scrypt cost of keystores `id new` writes. */
export const SCRYPT_N_ENV = 'HYPERSPACE_KEYSTORE_SCRYPT_N';

/** Largest --workers accepted: far above any machine here; guards against typos like 1000000. */
const MAX_WORKERS = 256;

export interface IdContext {
  /** Aborts a running grind (tests); Ctrl-C does the same from a terminal. */
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------
// Help

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

const NEW_HELP = `Usage: hyperspace id new --difficulty <c1> --keystore <file> [--workers <n>] [--force] [--progress] [--json]

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

const SHOW_HELP = `Usage: hyperspace id show --keystore <file> [--json]

Decrypts <file> and prints its identity: Ethereum address, NodeAddress, public key, the static
puzzle bits the NodeAddress meets, and the c1 it was created for. Never writes anything.

Options:
  --keystore <file>  keystore file to read (required)
  --json             print JSON on stdout
  -h, --help         show this help

Password: HYPERSPACE_PASSWORD, or asked on the terminal.
`;

const SOLVE_HELP = `Usage: hyperspace id solve (--keystore <file> | --public-key <hex>) --c2 <bits> [--workers <n>] [--progress] [--json]

Finds a 32-byte X such that keccak256(NodeAddress XOR X) has at least c2 leading zero bits: the
dynamic puzzle a community server sets for its sub-network. Expected work is 2^c2 attempts.

Options:
  --keystore <file>   keystore holding the identity (password needed)
  --public-key <hex>  or the uncompressed public key (0x04…, 65 bytes), no password needed
  --c2 <bits>         dynamic puzzle difficulty in bits, 0..${MAX_DIFFICULTY} (required)
  --workers <n>       worker threads, 1..${MAX_WORKERS} (default: one per CPU core)
  --progress          show progress on stderr even when it is not a terminal
  --json              print JSON on stdout (includes x)
  -h, --help          show this help
`;

const VERIFY_HELP = `Usage: hyperspace id verify --public-key <hex> --c1 <bits> [--x <hex> --c2 <bits>] [--json]

Checks an identity in O(1): the public key is a valid secp256k1 point, keccak256(NodeAddress) has
at least c1 leading zero bits, and, when --x and --c2 are given, keccak256(NodeAddress XOR X) has
at least c2. Exits 0 when valid and 1 when invalid, printing the reason.

Options:
  --public-key <hex>  uncompressed public key, 0x04 ‖ X ‖ Y (65 bytes, 130 hex digits) (required)
  --c1 <bits>         required static difficulty, 0..${MAX_DIFFICULTY} (required)
  --x <hex>           dynamic puzzle solution, 32 bytes (64 hex digits); needs --c2
  --c2 <bits>         required dynamic difficulty, 0..${MAX_DIFFICULTY}; needs --x
  --json              print JSON on stdout
  -h, --help          show this help
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

// ---------------------------------------------------------------------------------------------
// Shared pieces

const hint = (command: string) => `run \`hyperspace id ${command} --help\` for usage`;

/** Re-throws argument errors as UsageErrors carrying the command's help hint. */
function usage<T>(command: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    // node:util parseArgs writes some messages over several lines; the CLI prints one.
    if (error instanceof UsageError) throw new UsageError(error.message.replace(/\s*\n\s*/g, ' '), hint(command));
    throw error;
  }
}

/** Hex flag of exactly `bytes` bytes (with or without 0x); malformed hex is a usage error. */
function hexFlag(value: string, flag: string, bytes: number): Uint8Array {
  const body = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]*$/.test(body) || body.length === 0) throw new UsageError(`--${flag} is not hex`);
  if (body.length !== bytes * 2) {
    throw new UsageError(`--${flag} must be ${bytes} bytes (${bytes * 2} hex digits), got ${body.length} hex digits`);
  }
  return new Uint8Array(Buffer.from(body, 'hex'));
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

interface IdentityView {
  address: Hex;
  nodeAddress: Hex;
  publicKey: Hex;
  staticBits: number;
}

function identityView(publicKey: Uint8Array): IdentityView {
  const nodeAddress = nodeAddressOf(publicKey);
  return {
    address: ethereumAddressOf(nodeAddress),
    nodeAddress: toHex(nodeAddress),
    publicKey: toHex(publicKey),
    staticBits: staticPuzzleBits(nodeAddress),
  };
}

function printHuman(io: CliIo, title: string, rows: [string, unknown][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  io.stdout(`${title}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v)}`).join('\n')}\n`);
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

// ---------------------------------------------------------------------------------------------
// Commands

async function runNew(argv: string[], io: CliIo, context: IdContext): Promise<number> {
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

  const { grindStaticIdentity } = await import('../identity/grind.ts');
  const progress = progressReporter(io, `grinding c1=${c1}`, io.interactive || values.progress === true);
  const result = await interruptible(context.signal, async (signal) => {
    try {
      const found = await grindStaticIdentity(c1, {
        ...(workers === undefined ? {} : { workers }),
        ...(progress.onProgress ? { onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs } : {}),
        signal,
      });
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
      ['search', `${integer.format(result.attempts)} attempts in ${formatDuration(result.seconds)}`],
    ]);
  return EXIT_OK;
}

async function runShow(argv: string[], io: CliIo): Promise<number> {
  const { values } = usage('show', () => parse(argv, { keystore: { type: 'string' }, json: { type: 'boolean' } }));
  const path = usage('show', () => requireString(values.keystore, 'keystore'));
  const password = await readPassword(io, { purpose: 'unlock', keystorePath: path });
  const unlocked = await unlockKeystoreFile(path, password);
  unlocked.secretKey.fill(0);
  const view = identityView(unlocked.publicKey);
  const c1 = unlocked.meta.c1 ?? null;
  const out = { ...view, c1, keystore: path };
  if (values.json) printJson(io, out);
  else
    printHuman(io, `Identity in ${path}`, [
      ['address', view.address],
      ['nodeAddress', view.nodeAddress],
      ['publicKey', view.publicKey],
      ['staticBits', c1 === null ? String(view.staticBits) : `${view.staticBits} (created for c1 = ${c1})`],
    ]);
  return EXIT_OK;
}

async function runSolve(argv: string[], io: CliIo, context: IdContext): Promise<number> {
  const { values } = usage('solve', () =>
    parse(argv, {
      keystore: { type: 'string' },
      'public-key': { type: 'string' },
      c2: { type: 'string' },
      workers: { type: 'string' },
      progress: { type: 'boolean' },
      json: { type: 'boolean' },
    }),
  );
  const { c2, workers, publicKeyFlag } = usage('solve', () => {
    if ((values.keystore === undefined) === (values['public-key'] === undefined)) {
      throw new UsageError('give exactly one of --keystore and --public-key');
    }
    return {
      c2: intFlag(values.c2, 'c2', 0, MAX_DIFFICULTY),
      workers: values.workers === undefined ? undefined : intFlag(values.workers, 'workers', 1, MAX_WORKERS),
      publicKeyFlag: values['public-key'] === undefined ? undefined : hexFlag(requireString(values['public-key'], 'public-key'), 'public-key', 65),
    };
  });

  let publicKey: Uint8Array;
  let c1: number | null = null;
  if (publicKeyFlag) {
    try {
      assertUncompressedPublicKey(publicKeyFlag);
    } catch (error) {
      throw new UsageError(`--public-key: ${(error as Error).message}`, hint('solve'));
    }
    publicKey = publicKeyFlag;
  } else {
    const path = usage('solve', () => requireString(values.keystore, 'keystore'));
    const password = await readPassword(io, { purpose: 'unlock', keystorePath: path });
    const unlocked = await unlockKeystoreFile(path, password);
    unlocked.secretKey.fill(0);
    publicKey = unlocked.publicKey;
    c1 = unlocked.meta.c1 ?? null;
  }
  const view = identityView(publicKey);

  const { solveDynamicPuzzle } = await import('../identity/grind.ts');
  const progress = progressReporter(io, `solving c2=${c2}`, io.interactive || values.progress === true);
  const result = await interruptible(context.signal, async (signal) => {
    try {
      return await solveDynamicPuzzle(fromHexView(view.nodeAddress), c2, {
        ...(workers === undefined ? {} : { workers }),
        ...(progress.onProgress ? { onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs } : {}),
        signal,
      });
    } finally {
      progress.done();
    }
  });
  if (result === null) {
    io.stderr('hyperspace: interrupted\n');
    return EXIT_INTERRUPTED;
  }
  const x = toHex(result.x);
  const out = {
    ...view,
    ...(c1 === null ? {} : { c1 }),
    x,
    dynamicBits: result.dynamicBits,
    c2,
    attempts: result.attempts,
    seconds: round(result.seconds),
  };
  if (values.json) printJson(io, out);
  else
    printHuman(io, `Dynamic puzzle solved for ${view.address}`, [
      ['x', x],
      ['dynamicBits', `${result.dynamicBits} (c2 = ${c2})`],
      ['nodeAddress', view.nodeAddress],
      ['search', `${integer.format(result.attempts)} attempts in ${formatDuration(result.seconds)}`],
    ]);
  return EXIT_OK;
}

async function runVerify(argv: string[], io: CliIo): Promise<number> {
  const { values } = usage('verify', () =>
    parse(argv, {
      'public-key': { type: 'string' },
      c1: { type: 'string' },
      x: { type: 'string' },
      c2: { type: 'string' },
      json: { type: 'boolean' },
    }),
  );
  const input = usage('verify', () => {
    const publicKey = hexFlag(requireString(values['public-key'], 'public-key'), 'public-key', 65);
    const c1 = intFlag(values.c1, 'c1', 0, MAX_DIFFICULTY);
    if ((values.x === undefined) !== (values.c2 === undefined)) throw new UsageError('--x and --c2 go together');
    if (values.x === undefined) return { publicKey, c1 };
    return {
      publicKey,
      c1,
      x: hexFlag(requireString(values.x, 'x'), 'x', PUZZLE_X_LENGTH),
      c2: intFlag(values.c2, 'c2', 0, MAX_DIFFICULTY),
    };
  });
  const { verifyIdentity } = await import('../identity/verify-identity.ts');
  const result = verifyIdentity(input);
  if (values.json) printJson(io, result);
  else {
    const rows: [string, unknown][] = [['reason', result.reason]];
    if (result.address !== undefined) rows.push(['address', result.address]);
    if (result.nodeAddress !== undefined) rows.push(['nodeAddress', result.nodeAddress]);
    if (result.staticBits !== undefined) rows.push(['staticBits', `${result.staticBits} (c1 = ${input.c1})`]);
    if (result.dynamicBits !== undefined) rows.push(['dynamicBits', `${result.dynamicBits} (c2 = ${input.c2})`]);
    printHuman(io, result.valid ? 'valid' : 'INVALID', rows);
  }
  return result.valid ? EXIT_OK : EXIT_FAILURE;
}

// ---------------------------------------------------------------------------------------------

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function fromHexView(hex: Hex): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'));
}
